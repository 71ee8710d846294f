import t from 'tap'
import { buildApp } from '../../src/app.ts'
import { testConfig } from '../../src/platform/config/config.ts'
import { bearer, caseBody, createTestDatabase } from '../helpers/test-app.ts'
import { createApiKey } from '../../src/api-keys/api-key.service.ts'
import { ManualClock } from '../../src/platform/clock.ts'

t.test('logs are JSON lines carrying the request ID and never the API key', async (t) => {
  const { database } = await createTestDatabase(t)
  const lines: string[] = []
  const app = await buildApp({
    config: testConfig({ LOG_LEVEL: 'info' }),
    database,
    clock: new ManualClock('2026-02-12T02:00:00Z'),
    logStream: { write: (line: string) => void lines.push(line) },
  })
  t.teardown(() => app.close())
  const { key } = await createApiKey(database.db, { role: 'dispatch', organizationCode: 'ORG-A' })

  const created = await app.inject({ method: 'POST', url: '/v1/cases', headers: { ...bearer(key), 'request-id': 'trace-123' }, payload: caseBody() })
  t.equal(created.statusCode, 201)
  const refused = await app.inject({ method: 'POST', url: '/v1/cases', headers: bearer(key), payload: { nope: true } })
  t.equal(refused.statusCode, 400)

  const records = lines.map((line) => JSON.parse(line))
  t.ok(records.length >= 4)
  // The request id is the server's own (a UUID, sealed into the audit chain); the caller's is kept beside it.
  t.match(created.headers['request-id'], /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  t.not(created.headers['request-id'], 'trace-123', "a caller's request-id is not taken as the server's")
  const forRequest = records.filter((r) => r.requestId === created.headers['request-id'])
  t.ok(
    forRequest.some((r) => r.msg === 'case submitted'),
    'the domain log line carries the request ID',
  )
  t.ok(forRequest.some((r) => r.msg === 'incoming request'))
  t.ok(
    forRequest.every((r) => r.clientRequestId === 'trace-123'),
    "every line of the request carries the caller's id as clientRequestId",
  )
  t.notOk(
    records.some((r) => r.requestId === 'trace-123'),
    "the caller's id is never logged as the request id",
  )
  t.ok(records.every((r) => r.msg === undefined || typeof r.level === 'number'))
  t.notMatch(lines.join('\n'), key, 'the API key never appears in the logs')
  t.notMatch(lines.join('\n'), key.slice(13), 'not even its secret part')
})
