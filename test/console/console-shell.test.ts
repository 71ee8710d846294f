/// <reference lib="dom" />
import t from 'tap'
import { assertNoPageErrors, startConsoleHarness } from '../helpers/browser.ts'

t.test('sign-in with an API key, Chinese first, the language switch, sign-out', async (t) => {
  const harness = await startConsoleHarness(t)
  const office = await harness.testApp.key('office')
  const page = await harness.newPage()
  await page.goto(`${harness.baseUrl}/console/`)
  t.equal(await page.getAttribute('html', 'lang'), 'zh-CN', 'the console starts in Chinese')
  t.match(await page.textContent('h2#sign-in-title'), '登录')
  await harness.screenshot(page, '00-sign-in')

  // A wrong key is refused with the API's problem, and nothing is kept.
  await page.fill('input[name=apiKey]', 'gck_wrong')
  await page.click('form button[type=submit]')
  await page.waitForSelector('.problem')
  t.equal(await page.evaluate(() => sessionStorage.getItem('gc.apiKey')), null, 'a refused key is not kept')
  harness.errors.length = 0 // the 401 of the refused key is expected in the console's network log

  await harness.signIn(page, office)
  t.notOk(page.url().includes(office), 'the key never appears in the URL')
  t.equal(await page.evaluate(() => sessionStorage.getItem('gc.apiKey')), office, 'kept in sessionStorage')
  t.equal(await page.evaluate(() => localStorage.getItem('gc.apiKey')), null, 'not in localStorage')
  t.match(await page.textContent('header.top nav'), '待办', 'the office sees the worklist in the navigation')

  await page.click('[data-testid=language-switch]')
  await page.waitForFunction(() => document.documentElement.lang === 'en')
  t.match(await page.textContent('header.top nav'), 'Worklist', 'English after the switch')
  await page.reload()
  await page.waitForSelector('header.top')
  t.match(await page.textContent('header.top nav'), 'Worklist', 'the choice is remembered and the session survives a reload')

  await page.click('header.top .who button')
  await page.waitForSelector('input[name=apiKey]')
  t.equal(await page.evaluate(() => sessionStorage.getItem('gc.apiKey')), null, 'signing out forgets the key')
  assertNoPageErrors(t, harness)
})
