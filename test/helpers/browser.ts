/**
 * Browser tests of the console (issue 12): the real app on a real port and a real database of the test's own,
 * driven by Playwright (playwright-core) in Debian's Chromium. Every page's uncaught errors and console errors
 * (a CSP violation is one) are collected and must be none at the end of the test; every request that is not to
 * the test's own loopback server is aborted, so no test can reach beyond 127.0.0.1.
 */
import { existsSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import type { Test } from 'tap'
import type { AppConfig } from '../../src/platform/config/config.ts'
import type { Clock } from '../../src/platform/clock.ts'
import { buildTestApp, type TestApp } from './test-app.ts'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
/** Screenshots of every screen, for people to look at (git-ignored). */
export const SCREENSHOT_DIR = path.resolve(import.meta.dirname, '../../test-results/screenshots')

/** The flags the machine needs (env/machines): no sandbox as root, and no background traffic to Google's hosts. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** A 1366×768 office screen (issue 12). */
const OFFICE_SCREEN = { width: 1366, height: 768 }

export interface ConsoleHarness {
  testApp: TestApp
  baseUrl: string
  browser: Browser
  /** A new browser context (its own sessionStorage) and page, with error capture; `locale` sets navigator.language. */
  newPage(options?: { locale?: string }): Promise<Page>
  /** Signs in through the form (input[name=apiKey]) and waits for the first screen. */
  signIn(page: Page, apiKey: string): Promise<void>
  /** A full-page PNG under test-results/screenshots/<name>.png. */
  screenshot(page: Page, name: string): Promise<void>
  /** Errors seen so far in any page (uncaught exceptions, console errors, failed requests to our server). */
  errors: string[]
}

export async function startConsoleHarness(t: Test, options: { clock?: Clock; config?: Partial<AppConfig> } = {}): Promise<ConsoleHarness> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not at ${CHROMIUM}: apt-get install -y chromium (.ci/run does)`)
  const testApp = await buildTestApp(t, options)
  await testApp.app.listen({ host: '127.0.0.1', port: 0 })
  const address = testApp.app.server.address()
  if (!address || typeof address === 'string') throw new Error('the app did not listen on a TCP port')
  const baseUrl = `http://127.0.0.1:${address.port}`
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true })
  const contexts: BrowserContext[] = []
  t.teardown(async () => {
    for (const context of contexts) await context.close().catch(() => {})
    await browser.close()
  })
  const errors: string[] = []
  mkdirSync(SCREENSHOT_DIR, { recursive: true })

  const harness: ConsoleHarness = {
    testApp,
    baseUrl,
    browser,
    errors,
    async newPage({ locale = 'zh-CN' } = {}) {
      const context = await browser.newContext({ viewport: OFFICE_SCREEN, locale, timezoneId: 'Asia/Shanghai', serviceWorkers: 'block' })
      contexts.push(context)
      // The page's clock is the app's injected clock, so "today" on screen is the server's today.
      await context.clock.setFixedTime(testApp.clock.now())
      await context.route('**/*', (route) => {
        const url = new URL(route.request().url())
        return url.origin === baseUrl || url.protocol === 'data:' || url.protocol === 'blob:' ? route.continue() : route.abort('blockedbyclient')
      })
      const page = await context.newPage()
      page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`))
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(`console.error: ${message.text()}`)
      })
      page.on('requestfailed', (request) => {
        const reason = request.failure()?.errorText ?? ''
        // ERR_ABORTED is the browser cancelling a request still in flight because the page navigated away (a reload,
        // a sign-out): no failure of ours. Any other failed request to our server is one.
        if (request.url().startsWith(baseUrl) && reason !== 'net::ERR_ABORTED') errors.push(`requestfailed: ${request.url()} ${reason}`)
      })
      return page
    },
    async signIn(page, apiKey) {
      await page.goto(`${baseUrl}/console/`)
      await page.fill('input[name=apiKey]', apiKey)
      await page.click('form button[type=submit]')
      await page.waitForSelector('header.top')
    },
    async screenshot(page, name) {
      await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true })
    },
  }
  return harness
}

/** The end of every browser test: no uncaught error, console error or failed request in any page. */
export function assertNoPageErrors(t: Test, harness: ConsoleHarness): void {
  t.same(harness.errors, [], 'no uncaught error, console error or failed request in the pages')
}
