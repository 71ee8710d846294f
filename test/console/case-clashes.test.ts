/// <reference lib="dom" />
/** The case screen lists the clashes of its works with other open works (issue 12), each linking to the other case. */
import t from 'tap'
import { assertNoPageErrors, startConsoleHarness } from '../helpers/browser.ts'
import { lifecycleClient } from '../helpers/lifecycle-client.ts'

t.test('clashes with other works are listed on the case, linking to the other case', async (t) => {
  const harness = await startConsoleHarness(t)
  const client = lifecycleClient(harness.testApp)
  const dispatch = await harness.testApp.key('dispatch', 'ORG-A')
  const office = await harness.testApp.key('office')
  const geometry = {
    type: 'LineString',
    coordinates: [
      [117.647, 24.513],
      [117.6475, 24.513],
    ],
  }
  const first = await client.submit(dispatch, { excavationLengthMeters: 50, location: { district: 'Longwen', roadName: 'Shuixian Avenue', geometry } })
  const second = await client.submit(dispatch, { excavationLengthMeters: 50, location: { district: 'Longwen', roadName: 'Shuixian Avenue', geometry } })
  t.equal((await client.read(office, second.id)).coordination.clashes.length, 1, 'the API records the clash')

  const page = await harness.newPage()
  await harness.signIn(page, office)
  await page.goto(`${harness.baseUrl}/console/#/cases/${second.id}`)
  await page.waitForSelector('[data-testid=case-clashes] .case-clash-list')
  const text = await page.textContent('[data-testid=case-clashes]')
  t.match(text, first.number, 'the other case is named')
  t.match(text, '待协调', 'its coordination status')
  // The small map: both works drawn by the map screen's works map.
  await page.waitForSelector('[data-testid=case-map] canvas')
  await harness.screenshot(page, '23-case-clashes')
  await page.click(`[data-testid=case-clashes] a`)
  await page.waitForFunction((id) => document.querySelector('.case-screen')?.getAttribute('data-case-id') === id, first.id)
  t.match(await page.textContent('[data-testid=case-clashes]'), second.number, 'and the other way round')
  assertNoPageErrors(t, harness)
})
