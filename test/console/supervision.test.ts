/// <reference lib="dom" />
/**
 * An auditor reads the SLA charts and downloads the CSVs (issue 12): the charts are drawn (canvases that are not
 * blank), the downloaded report is the API's CSV (header line, one row per group plus the totals), and the audit
 * chain's status shows the latest signed checkpoint and a verification that passes.
 */
import { readFileSync } from 'node:fs'
import t from 'tap'
import type { Page } from 'playwright-core'
import { assertNoPageErrors, startConsoleHarness } from '../helpers/browser.ts'
import { approval, lifecycleClient } from '../helpers/lifecycle-client.ts'
import { bearer } from '../helpers/test-app.ts'
import { ManualClock } from '../../src/platform/clock.ts'

const DAY = 24 * 60 * 60 * 1000

/** Canvases of the charts on the page that have at least one pixel that is not blank. */
async function drawnCharts(page: Page): Promise<number> {
  return await page.$$eval(
    '.chart canvas',
    (canvases) =>
      canvases.filter((canvas) => {
        const c = canvas as HTMLCanvasElement
        const context = c.getContext('2d')
        if (!context || c.width === 0 || c.height === 0) return false
        const pixels = context.getImageData(0, 0, c.width, c.height).data
        for (let i = 3; i < pixels.length; i += 4) if ((pixels[i] as number) > 0) return true
        return false
      }).length,
  )
}

t.test('an auditor reads the SLA charts, downloads the CSV and sees the audit status', async (t) => {
  // Monday 2 March 2026: two fast-track cases accepted; one approved the next day, one three working days later (late).
  const clock = new ManualClock('2026-03-02T02:00:00Z')
  const harness = await startConsoleHarness(t, { clock })
  const { app } = harness.testApp
  const client = lifecycleClient(harness.testApp)
  const dispatch = await harness.testApp.key('dispatch')
  const office = await harness.testApp.key('office')
  const auditor = await harness.testApp.key('auditor')
  const cases = []
  for (const length of [30, 40]) {
    const submitted = await client.submit(dispatch, { excavationLengthMeters: length })
    await client.ok(office, submitted.id, { action: 'accept' })
    cases.push({ id: submitted.id, length })
  }
  const approve = (c: { id: string; length: number }) => client.ok(office, c.id, { ...approval, approvedArea: { lengthMeters: c.length, widthMeters: 0.8 } })
  clock.advanceMs(DAY)
  await approve(cases[0] as { id: string; length: number })
  clock.advanceMs(2 * DAY)
  await approve(cases[1] as { id: string; length: number })
  const checkpoint = await app.inject({ method: 'POST', url: '/v1/audit/checkpoints', headers: bearer(await harness.testApp.key('admin')) })
  t.equal(checkpoint.statusCode, 201, 'a signed checkpoint')

  const page = await harness.newPage()
  await harness.signIn(page, auditor)
  await page.goto(`${harness.baseUrl}/console/#/supervision`)
  await page.waitForSelector('[data-testid=sla-totals]')
  t.match(await page.textContent('[data-testid=sla-totals]'), '按时办结率', 'the on-time rate')
  t.match(await page.textContent('[data-testid=sla-totals]'), '50%', 'one of two on time')
  await page.waitForFunction(() => document.querySelectorAll('.chart canvas').length >= 3)
  await page.waitForTimeout(300)
  t.ok((await drawnCharts(page)) >= 3, 'three charts drawn, none blank')
  for (const label of ['统计起始日期', '统计截止日期', '分组方式']) t.ok(await page.$(`label:text-is("${label}")`), `labelled ${label}`)
  t.match(await page.textContent('[data-testid=sla-table]'), '免联合会审', 'the route group, named')

  // The CSV download is the API's report.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download-sla]')])
  const file = await download.path()
  const csv = readFileSync(file, 'utf8')
  const today = '2026-03-05'
  const api = await app.inject({
    method: 'GET',
    url: `/v1/reports/sla?from=2026-01-01&to=${today}&groupBy=route`,
    headers: { ...bearer(auditor), accept: 'text/csv', 'accept-language': 'zh-CN' },
  })
  const report = (await app.inject({ method: 'GET', url: `/v1/reports/sla?from=2026-01-01&to=${today}&groupBy=route`, headers: bearer(auditor) })).json()
  const lines = csv.trim().split(/\r?\n/)
  t.equal(lines[0], api.body.split(/\r?\n/)[0], 'the header line of the API')
  // After the groups and the totals come the supervision and coded-reason rows (row_type, the third column).
  const figureRows = lines.slice(1).filter((line) => ['group', 'total'].includes(line.split(',')[2] ?? ''))
  t.equal(figureRows.length, report.groups.length + 1, 'one row per group and the totals')
  t.ok(
    lines.slice(1).some((line) => line.split(',')[2] === 'supervision'),
    'and the supervision figures',
  )
  t.equal(csv, api.body, 'the very CSV of the API')
  t.match(download.suggestedFilename(), /\.csv$/, 'saved as .csv')

  const [timelines] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download-timelines]')])
  const timelineCsv = readFileSync(await timelines.path(), 'utf8')
  t.ok(timelineCsv.trim().split(/\r?\n/).length > 2, 'the timelines CSV has rows')
  t.notOk(timelines.url().includes(auditor), 'the key is never in a URL')

  // The audit chain.
  await page.waitForSelector('[data-testid=audit-checkpoint]')
  t.match(await page.textContent('[data-testid=audit-checkpoint]'), JSON.parse(checkpoint.body).merkleRoot, 'the latest checkpoint and its root')
  await page.click('[data-testid=audit-verify]')
  await page.waitForSelector('[data-testid=audit-result]')
  t.equal(await page.getAttribute('[data-testid=audit-result]', 'data-valid'), 'true', 'the history verifies')
  t.match(await page.textContent('[data-testid=audit-checkpoint]'), '签名有效', 'the signature is valid')

  await page.selectOption('select[name=groupBy]', 'month')
  await page.waitForFunction(() => document.querySelector('[data-testid=sla-table]')?.textContent?.includes('2026-03'))
  t.pass('grouped by month')
  await page.selectOption('select[name=groupBy]', 'route')
  await page.waitForFunction(() => document.querySelector('[data-testid=sla-table]')?.textContent?.includes('免联合会审'))
  await page.waitForTimeout(300)
  await harness.screenshot(page, '40-supervision')
  await page.click('[data-testid=language-switch]')
  await page.waitForFunction(() => document.querySelector('[data-testid=sla-totals]')?.textContent?.includes('On-time rate'))
  t.match(await page.textContent('[data-testid=sla-table]'), 'Fast track', 'the screen in English after the switch')
  assertNoPageErrors(t, harness)
})

t.test('a dispatcher has no supervision screen', async (t) => {
  const harness = await startConsoleHarness(t)
  const page = await harness.newPage()
  await harness.signIn(page, await harness.testApp.key('dispatch'))
  t.notMatch(await page.textContent('header.top nav'), '监管与审计', 'not in the navigation')
  await page.goto(`${harness.baseUrl}/console/#/supervision`)
  await page.waitForSelector('main [role=alert]')
  t.match(await page.textContent('main'), '无权', 'and refused when opened')
  assertNoPageErrors(t, harness)
})
