import t from 'tap'
import { buildApp } from '../../src/app.ts'
import { testConfig } from '../../src/platform/config/config.ts'
import { createDatabase } from '../../src/platform/database/database.ts'
import { bearer, buildTestApp } from '../helpers/test-app.ts'

t.test('health: live answers without I/O, ready checks the database, both public', async (t) => {
  const { app } = await buildTestApp(t)
  const live = await app.inject({ method: 'GET', url: '/health/live' })
  t.equal(live.statusCode, 200)
  t.same(live.json(), { status: 'ok' })
  t.match(live.headers['request-id'], /.+/)

  const ready = await app.inject({ method: 'GET', url: '/health/ready' })
  t.equal(ready.statusCode, 200)
  t.same(ready.json(), { status: 'ok', checks: { database: 'ok' } })
})

t.test('an unreachable database: ready is 503, API calls fail fast with 503 problem+json and Retry-After', async (t) => {
  // Port 1 on loopback refuses connections at once.
  const database = createDatabase({ connectionString: 'postgres://postgres@127.0.0.1:1/none', connectionTimeoutMs: 500 })
  const app = await buildApp({ config: testConfig(), database, closeDatabaseOnShutdown: true })
  t.teardown(() => app.close())

  const live = await app.inject({ method: 'GET', url: '/health/live' })
  t.equal(live.statusCode, 200, 'liveness does not depend on the database')

  const ready = await app.inject({ method: 'GET', url: '/health/ready' })
  t.equal(ready.statusCode, 503)
  t.equal(ready.json().checks.database, 'unreachable')

  const started = Date.now()
  const call = await app.inject({ method: 'GET', url: '/v1/cases', headers: bearer(`gck_abcdefgh_${'x'.repeat(43)}`) })
  t.equal(call.statusCode, 503)
  t.match(call.headers['content-type'], /^application\/problem\+json/)
  t.equal(call.headers['retry-after'], '2')
  t.equal(call.json().code, 'database_unavailable')
  t.ok(Date.now() - started < 3000, 'fails fast instead of hanging')
})

t.test("the request id is always the server's own; a caller's request-id is not taken over", async (t) => {
  const { app } = await buildTestApp(t)
  // A caller's id is kept as clientRequestId (logs, events: test/api/logging.test.ts, test/api/http-edges.test.ts),
  // never as the request id: that one is sealed into the audit chain.
  const kept = await app.inject({ method: 'GET', url: '/health/live', headers: { 'request-id': 'dispatch-42.abc' } })
  t.match(kept.headers['request-id'], /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
  const replaced = await app.inject({ method: 'GET', url: '/nope', headers: { 'request-id': 'bad id with spaces' } })
  t.not(replaced.headers['request-id'], 'bad id with spaces')
  t.equal(replaced.json().requestId, replaced.headers['request-id'], 'the problem body carries the same request ID')
})
