/// <reference lib="dom" />
/**
 * The office's flow in the browser (issue 12): a dispatch key submits a joint-review case through the API; the office
 * user opens the worklist, opens the case, accepts it, requests a supplement (dispatch answers through the API),
 * and approves it with the approval form; the status is checked on screen and through the API after each step.
 */
import path from 'node:path'
import t from 'tap'
import type { ManualClock } from '../../src/platform/clock.ts'
import { assertNoPageErrors, SCREENSHOT_DIR, startConsoleHarness } from '../helpers/browser.ts'
import { lifecycleClient } from '../helpers/lifecycle-client.ts'

t.test('office: worklist → case → accept → supplement → approve', async (t) => {
  const harness = await startConsoleHarness(t)
  const client = lifecycleClient(harness.testApp)
  const dispatch = await harness.testApp.key('dispatch', 'ORG-A')
  const office = await harness.testApp.key('office')
  const submitted = await client.submit(dispatch, {
    excavationLengthMeters: 80,
    works: { title: '10 kV cable to the Jinfeng industrial park' },
    location: { district: 'Longwen', roadName: 'Shuixian Avenue', description: 'north side' },
    plannedStartDate: '2026-03-02',
    plannedEndDate: '2026-03-10',
  })
  t.equal(submitted.route, 'joint_review')
  const page = await harness.newPage()
  await harness.signIn(page, office)

  const statusOf = async () => (await client.read(office, submitted.id)).status
  const waitForStatus = (status: string) => page.waitForSelector(`[data-testid=case-status][data-status=${status}]`)

  // The worklist is the first screen: the case is there, with its queue's count.
  await page.waitForSelector('[data-testid=worklist-table]')
  t.match(page.url(), /#\/worklist$/, 'the worklist is the first screen after sign-in')
  t.match(await page.textContent('header.top nav'), '待办', 'the worklist is in the navigation')
  t.match(await page.textContent('[data-queue=awaiting_acceptance] .worklist-count'), '1', 'one case awaits acceptance')
  t.match(await page.textContent(`tr[data-case-id="${submitted.id}"]`), submitted.number)
  await harness.screenshot(page, '10-worklist')
  // A queue is kept in the hash: the red queue has nothing yet.
  await page.click('[data-queue=red]')
  await page.waitForFunction(() => location.hash === '#/worklist?queue=red')
  await page.waitForSelector('.worklist-empty')
  await page.goBack()
  await page.waitForSelector(`tr[data-case-id="${submitted.id}"] a`)
  await page.click(`tr[data-case-id="${submitted.id}"] a`)
  await waitForStatus('submitted')
  await page.waitForSelector('[data-testid=case-actions]')
  t.match(await page.textContent('[data-testid=case-decision]'), '联合会审', 'the route in Chinese')
  // The legal basis is one click away.
  await page.click('.case-basis summary')
  t.ok(await page.isVisible('.case-basis blockquote'), 'the basis text opens')
  await harness.screenshot(page, '20-case')

  // Accept.
  await page.click('[data-choose=accept]')
  await page.click('form[data-action=accept] button[type=submit]')
  await waitForStatus('accepted')
  t.equal(await statusOf(), 'accepted', 'accepted, through the API too')
  await page.waitForSelector('[data-testid=case-timeline] canvas')
  await page.waitForSelector('[data-testid=deadline-overall]')
  t.match(await page.textContent('[data-testid=deadline-overall]'), '春节', 'the Spring Festival is named among the skipped days')
  t.match(await page.textContent('[data-testid=deadline-overall]'), '调休上班日', 'the make-up workday is counted')

  // Request a supplement: a code of the rule set's list and a free-text item.
  await page.click('[data-choose=request_supplement]')
  const form = 'form[data-action=request_supplement]'
  await page.check(`${form} input[name=itemCodes] >> nth=0`)
  await page.fill(`${form} textarea[name=items]`, '交通疏导方案')
  await page.click(`${form} button[type=submit]`)
  await waitForStatus('supplement_requested')
  t.equal(await statusOf(), 'supplement_requested')
  t.match(await page.textContent('[data-testid=case-summary]'), '补正期间计时暂停')

  // Two weeks later (over the Spring Festival) the applicant answers through the API; the office reloads the page.
  const clock = harness.testApp.clock as ManualClock
  clock.set('2026-02-26T02:00:00Z')
  await page.context().clock.setFixedTime(clock.now())
  await client.ok(dispatch, submitted.id, { action: 'submit_supplement', documents: ['diversion-plan.pdf'] })
  await page.reload()
  await waitForStatus('accepted')

  // The review stages through the API, then the approval with the form.
  await client.ok(office, submitted.id, { action: 'record_opinion', department: '交警支队', opinion: 'agree' })
  await client.ok(office, submitted.id, { action: 'complete_stage', stage: 'joint_survey' })
  await client.ok(office, submitted.id, { action: 'complete_stage', stage: 'consultation' })
  await page.reload()
  await page.waitForSelector('[data-choose=approve]')
  await page.waitForSelector('[data-testid=case-timeline] canvas')
  await harness.screenshot(page, '21-case-deadlines')
  await page.locator('[data-testid=case-timeline]').screenshot({ path: path.join(SCREENSHOT_DIR, '21-case-timeline.png') })
  await page.click('[data-choose=approve]')
  const approve = 'form[data-action=approve]'
  t.equal(await page.inputValue(`${approve} input[name=periodFrom]`), '2026-03-02', 'the approval form starts with the period applied for')
  await page.fill(`${approve} textarea[name=conditions]`, '恢复原路面\n夜间施工须设置警示灯')
  await page.fill(`${approve} input[name=reference]`, '漳绿通〔2026〕1号')
  // A field the API refuses is shown next to the field.
  await page.fill(`${approve} input[name=approvedPosition]`, '')
  await page.click(`${approve} button[type=submit]`)
  await page.waitForSelector(`${approve} .case-issue`)
  harness.errors.length = 0 // the 400 of the refused approval is expected in the console's network log
  await page.fill(`${approve} input[name=approvedPosition]`, '水仙大街北侧')
  await page.click(`${approve} button[type=submit]`)
  await waitForStatus('approved')
  const approved = await client.read(office, submitted.id)
  t.equal(approved.status, 'approved')
  t.same(approved.decision.conditions, ['恢复原路面', '夜间施工须设置警示灯'])
  t.equal(approved.decision.approvedPosition, '水仙大街北侧')
  await page.waitForSelector('[data-testid=case-outcome]')
  await page.waitForSelector('[data-testid=case-verify][data-valid=true]')
  await harness.screenshot(page, '22-case-approved')
  assertNoPageErrors(t, harness)
})
