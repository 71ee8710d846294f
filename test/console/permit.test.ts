/// <reference lib="dom" />
/**
 * The permit of an approved case prints on A4 (issue 12): every fact of the approval, the legal basis, and a QR
 * code of the public verification URL; the QR drawn is exactly what the qrcode package makes of that URL. A case
 * that is not approved shows a message instead.
 */
import t from 'tap'
import { permitQrDataUrl, permitVerificationUrl } from '../../console/src/permit-qr.ts'
import { assertNoPageErrors, startConsoleHarness } from '../helpers/browser.ts'
import { approval, lifecycleClient } from '../helpers/lifecycle-client.ts'

t.test('an approved case prints its permit with a QR code of the verification URL', async (t) => {
  const harness = await startConsoleHarness(t)
  const client = lifecycleClient(harness.testApp)
  const dispatch = await harness.testApp.key('dispatch')
  const office = await harness.testApp.key('office')
  const approved = await client.submit(dispatch, { works: { title: '10千伏水仙大街电缆接入工程' } })
  await client.ok(office, approved.id, { action: 'accept' })
  await client.ok(office, approved.id, { ...approval, conditions: ['恢复原路面', '夜间施工须设置警示灯'] })
  const pending = await client.submit(dispatch)

  const page = await harness.newPage()
  await harness.signIn(page, office)
  await page.goto(`${harness.baseUrl}/console/#/cases/${approved.id}/permit`)
  await page.waitForSelector('[data-testid=permit-qr]')
  const text = (await page.textContent('[data-testid=permit]')) ?? ''
  t.match(text, '城市道路挖掘许可证', 'the title')
  t.match(text, approved.number, 'the case number')
  t.match(text, approval.approvedPosition, 'the approved position')
  t.match(text, '2026-03-02 至 2026-03-10', 'the approved period')
  t.match(text, '长 30 米 × 宽 0.8 米', 'the approved area')
  t.match(text, '夜间施工须设置警示灯', 'the conditions')
  t.match(text, '10千伏水仙大街电缆接入工程', 'the works')
  t.match(text, '法律依据', 'the legal basis')
  t.ok(((await page.textContent('[data-testid=permit-authority]')) ?? '').trim().length > 0, 'the approving authority')

  const url = permitVerificationUrl(approved.number, harness.baseUrl)
  t.equal(url, `${harness.baseUrl}/v1/permits/${encodeURIComponent(approved.number)}/verification`)
  t.equal(await page.getAttribute('[data-testid=permit-qr]', 'data-url'), url, 'the QR code names the verification URL')
  t.match(await page.getAttribute('[data-testid=permit-qr]', 'alt'), url, 'and says it in its alt text')
  t.equal(await page.getAttribute('[data-testid=permit-qr]', 'src'), await permitQrDataUrl(url), 'what is drawn is the qrcode package’s code of that URL')
  t.ok(await page.$eval('[data-testid=permit-qr]', (img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0), 'the QR image renders')

  // Print: the navigation and the buttons are hidden, the permit stays.
  await page.emulateMedia({ media: 'print' })
  t.notOk(await page.isVisible('header.top'), 'no navigation in print')
  t.notOk(await page.isVisible('[data-testid=permit-print]'), 'no print button in print')
  t.ok(await page.isVisible('[data-testid=permit]'), 'the permit in print')
  await harness.screenshot(page, '60-permit')
  await page.emulateMedia({ media: 'screen' })
  await page.evaluate(() => {
    ;(window as unknown as { printed: number }).printed = 0
    window.print = () => {
      ;(window as unknown as { printed: number }).printed++
    }
  })
  await page.click('[data-testid=permit-print]')
  t.equal(await page.evaluate(() => (window as unknown as { printed: number }).printed), 1, 'the print button prints')

  await page.goto(`${harness.baseUrl}/console/#/cases/${pending.id}/permit`)
  await page.waitForSelector('[data-testid=permit-not-approved]')
  t.match(await page.textContent('[data-testid=permit-not-approved]'), '尚未准予许可', 'a case not approved has no permit')
  t.notOk(await page.$('[data-testid=permit-qr]'), 'and no QR code')
  assertNoPageErrors(t, harness)
})
