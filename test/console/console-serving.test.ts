import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import t from 'tap'
import type { Test } from 'tap'
import { buildApp } from '../../src/app.ts'
import { CONSOLE_DIST_DIR } from '../../src/console/console-paths.ts'
import { testConfig } from '../../src/platform/config/config.ts'
import { createTestDatabase } from '../helpers/test-app.ts'

const CSP =
  "default-src 'none';script-src 'self';style-src 'self';img-src 'self' data: blob:;connect-src 'self';font-src 'self';manifest-src 'self';base-uri 'none';form-action 'self';frame-ancestors 'none';object-src 'none'"
const INDEX = '<!doctype html><html lang="zh-CN"><head><script type="module" src="/console/assets/index-abc123.js"></script></head><body><div id="app"></div></body></html>'

/** A tiny fake of what Vite builds: index.html, a hashed asset, a top-level file. */
function fakeDist(t: Test, withIndex = true): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'gc-console-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  mkdirSync(path.join(dir, 'assets'))
  if (withIndex) writeFileSync(path.join(dir, 'index.html'), INDEX)
  writeFileSync(path.join(dir, 'assets', 'index-abc123.js'), 'console.log("hi")\n')
  writeFileSync(path.join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>')
  return dir
}

async function appWith(t: Test, consoleDistDir: string) {
  const { database } = await createTestDatabase(t)
  const app = await buildApp({ config: testConfig(), database, consoleDistDir })
  await app.ready()
  t.teardown(() => app.close())
  return app
}

t.test('the console path is console/dist under the project root', async (t) => {
  t.equal(CONSOLE_DIST_DIR, path.resolve(import.meta.dirname, '../../console/dist'))
})

t.test('serves the built console: index, hashed assets, fallback, headers, no API key', async (t) => {
  const app = await appWith(t, fakeDist(t))

  const index = await app.inject({ method: 'GET', url: '/console/' })
  t.equal(index.statusCode, 200)
  t.match(index.headers['content-type'], /^text\/html/)
  t.equal(index.body, INDEX)
  t.equal(index.headers['cache-control'], 'no-cache')
  t.equal(index.headers['content-security-policy'], CSP)
  t.equal(index.headers['x-content-type-options'], 'nosniff')
  t.equal(index.headers['referrer-policy'], 'no-referrer')
  t.equal(index.headers['x-frame-options'], 'DENY')

  const redirect = await app.inject({ method: 'GET', url: '/console?lang=en' })
  t.equal(redirect.statusCode, 301)
  t.equal(redirect.headers.location, '/console/?lang=en')

  const asset = await app.inject({ method: 'GET', url: '/console/assets/index-abc123.js' })
  t.equal(asset.statusCode, 200)
  t.match(asset.headers['content-type'], /javascript/)
  t.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable')
  t.equal(asset.headers['content-security-policy'], CSP)
  t.equal(asset.body, 'console.log("hi")\n')

  const favicon = await app.inject({ method: 'GET', url: '/console/favicon.svg' })
  t.equal(favicon.statusCode, 200)
  t.equal(favicon.headers['cache-control'], 'public, max-age=300')

  for (const url of ['/console/worklist', '/console/cases/123/timeline', '/console/index.html', '/console/assets/missing.js']) {
    const fallback = await app.inject({ method: 'GET', url })
    t.equal(fallback.statusCode, 200, url)
    t.equal(fallback.body, INDEX, `${url} answers index.html`)
    t.equal(fallback.headers['cache-control'], 'no-cache', url)
  }

  // Nothing outside the built console is ever sent.
  for (const url of ['/console/../package.json', '/console/%2e%2e/package.json', '/console/assets/..%2f..%2fpackage.json', '/console/%2e%2e%2fpackage.json']) {
    const escaped = await app.inject({ method: 'GET', url })
    t.notMatch(escaped.body, /green-channel-excavation/, url)
    t.ok([200, 404].includes(escaped.statusCode), `${url}: ${escaped.statusCode}`)
  }

  const head = await app.inject({ method: 'HEAD', url: '/console/' })
  t.equal(head.statusCode, 200)

  // The API keeps its own policy.
  const api = await app.inject({ method: 'GET', url: '/v1/worklist' })
  t.equal(api.statusCode, 401)
  t.match(api.headers['content-security-policy'], /^default-src 'none'/)
  t.notMatch(api.headers['content-security-policy'], /script-src/)
})

t.test('503 console_not_built when console/dist has no index.html', async (t) => {
  const app = await appWith(t, fakeDist(t, false))
  for (const url of ['/console/', '/console/worklist']) {
    const response = await app.inject({ method: 'GET', url })
    t.equal(response.statusCode, 503, url)
    t.match(response.headers['content-type'], /application\/problem\+json/)
    t.match(response.json(), { code: 'console_not_built', detail: /npm run build:console/ })
  }
  const missingDir = await appWith(t, path.join(tmpdir(), 'gc-console-does-not-exist'))
  t.equal((await missingDir.inject({ method: 'GET', url: '/console/' })).statusCode, 503)
})
