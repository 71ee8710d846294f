/// <reference lib="dom" />
/**
 * The map shows the works of a period over the road register (issue 12): drawn by ECharts from the API's GeoJSON
 * (no tile server: every request stays on the test server), clashing works flagged, each works linked to its case.
 */
import t from 'tap'
import { assertNoPageErrors, startConsoleHarness } from '../helpers/browser.ts'
import { lifecycleClient } from '../helpers/lifecycle-client.ts'
import { bearer } from '../helpers/test-app.ts'
import { eastLine, jianyuan, shuixian, worksAlongShuixian } from '../helpers/zhangzhou-roads.ts'

t.test('the map shows the works of the period over the roads, clashes flagged', async (t) => {
  const harness = await startConsoleHarness(t)
  const { app } = harness.testApp
  const client = lifecycleClient(harness.testApp)
  const office = await harness.testApp.key('office')
  for (const road of [shuixian, jianyuan]) {
    const response = await app.inject({ method: 'PUT', url: `/v1/roads/${road.code}`, headers: bearer(office), payload: road.body })
    t.equal(response.statusCode, 201, `road ${road.code}`)
  }
  const dispatch = await harness.testApp.key('dispatch')
  const location = (geometry: unknown, roadName: string) => ({ location: { district: 'Xiangcheng', roadName, geometry } })
  const first = await client.submit(dispatch, location(eastLine(117.652, 24.53002, 40), '建元路'))
  const second = await client.submit(dispatch, location(eastLine(117.6522, 24.53002, 40), '建元路'))
  const third = await client.submit(dispatch, { ...location(worksAlongShuixian(30), '水仙大街'), plannedStartDate: '2026-04-01', plannedEndDate: '2026-04-03' })
  const feed = await app.inject({ method: 'GET', url: '/v1/works?bbox=117.55,24.40,117.75,24.60&from=2026-02-12&to=2026-05-13', headers: bearer(office) })
  const features = feed.json().features as { properties: { caseId: string; clash: boolean } }[]
  t.equal(features.length, 3, 'the API has three works in the period')

  const page = await harness.newPage()
  await harness.signIn(page, office)
  await page.goto(`${harness.baseUrl}/console/#/map`)
  await page.waitForSelector('.works-map canvas')
  await page.waitForSelector('[data-testid=map-works]')
  t.equal(await page.getAttribute('.works-map', 'data-works'), '3', 'the map draws the three works')
  t.equal(await page.getAttribute('.works-map', 'data-roads'), '2', 'over the two register roads')
  t.equal(await page.$$eval('[data-testid=map-works] tbody tr', (rows) => rows.length), 3, 'and lists them')
  for (const c of [first, second, third]) t.ok(await page.$(`[data-testid=map-works] a[href="#/cases/${c.id}"]`), `${c.number} links to its case`)
  const clashing = features.filter((f) => f.properties.clash).length
  t.equal(await page.$$eval('[data-testid=map-works] tr.clash', (rows) => rows.length), clashing, 'clashes flagged as the API has them')
  t.ok(clashing >= 2, 'the two overlapping works clash')
  t.match(await page.textContent('.map-screen'), '施工地图')
  t.equal(await page.getAttribute('.works-map', 'data-protected-roads'), '1', 'Shuixian Avenue (rebuilt 2021) is protected, Jianyuan Road is not')
  await page.waitForTimeout(300)
  const drawn = await page.$eval('.works-map canvas', (canvas) => {
    const c = canvas as HTMLCanvasElement
    const pixels = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? []
    let coloured = 0
    for (let i = 0; i < pixels.length; i += 4) if ((pixels[i + 3] as number) > 0 && !(pixels[i] === pixels[i + 1] && pixels[i + 1] === pixels[i + 2])) coloured++
    return coloured
  })
  t.ok(drawn > 200, 'coloured lines drawn on the canvas')

  // The tooltip of a clashing works names its case and links to it: hover over a pixel of the clash colour.
  const spot = await page.$eval('.works-map canvas', (canvas) => {
    const c = canvas as HTMLCanvasElement
    const pixels = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? []
    const ratio = c.width / c.getBoundingClientRect().width
    // Below the legend (its top 48 CSS pixels).
    for (let i = Math.round(48 * ratio) * c.width * 4; i < pixels.length; i += 4)
      if (Math.abs((pixels[i] as number) - 0xc5) < 8 && Math.abs((pixels[i + 1] as number) - 0x30) < 8 && Math.abs((pixels[i + 2] as number) - 0x30) < 8) {
        const index = i / 4
        return { x: (index % c.width) / ratio, y: Math.floor(index / c.width) / ratio }
      }
    return null
  })
  t.ok(spot, 'a clashing works is drawn in red')
  if (spot) {
    const box = await page.locator('.works-map canvas').first().boundingBox()
    await page.mouse.move((box?.x ?? 0) + spot.x + 1, (box?.y ?? 0) + spot.y + 1)
    await page.waitForTimeout(500)
    await page.waitForSelector('.works-map-tooltip a[href^="#/cases/"]', { state: 'visible', timeout: 3000 })
    const link = await page.getAttribute('.works-map-tooltip a', 'href')
    t.ok(
      [first.id, second.id].some((id) => link === `#/cases/${id}`),
      'the tooltip links to the clashing case',
    )
    t.match(await page.textContent('.works-map-tooltip'), '冲突', 'and says it clashes')
  }

  // A shorter period leaves out the works of April.
  await page.fill('input[name=to]', '2026-03-31')
  await page.dispatchEvent('input[name=to]', 'change')
  await page.waitForFunction(() => document.querySelector('.works-map')?.getAttribute('data-works') === '2')
  t.pass('the period filters the works')
  await page.fill('input[name=to]', '2026-05-13')
  await page.dispatchEvent('input[name=to]', 'change')
  await page.waitForFunction(() => document.querySelector('.works-map')?.getAttribute('data-works') === '3')
  await page.waitForTimeout(300)
  await harness.screenshot(page, '50-map')
  assertNoPageErrors(t, harness)
})
