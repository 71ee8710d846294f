import { sql } from 'kysely'
import t from 'tap'
import { ManualClock } from '../../src/platform/clock.ts'
import { bearer, buildTestApp } from '../helpers/test-app.ts'

t.test('the API-key cache expires on the injected clock: a key revoked elsewhere stops working when the TTL has passed', async (t) => {
  const clock = new ManualClock('2026-02-12T10:00:00+08:00')
  const testApp = await buildTestApp(t, { clock, config: { API_KEY_CACHE_TTL_MS: 30_000 } })
  const key = await testApp.key('office')
  const me = async () => (await testApp.app.inject({ method: 'GET', url: '/v1/api-keys/me', headers: bearer(key) })).statusCode

  t.equal(await me(), 200, 'looked up and cached')
  // Revoked behind this instance's back with the announcement lost (the NOTIFY trigger of migration 2026-12-01T0200
  // does not fire for a session in replica mode, as on a logical replica): only the cache still knows the key, and
  // the TTL is what ends it. Without this the notification races the next request and the test flips.
  await testApp.database.db.transaction().execute(async (trx) => {
    await sql`set local session_replication_role = replica`.execute(trx)
    await trx.updateTable('api_key').set({ revoked_at: clock.now() }).where('revoked_at', 'is', null).execute()
  })
  t.equal(await me(), 200, 'within the TTL the cached lookup answers')
  clock.advanceMs(29_999)
  t.equal(await me(), 200, 'still within the TTL by the app clock, however long the test really took')
  clock.advanceMs(1)
  t.equal(await me(), 401, 'the TTL has passed on the app clock: looked up again, and revoked')
})

t.test('the rule-set and calendar caches refresh on the injected clock', async (t) => {
  const clock = new ManualClock('2026-02-12T10:00:00+08:00')
  const testApp = await buildTestApp(t, { clock })
  const key = await testApp.key('admin')
  const years = async () => (await testApp.app.inject({ method: 'GET', url: '/v1/calendar/years', headers: bearer(key) })).json().items.map((y: { year: number }) => y.year)
  const before = await years()
  t.ok(before.includes(2026))
  // A year removed behind this instance's back (as if another instance had changed the table).
  await testApp.database.db.deleteFrom('calendar_year').where('year', '=', 2019).execute()
  t.same(await years(), before, 'the cached copy is used within the refresh interval')
  clock.advanceMs(10_000)
  t.same(
    await years(),
    before.filter((y: number) => y !== 2019),
    'read again once the interval has passed on the app clock',
  )

  const ruleSets = async () => (await testApp.app.inject({ method: 'GET', url: '/v1/rule-sets', headers: bearer(key) })).json().items.length
  const count = await ruleSets()
  await sql`insert into rule_set (id, version, effective_from, name, description, parameters)
            select id, 99, '2030-01-01', name, description, parameters from rule_set where version = 1 limit 1`.execute(testApp.database.db)
  t.equal(await ruleSets(), count, 'cached')
  clock.advanceMs(10_000)
  t.equal(await ruleSets(), count + 1, 'refreshed on the app clock')
})
