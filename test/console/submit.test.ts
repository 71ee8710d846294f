/// <reference lib="dom" />
/**
 * A dispatcher submits with the live preview (issue 12): types the form, sees the preview's route and due date
 * change when the trench length crosses 50 m, pastes GeoJSON (shown on the map over the road register), submits,
 * and lands on the new case.
 */
import t from 'tap'
import { assertNoPageErrors, startConsoleHarness } from '../helpers/browser.ts'
import { bearer } from '../helpers/test-app.ts'
import { eastLine, jianyuan } from '../helpers/zhangzhou-roads.ts'

t.test('a dispatcher fills the form, watches the preview, pastes GeoJSON and submits', async (t) => {
  const harness = await startConsoleHarness(t)
  const { app } = harness.testApp
  const office = await harness.testApp.key('office')
  const road = await app.inject({ method: 'PUT', url: `/v1/roads/${jianyuan.code}`, headers: bearer(office), payload: jianyuan.body })
  t.equal(road.statusCode, 201, 'a road in the register')
  const dispatch = await harness.testApp.key('dispatch')
  const page = await harness.newPage()
  await harness.signIn(page, dispatch)
  await page.goto(`${harness.baseUrl}/console/#/submit`)
  await page.waitForSelector('form.submit-form')
  t.match(await page.textContent('h1'), '道路挖掘许可申报', 'the form in Chinese')
  for (const legend of ['工程概况', '施工位置', '计划工期', '联系人', '承诺备案', '施工线路']) t.match(await page.textContent('form.submit-form'), legend, `fieldset ${legend}`)

  // Every input of the form has a label.
  const unlabelled = await page.$$eval('form.submit-form input:not([type=radio]):not([type=checkbox]), form.submit-form textarea, form.submit-form select', (elements) =>
    elements.filter((element) => !document.querySelector(`label[for="${element.id}"]`)).map((element) => element.getAttribute('name')),
  )
  t.same(unlabelled, [], 'every field is labelled')

  await page.fill('input[name=title]', '10千伏建元路电缆接入工程')
  await page.fill('input[name=excavationLengthMeters]', '30')
  await page.waitForSelector('[data-testid=preview-route][data-route=fast_track]')
  t.match(await page.textContent('[data-testid=preview-route]'), '免联合会审', '30 m at 10 kV: fast track')
  const fastDue = await page.textContent('[data-testid=preview-due]')
  t.match(fastDue, /^\d{4}-\d{2}-\d{2}$/, 'with a due date')
  t.ok(((await page.textContent('[data-testid=preview-explanation]')) ?? '').length > 10, 'the decision explained')
  await page.waitForSelector('[data-testid=preview-deadline]')

  // Crossing 50 m (exactly 50 included) moves the case to the joint review, with a later due date.
  await page.fill('input[name=excavationLengthMeters]', '60')
  await page.waitForSelector('[data-testid=preview-route][data-route=joint_review]')
  const jointDue = await page.textContent('[data-testid=preview-due]')
  t.not(jointDue, fastDue, 'the due date changes')
  t.ok((jointDue ?? '') > (fastDue ?? ''), 'and is later')
  t.match(await page.textContent('.submit-preview'), '审查阶段', 'the stages of the joint review')

  await page.fill('input[name=district]', 'Xiangcheng')
  await page.fill('input[name=roadName]', '建元路')
  await page.fill('input[name=contactName]', '李明')
  await page.fill('input[name=contactPhone]', '0596-2345678')

  // Invalid GeoJSON is flagged next to the field; a valid line is accepted and drawn.
  await page.fill('textarea[name=geometry]', '{"type": "Point"')
  t.match(await page.textContent('fieldset.geometry'), 'GeoJSON 无效', 'bad JSON flagged')
  const geometry = eastLine(117.651, 24.53002, 60)
  await page.fill('textarea[name=geometry]', JSON.stringify(geometry))
  await page.waitForSelector('[data-testid=geometry-ok]')
  await page.waitForSelector('fieldset.geometry .works-map canvas')
  await page.waitForSelector('[data-testid=preview-route][data-route=joint_review]')
  await page.waitForFunction(() => document.querySelector('.submit-preview')?.textContent?.includes('建元路'))
  t.pass('the preview names the register road the works run along')
  await page.evaluate(() => scrollTo(0, 0))
  await page.waitForTimeout(400)
  await harness.screenshot(page, '30-submit')

  await page.click('form.submit-form button[type=submit]')
  await page.waitForFunction(() => /^#\/cases\/[0-9a-f-]{36}$/.test(location.hash))
  const id = (await page.evaluate(() => location.hash)).slice('#/cases/'.length)
  const created = await app.inject({ method: 'GET', url: `/v1/cases/${id}`, headers: bearer(dispatch) })
  t.equal(created.statusCode, 200, 'the case exists')
  const body = created.json()
  t.equal(body.route, 'joint_review')
  t.equal(body.excavationLengthMeters, 60)
  t.equal(body.works.title, '10千伏建元路电缆接入工程')
  t.same(body.location.geometry, geometry, 'with the pasted geometry')
  t.equal(body.organization, 'ORG-A')
  assertNoPageErrors(t, harness)
})

t.test('the works drawn on the map over the road register: points, undo, clear; an office key names the applicant', async (t) => {
  const harness = await startConsoleHarness(t)
  const { app } = harness.testApp
  const office = await harness.testApp.key('office')
  await app.inject({ method: 'PUT', url: `/v1/roads/${jianyuan.code}`, headers: bearer(office), payload: jianyuan.body })
  const page = await harness.newPage()
  await harness.signIn(page, office)
  await page.goto(`${harness.baseUrl}/console/#/submit`)
  await page.waitForSelector('form.submit-form')
  t.ok(await page.$('input[name=organization]'), 'an office key names the applicant organization')
  await page.fill('input[name=excavationLengthMeters]', '20')
  await page.waitForSelector('[data-testid=preview-route][data-route=fast_track]')
  await page.check('input[name=geometryMode][value=draw]')
  await page.waitForSelector('fieldset.geometry .works-map canvas')
  await page.waitForTimeout(300)
  const box = await page.locator('fieldset.geometry .works-map .chart').boundingBox()
  if (!box) throw new Error('no map')
  // Three clicks along the middle of the map (the road runs across it), left to right.
  for (const x of [0.35, 0.5, 0.65]) await page.mouse.click(box.x + box.width * x, box.y + box.height * 0.55)
  await page.waitForFunction(() => document.querySelector('[data-testid=drawn-count]')?.textContent?.includes('3'))
  await page.click('[data-testid=draw-undo]')
  await page.waitForFunction(() => document.querySelector('[data-testid=drawn-count]')?.textContent?.includes('2'))
  t.pass('undo removes the last point')
  // The drawn line goes into the assessment: it is measured.
  await page.waitForFunction(() => document.querySelector('.submit-preview')?.textContent?.includes('线路实测'))
  t.pass('the drawn line is measured by the assessment')
  await page.click('[data-testid=draw-clear]')
  await page.waitForFunction(() => document.querySelector('[data-testid=drawn-count]')?.textContent?.includes('0'))
  t.pass('clear removes every point')
  assertNoPageErrors(t, harness)
})
