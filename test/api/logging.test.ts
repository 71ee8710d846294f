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
  const forRequest = records.filter((r) => r.requestId === 'trace-123')
  t.ok(
    forRequest.some((r) => r.msg === 'case submitted'),
    'the domain log line carries the request ID',
  )
  t.ok(forRequest.some((r) => r.msg === 'incoming request'))
  t.ok(records.every((r) => r.msg === undefined || typeof r.level === 'number'))
  t.notMatch(lines.join('\n'), key, 'the API key never appears in the logs')
  t.notMatch(lines.join('\n'), key.slice(13), 'not even its secret part')
})
