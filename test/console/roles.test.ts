/// <reference lib="dom" />
/**
 * What each role sees (issue 12): an auditor opens a case and sees the history and its verification but no action
 * form; a dispatch key has no worklist in the navigation; the language switch on the case screen shows English.
 */
import t from 'tap'
import { assertNoPageErrors, startConsoleHarness } from '../helpers/browser.ts'
import { lifecycleClient } from '../helpers/lifecycle-client.ts'

t.test('an auditor sees no action form; the case screen in English', async (t) => {
  const harness = await startConsoleHarness(t)
  const client = lifecycleClient(harness.testApp)
  const dispatch = await harness.testApp.key('dispatch', 'ORG-A')
  const office = await harness.testApp.key('office')
  const auditor = await harness.testApp.key('auditor')
  const submitted = await client.submit(dispatch, { excavationLengthMeters: 80 })
  await client.ok(office, submitted.id, { action: 'accept' })

  const page = await harness.newPage()
  await harness.signIn(page, auditor)
  t.notMatch(await page.textContent('header.top nav'), '待办', 'no worklist for an auditor')
  await page.goto(`${harness.baseUrl}/console/#/cases/${submitted.id}`)
  await page.waitForSelector('[data-testid=case-status][data-status=accepted]')
  await page.waitForSelector('[data-testid=case-verify][data-valid=true]')
  t.equal(await page.locator('[data-testid=case-actions]').count(), 0, 'no action panel')
  t.equal(await page.locator('form.case-action').count(), 0, 'no action form at all')
  await harness.screenshot(page, '40-case-auditor')

  await page.click('[data-testid=language-switch]')
  await page.waitForFunction(() => document.documentElement.lang === 'en')
  await page.waitForSelector('text=Route and legal basis')
  t.match(await page.textContent('#case-facts-title'), 'Application', 'English labels after the switch')
  t.match(await page.textContent('[data-testid=case-summary]'), 'Working days remaining')
  await page.waitForSelector('[data-testid=deadline-overall]')
  t.match(await page.textContent('[data-testid=deadline-overall]'), 'Make-up workdays counted')
  // The API's own texts follow the switch too: the case is read again in English (Accept-Language).
  await page.waitForFunction(() => /joint_review applies/.test(document.querySelector('[data-testid=case-decision]')?.textContent ?? ''))
  t.notMatch(await page.textContent('[data-testid=case-decision]'), '适用联合会审', 'no Chinese explanation left on the English screen')
  await harness.screenshot(page, '41-case-english')
  assertNoPageErrors(t, harness)
})

t.test('a dispatch key has no worklist in the navigation and cannot open it', async (t) => {
  const harness = await startConsoleHarness(t)
  const dispatch = await harness.testApp.key('dispatch', 'ORG-A')
  const page = await harness.newPage()
  await harness.signIn(page, dispatch)
  t.notMatch(await page.textContent('header.top nav'), '待办', 'no worklist in the navigation')
  t.notOk(page.url().endsWith('#/worklist'), 'the first screen is not the worklist')
  await page.goto(`${harness.baseUrl}/console/#/worklist`)
  await page.waitForSelector('main#main [role=alert]')
  t.match(await page.textContent('main#main'), '无权', 'the worklist is refused')
  assertNoPageErrors(t, harness)
})
