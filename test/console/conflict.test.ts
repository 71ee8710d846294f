/// <reference lib="dom" />
/**
 * A 412 in the browser (issue 12): the office user has the case open, someone changes it through the API behind
 * the page's back, and the form's submit (If-Match with the ETag the page read) is refused: the page says the case
 * changed meanwhile, keeps what was typed, and reloads on request; the retried submit then succeeds.
 */
import t from 'tap'
import { assertNoPageErrors, startConsoleHarness } from '../helpers/browser.ts'
import { lifecycleClient } from '../helpers/lifecycle-client.ts'

t.test('a change behind the page: 412 notice, what was typed is kept, reload, retry', async (t) => {
  const harness = await startConsoleHarness(t)
  const client = lifecycleClient(harness.testApp)
  const dispatch = await harness.testApp.key('dispatch', 'ORG-A')
  const office = await harness.testApp.key('office')
  const submitted = await client.submit(dispatch, { excavationLengthMeters: 80 })
  await client.ok(office, submitted.id, { action: 'accept' })

  const page = await harness.newPage()
  await harness.signIn(page, office)
  await page.goto(`${harness.baseUrl}/console/#/cases/${submitted.id}`)
  await page.waitForSelector('[data-choose=record_opinion]')
  const versionOnScreen = Number(await page.getAttribute('.case-screen', 'data-version'))
  await page.click('[data-choose=record_opinion]')
  const form = 'form[data-action=record_opinion]'
  await page.fill(`${form} input[name=department]`, '市政园林局')
  await page.fill(`${form} textarea[name=comments]`, '同意开挖，注意管线保护')

  // Behind the page's back: another opinion through the API moves the version.
  await client.ok(office, submitted.id, { action: 'record_opinion', department: '交警支队', opinion: 'agree' })
  await page.click(`${form} button[type=submit]`)
  await page.waitForSelector('[data-testid=case-conflict]')
  t.match(await page.textContent('[data-testid=case-conflict]'), '案件已被他人更新', 'the conflict notice')
  harness.errors.length = 0 // the 412 is expected in the console's network log
  await harness.screenshot(page, '30-case-conflict')
  const opinionsBefore = (await client.read(office, submitted.id)).stages[0].opinions.length
  t.equal(opinionsBefore, 1, 'the refused submit changed nothing')

  await page.click('[data-testid=case-conflict-reload]')
  await page.waitForFunction((version) => Number(document.querySelector('.case-screen')?.getAttribute('data-version')) > version, versionOnScreen)
  t.notOk(await page.isVisible('[data-testid=case-conflict]'), 'the notice is gone after the reload')
  t.equal(await page.inputValue(`${form} input[name=department]`), '市政园林局', 'what was typed is kept')
  await page.click(`${form} button[type=submit]`)
  await page.waitForSelector('.case-notice')
  const after = await client.read(office, submitted.id)
  t.same(
    after.stages[0].opinions.map((opinion: { department: string }) => opinion.department),
    ['交警支队', '市政园林局'],
    'the retried submit recorded the opinion',
  )
  assertNoPageErrors(t, harness)
})
