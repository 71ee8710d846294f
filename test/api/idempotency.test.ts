import { sql } from 'kysely'
import t from 'tap'
import { ManualClock } from '../../src/platform/clock.ts'
import { snapshotDatabase } from '../helpers/db-snapshot.ts'
import { bearer, buildTestApp, caseBody } from '../helpers/test-app.ts'

const sh = (local: string) => `${local}+08:00`

t.test('same key, same body: the original response (status, body, headers) without doing the work again', async (t) => {
  const testApp = await buildTestApp(t, { clock: new ManualClock(sh('2026-02-12T10:00:00')) })
  const dispatch = await testApp.key('dispatch')
  const post = (key: string, payload: Record<string, unknown>, apiKey = dispatch) =>
    testApp.app.inject({ method: 'POST', url: '/v1/cases', headers: { ...bearer(apiKey), 'idempotency-key': key }, payload })

  const first = await post('req-1', caseBody())
  t.equal(first.statusCode, 201)
  const before = await snapshotDatabase(testApp.database.db)
  const again = await post('req-1', caseBody())
  t.equal(again.statusCode, 201)
  t.equal(again.body, first.body, 'byte-identical body')
  t.equal(again.headers.location, first.headers.location)
  t.equal(again.headers.etag, first.headers.etag)
  t.equal(again.headers['idempotent-replayed'], 'true')
  t.notOk(first.headers['idempotent-replayed'])
  t.same(await snapshotDatabase(testApp.database.db), before, 'the replay wrote nothing')

  const otherBody = await post('req-1', caseBody({ excavationLengthMeters: 31 }))
  t.equal(otherBody.statusCode, 422)
  t.equal(otherBody.json().code, 'idempotency_key_reused')
  t.same(await snapshotDatabase(testApp.database.db), before)

  const otherApiKey = await post('req-1', caseBody(), await testApp.key('dispatch', 'ORG-B'))
  t.equal(otherApiKey.statusCode, 201, 'keys are scoped to the API key')
  t.not(otherApiKey.json().id, first.json().id)

  const refused = await post('req-2', caseBody({ voltageVolts: 380, excavationLengthMeters: 20 }))
  t.equal(refused.statusCode, 422)
  const refusedAgain = await post('req-2', caseBody({ voltageVolts: 380, excavationLengthMeters: 20 }))
  t.equal(refusedAgain.statusCode, 422, 'a client error is replayed as well')
  t.equal(refusedAgain.headers['idempotent-replayed'], 'true')
  t.same(refusedAgain.json().errors, refused.json().errors)

  const invalid = await testApp.app.inject({ method: 'POST', url: '/v1/cases', headers: { ...bearer(dispatch), 'idempotency-key': 'has spaces' }, payload: caseBody() })
  t.equal(invalid.statusCode, 400)
  t.equal(invalid.json().errors[0].path, 'header.idempotency-key')
})

t.test('a transition retried after it succeeded replays its response instead of failing with 412', async (t) => {
  const testApp = await buildTestApp(t, { clock: new ManualClock(sh('2026-02-12T10:00:00')) })
  const dispatch = await testApp.key('dispatch')
  const office = await testApp.key('office')
  const created = (await testApp.app.inject({ method: 'POST', url: '/v1/cases', headers: bearer(dispatch), payload: caseBody() })).json()
  const accept = () =>
    testApp.app.inject({
      method: 'POST',
      url: `/v1/cases/${created.id}/transitions`,
      headers: { ...bearer(office), 'if-match': '"1"', 'idempotency-key': 'accept-once' },
      payload: { action: 'accept' },
    })
  const first = await accept()
  t.equal(first.statusCode, 200)
  const retry = await accept()
  t.equal(retry.statusCode, 200)
  t.equal(retry.body, first.body)
  t.equal(retry.headers.etag, '"2"')
  const events = await testApp.database.db.selectFrom('case_event').select('type').where('case_id', '=', created.id).execute()
  t.equal(events.length, 2, 'accepted once')
})

t.test('a duplicate arriving while the first is still running gets 409 with Retry-After; a lapsed claim is taken over', async (t) => {
  const clock = new ManualClock(sh('2026-02-12T10:00:00'))
  const testApp = await buildTestApp(t, { clock })
  const dispatch = await testApp.key('dispatch')
  const me = (await testApp.app.inject({ method: 'GET', url: '/v1/api-keys/me', headers: bearer(dispatch) })).json()
  const body = caseBody()
  const post = () => testApp.app.inject({ method: 'POST', url: '/v1/cases', headers: { ...bearer(dispatch), 'idempotency-key': 'slow-1' }, payload: body })
  // Claim the key the way a first request does, as if it were still running in another instance.
  const first = await post()
  t.equal(first.statusCode, 201)
  await sql`update idempotency_key set state = 'in_progress', locked_until = ${new Date(clock.now().getTime() + 60_000)}, response_status = null where api_key_id = ${me.keyId}`.execute(
    testApp.database.db,
  )
  const during = await post()
  t.equal(during.statusCode, 409)
  t.equal(during.json().code, 'idempotency_key_in_progress')
  t.equal(during.headers['retry-after'], '1')

  clock.advanceMs(61_000)
  const takeover = await post()
  t.equal(takeover.statusCode, 201, 'the claim of a request that died lapses and a retry does the work')
})

t.test('retry storm: many concurrent identical submissions with one key create exactly one case', async (t) => {
  const testApp = await buildTestApp(t, { clock: new ManualClock(sh('2026-02-12T10:00:00')) })
  const dispatch = await testApp.key('dispatch')
  await testApp.app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = testApp.app.server.address() as { port: number }
  const body = JSON.stringify(caseBody({ externalReference: 'STORM-1' }))
  const send = () =>
    fetch(`http://127.0.0.1:${port}/v1/cases`, {
      method: 'POST',
      headers: { ...bearer(dispatch), 'content-type': 'application/json', 'idempotency-key': 'storm' },
      body,
    })
  const responses = await Promise.all(Array.from({ length: 40 }, send))
  const statuses = responses.map((r) => r.status)
  t.ok(
    statuses.every((s) => s === 201 || s === 409),
    `only 201 or 409: ${[...new Set(statuses)].join(',')}`,
  )
  const count = await testApp.database.db.selectFrom('case').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()
  t.equal(count.n, 1, 'exactly one case')
  const ids = new Set(await Promise.all(responses.filter((r) => r.status === 201).map(async (r) => ((await r.json()) as { id: string }).id)))
  t.equal(ids.size, 1, 'every success names the same case')
  const after = await send()
  t.equal(after.status, 201)
  t.equal(((await after.json()) as { id: string }).id, [...ids][0])
})

t.test('secrets shown once are not stored for replay; expired keys do the work again', async (t) => {
  const clock = new ManualClock(sh('2026-02-12T10:00:00'))
  const testApp = await buildTestApp(t, { clock })
  const admin = await testApp.key('admin')
  const create = () => testApp.app.inject({ method: 'POST', url: '/v1/api-keys', headers: { ...bearer(admin), 'idempotency-key': 'key-1' }, payload: { role: 'auditor' } })
  const first = await create()
  t.match(first.json().key, /^gck_/)
  const replay = await create()
  t.equal(replay.json().id, first.json().id, 'the same key record, not a second one')
  t.equal(replay.json().key, '[shown once; not stored]')
  const stored = await testApp.database.db.selectFrom('idempotency_key').select('response_body').execute()
  t.notOk(
    stored.some((row) => row.response_body?.includes(first.json().key)),
    'the secret is not in the idempotency table',
  )

  clock.advanceMs(49 * 3_600_000)
  const later = await create()
  t.not(later.json().id, first.json().id, 'after the retention period the key is new again')
})

t.test('409, 412 and 428 are not stored for replay: the same Idempotency-Key works once the client fixed its If-Match', async (t) => {
  const testApp = await buildTestApp(t, { clock: new ManualClock(sh('2026-02-12T10:00:00')) })
  const dispatch = await testApp.key('dispatch')
  const office = await testApp.key('office')
  const created = (await testApp.app.inject({ method: 'POST', url: '/v1/cases', headers: bearer(dispatch), payload: caseBody() })).json()
  const accept = (ifMatch: string | undefined) =>
    testApp.app.inject({
      method: 'POST',
      url: `/v1/cases/${created.id}/transitions`,
      headers: { ...bearer(office), ...(ifMatch ? { 'if-match': ifMatch } : {}), 'idempotency-key': 'accept-after-fixes' },
      payload: { action: 'accept' },
    })
  const storedRows = async () =>
    Number((await sql<{ n: string }>`select count(*) as n from idempotency_key where key = 'accept-after-fixes'`.execute(testApp.database.db)).rows[0]?.n)

  const missing = await accept(undefined)
  t.equal(missing.statusCode, 428)
  t.equal(await storedRows(), 0, 'the 428 gave its claim back')
  const stale = await accept('"7"')
  t.equal(stale.statusCode, 412)
  t.notOk(stale.headers['idempotent-replayed'])
  t.equal(await storedRows(), 0, 'the 412 gave its claim back')
  const fixed = await accept('"1"')
  t.equal(fixed.statusCode, 200, 'answered afresh, not a replayed 412')
  t.notOk(fixed.headers['idempotent-replayed'])
  const replay = await accept('"1"')
  t.equal(replay.headers['idempotent-replayed'], 'true', 'a success is still replayed')

  // 409: the state does not allow the action now (a second accept under a new key), not stored either.
  const conflict = () =>
    testApp.app.inject({
      method: 'POST',
      url: `/v1/cases/${created.id}/transitions`,
      headers: { ...bearer(office), 'if-match': '"2"', 'idempotency-key': 'accept-twice' },
      payload: { action: 'accept' },
    })
  const first = await conflict()
  t.equal(first.statusCode, 409)
  const second = await conflict()
  t.equal(second.statusCode, 409)
  t.notOk(second.headers['idempotent-replayed'], 'a 409 is worked out again, not replayed')
})

t.test('assessments have no side effects: an Idempotency-Key on them stores nothing', async (t) => {
  const testApp = await buildTestApp(t)
  const dispatch = await testApp.key('dispatch')
  for (const length of [10, 10, 20]) {
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/v1/assessments',
      headers: { ...bearer(dispatch), 'idempotency-key': 'assess-1' },
      payload: { voltageVolts: 10000, excavationLengthMeters: length },
    })
    t.equal(response.statusCode, 200, 'a second body under the same key is simply assessed (no 422)')
    t.notOk(response.headers['idempotent-replayed'])
  }
  const rows = await sql<{ n: string }>`select count(*) as n from idempotency_key`.execute(testApp.database.db)
  t.equal(Number(rows.rows[0]?.n), 0, 'the idempotency table stays empty')
})
