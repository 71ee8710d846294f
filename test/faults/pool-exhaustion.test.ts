/**
 * A write never holds one pool connection while it waits for another. With a pool of two connections and the
 * rule-set and calendar caches gone stale (the injected clock moved past their refresh), more concurrent writes
 * than connections must all succeed: had a transaction read a cache through the pool, every connection would be
 * held by a transaction waiting for a connection, and each request would end in the pool's connect timeout (503).
 */
import t from 'tap'
import { createApiKey } from '../../src/api-keys/api-key.service.ts'
import { buildApp } from '../../src/app.ts'
import { testConfig } from '../../src/platform/config/config.ts'
import { createDatabase } from '../../src/platform/database/database.ts'
import { ManualClock } from '../../src/platform/clock.ts'
import { HOUR_MS } from '../../src/core/time.ts'
import { bearer, caseBody, createTestDatabase } from '../helpers/test-app.ts'

t.test('concurrent intakes and transitions on a pool of two, with every cache stale', async (t) => {
  const { connectionString } = await createTestDatabase(t)
  // The connect timeout is the pool's own bound, not a test margin: a deadlock shows as pool timeouts.
  const database = createDatabase({ connectionString, poolMax: 2, connectionTimeoutMs: 5_000 })
  t.teardown(() => database.close())
  const clock = new ManualClock('2026-02-12T02:00:00Z')
  const app = await buildApp({ config: testConfig(), database, clock })
  await app.ready()
  t.teardown(() => app.close())
  const dispatch = (await createApiKey(database.db, { role: 'dispatch', organizationCode: 'ORG-A' })).key
  const office = (await createApiKey(database.db, { role: 'office' })).key

  const submitAll = async (round: string) => {
    clock.advanceMs(HOUR_MS) // past every cache's refresh interval: the next reads go to the database
    return await Promise.all(
      Array.from({ length: 12 }, (_, i) => app.inject({ method: 'POST', url: '/v1/cases', headers: bearer(dispatch), payload: caseBody({ externalReference: `${round}-${i}` }) })),
    )
  }
  const submitted = await submitAll('first')
  t.same(
    submitted.map((r) => r.statusCode),
    Array(12).fill(201),
    'every intake succeeded',
  )

  clock.advanceMs(HOUR_MS)
  const accepted = await Promise.all(
    submitted.map((r) =>
      app.inject({ method: 'POST', url: `/v1/cases/${r.json().id}/transitions`, headers: { ...bearer(office), 'if-match': '"1"' }, payload: { action: 'accept' } }),
    ),
  )
  t.same(
    accepted.map((r) => r.statusCode),
    Array(12).fill(200),
    'every transition succeeded',
  )
  t.same(
    (await submitAll('second')).map((r) => r.statusCode),
    Array(12).fill(201),
    'and again after the caches went stale once more',
  )
})
