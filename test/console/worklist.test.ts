/// <reference lib="dom" />
/**
 * The office's worklist in the browser (issue 12): soonest deadline first, working days remaining and warning badges
 * (yellow, red, overdue: text beside the colour), the queue buttons with their counts, filters and the queue kept in
 * the hash so a link reproduces the view, the keyboard, and paging with the cursor.
 */
import t from 'tap'
import { ManualClock } from '../../src/platform/clock.ts'
import { assertNoPageErrors, startConsoleHarness } from '../helpers/browser.ts'
import { lifecycleClient } from '../helpers/lifecycle-client.ts'

t.test('worklist: order, warnings, queues with counts, filters in the hash, keyboard, paging', async (t) => {
  const clock = new ManualClock('2026-03-02T02:00:00Z') // Monday 10:00 in Shanghai, no holiday near
  const harness = await startConsoleHarness(t, { clock })
  const client = lifecycleClient(harness.testApp)
  const dispatch = await harness.testApp.key('dispatch', 'ORG-A')
  const office = await harness.testApp.key('office')
  const fast = (district: string) => ({ excavationLengthMeters: 30, location: { district, roadName: 'Shuixian Avenue' } })
  const joint = (district: string) => ({ excavationLengthMeters: 80, location: { district, roadName: 'Jiuhu Road' } })

  const overdue = await client.submit(dispatch, fast('Longwen')) // accepted Mon, due Wed: overdue on Thursday
  const reviewed = await client.submit(dispatch, joint('Xiangcheng')) // accepted Mon, due in 8 working days
  const waiting = await client.submit(dispatch, fast('Xiangcheng')) // not accepted
  const paused = await client.submit(dispatch, joint('Longwen')) // supplement requested
  const red = await client.submit(dispatch, fast('Longwen')) // accepted Tue, due Thu: red on Thursday
  const yellow = await client.submit(dispatch, fast('Longwen')) // accepted Wed, due Fri: yellow on Thursday
  // Enough waiting cases for a second page (50 a page).
  for (let index = 0; index < 47; index++) await client.submit(dispatch, fast('Zhangpu'))
  await client.ok(office, overdue.id, { action: 'accept' })
  await client.ok(office, reviewed.id, { action: 'accept' })
  await client.ok(office, paused.id, { action: 'accept' })
  await client.ok(office, paused.id, { action: 'request_supplement', items: [{ item: '交通疏导方案' }] })
  clock.set('2026-03-03T02:00:00Z')
  await client.ok(office, red.id, { action: 'accept' })
  clock.set('2026-03-04T02:00:00Z')
  await client.ok(office, yellow.id, { action: 'accept' })
  clock.set('2026-03-05T02:00:00Z') // Thursday 10:00

  const page = await harness.newPage()
  await harness.signIn(page, office)
  await page.waitForSelector('[data-testid=worklist-table]')
  const rowIds = () => page.$$eval('[data-testid=worklist-table] tbody tr', (rows) => rows.map((row) => row.getAttribute('data-case-id')))
  const ids = await rowIds()
  t.same(ids.slice(0, 4), [overdue.id, red.id, yellow.id, reviewed.id], 'soonest deadline first')
  t.equal(ids.length, 50, 'a page of 50')
  const rowText = (id: string) => page.textContent(`tr[data-case-id="${id}"]`)
  t.match(await rowText(overdue.id), '已超期', 'overdue, in words')
  t.match(await rowText(overdue.id), '超期 1 天', 'one working day over')
  t.match(await rowText(red.id), '红色预警', 'red, in words')
  t.match(await rowText(yellow.id), '黄色预警', 'yellow, in words')
  t.match(await rowText(paused.id), '补正暂停计时', 'the paused case says so')
  t.match(await rowText(waiting.id), '受理后起算', 'a case not accepted yet has no deadline')
  const count = (queue: string) => page.textContent(`[data-queue=${queue}] .worklist-count`)
  t.equal(await count('all'), '53')
  t.equal(await count('awaiting_acceptance'), '48')
  t.equal(await count('supplement_pending'), '1')
  t.equal(await count('in_review'), '4')
  t.equal(await count('overdue'), '1')
  t.equal(await count('red'), '1')
  t.equal(await count('yellow'), '1')
  t.ok(await page.isVisible('[data-stage]'), 'the review stages are sub-queues with counts')
  await harness.screenshot(page, '11-worklist-warnings')

  // The keyboard: a queue button is reached and pressed without the mouse.
  await page.focus('[data-queue=red]')
  await page.keyboard.press('Enter')
  await page.waitForFunction(() => location.hash === '#/worklist?queue=red')
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=worklist-table] tbody tr').length === 1)
  t.same(await rowIds(), [red.id], 'the red queue')

  // Filters go into the hash; a link reproduces the view.
  await page.click('[data-queue=all]')
  await page.fill('#worklist-district', 'Xiangcheng')
  await page.press('#worklist-district', 'Enter')
  await page.waitForFunction(() => location.hash === '#/worklist?district=Xiangcheng')
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=worklist-table] tbody tr').length === 2)
  t.same(await rowIds(), [reviewed.id, waiting.id], 'the district filter')
  t.equal(await count('all'), '2', 'the counts follow the filter')
  const other = await harness.newPage()
  await harness.signIn(other, office)
  await other.goto(`${harness.baseUrl}/console/#/worklist?queue=overdue&route=fast_track`)
  await other.waitForFunction(() => document.querySelectorAll('[data-testid=worklist-table] tbody tr').length === 1)
  t.equal(await other.getAttribute('[data-testid=worklist-table] tbody tr', 'data-case-id'), overdue.id, 'a link reproduces the view')
  t.equal(await other.inputValue('#worklist-route'), 'fast_track', 'the filter form shows the filter of the link')

  // Paging with the cursor.
  await page.click('.worklist-filters button.secondary')
  await page.waitForFunction(() => location.hash === '#/worklist')
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=worklist-table] tbody tr').length === 50)
  await page.click('[data-testid=worklist-next]')
  await page.waitForFunction(() => location.hash.includes('cursor='))
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=worklist-table] tbody tr').length === 3)
  const second = await rowIds()
  t.notOk(
    second.some((id) => ids.includes(id)),
    'the second page repeats nothing of the first',
  )
  t.notOk(await page.isVisible('[data-testid=worklist-next]'), 'no page after the last')

  // The case number opens the case.
  await page.click('[data-testid=worklist-table] tbody tr a')
  await page.waitForSelector('[data-testid=case-status]')
  t.match(page.url(), /#\/cases\//)
  assertNoPageErrors(t, harness)
})
