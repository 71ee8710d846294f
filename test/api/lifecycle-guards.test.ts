import { sql } from 'kysely'
import t from 'tap'
import { actionRoles } from '../../src/core/lifecycle/case-state-machine.ts'
import { actions } from '../../src/core/lifecycle/lifecycle.types.ts'
import { ManualClock } from '../../src/platform/clock.ts'
import { snapshotDatabase } from '../helpers/db-snapshot.ts'
import { approval, lifecycleClient } from '../helpers/lifecycle-client.ts'
import { bearer, buildTestApp } from '../helpers/test-app.ts'

const sh = (local: string) => `${local}+08:00`

t.test('If-Match: missing 428, malformed 400, stale 412 with the current version; nothing written', async (t) => {
  const testApp = await buildTestApp(t, { clock: new ManualClock(sh('2026-02-12T10:00:00')) })
  const client = lifecycleClient(testApp)
  const dispatch = await testApp.key('dispatch')
  const office = await testApp.key('office')
  const submitted = await client.submit(dispatch)
  await client.ok(office, submitted.id, { action: 'accept' })
  const before = await snapshotDatabase(testApp.database.db)

  const missing = await client.act(office, submitted.id, approval, null)
  t.equal(missing.statusCode, 428)
  t.equal(missing.json().code, 'precondition_required')
  const malformed = await client.act(office, submitted.id, approval, 'version-2')
  t.equal(malformed.statusCode, 400)
  t.equal(malformed.json().errors[0].path, 'header.if-match')
  const stale = await client.act(office, submitted.id, approval, '"1"')
  t.equal(stale.statusCode, 412)
  t.equal(stale.json().currentVersion, 2)
  t.equal(stale.headers.etag, '"2"')
  t.same(await snapshotDatabase(testApp.database.db), before, 'refused transitions write nothing')
  // RFC 9110 §13.1.1: If-Match uses the strong comparison; a weak tag never matches, even of the current version.
  const weak = await client.act(office, submitted.id, approval, 'W/"2"')
  t.equal(weak.statusCode, 412, 'a weak ETag never matches')
  t.equal(weak.json().code, 'precondition_failed')
  t.equal(weak.json().currentVersion, 2)
  t.equal(weak.headers.etag, '"2"', 'the strong tag to retry with')
  t.same(await snapshotDatabase(testApp.database.db), before, 'a weak tag changes nothing')
  t.equal((await client.act(office, submitted.id, approval, '"2"')).statusCode, 200, 'the strong ETag of the current version matches')
})

t.test('every action × role through the API: forbidden roles 403, wrong state 409 with allowed actions, other organization 404', async (t) => {
  const testApp = await buildTestApp(t, { clock: new ManualClock(sh('2026-02-12T10:00:00')) })
  const client = lifecycleClient(testApp)
  const keys = {
    dispatch: await testApp.key('dispatch', 'ORG-A'),
    office: await testApp.key('office'),
    auditor: await testApp.key('auditor'),
    admin: await testApp.key('admin'),
  }
  const otherOrg = await testApp.key('dispatch', 'ORG-B')
  const submitted = await client.submit(keys.dispatch)
  // Minimal valid payloads, so that only the role and the state decide.
  const payloads: Record<string, Record<string, unknown>> = {
    accept: {},
    not_accept: { reason: 'incomplete' },
    request_supplement: { items: [{ item: 'plan' }] },
    submit_supplement: { note: 'here' },
    record_opinion: { department: 'Traffic police', opinion: 'agree' },
    complete_stage: { stage: 'joint_survey' },
    approve: approval,
    refuse: { reasons: ['no'] },
    withdraw: {},
    start_works: {},
    complete_works: {},
    inspect_reinstatement: { passed: true, inspector: 'Chen' },
    close: {},
    revoke_filing: { reason: 'x' },
    complete_formalities: { permitReference: 'P-1' },
    request_change: { kind: 'move', description: 'x', requestedPosition: 'y' },
    approve_change: {},
    refuse_change: { reasons: ['no'] },
    extend_time_limit: { approver: { name: 'W', title: 'D' }, reason: 'x' },
  }
  const before = await snapshotDatabase(testApp.database.db)
  for (const action of actions) {
    for (const [role, key] of Object.entries(keys)) {
      // The actions a submitted case allows are exercised by the flow tests; here only refusals are sent.
      if ((role === 'office' && ['accept', 'not_accept'].includes(action)) || (role === 'dispatch' && action === 'withdraw')) continue
      const response = await client.act(key, submitted.id, { action, ...payloads[action] }, '"1"')
      const label = `${role} ${action} on a submitted case`
      const mayAct = (actionRoles[action] as string[]).includes(role)
      if (role === 'auditor' || role === 'admin') t.equal(response.statusCode, 403, `${label}: the route is not theirs`)
      else if (!mayAct) t.equal(response.statusCode, 403, `${label}: role not allowed`)
      else {
        t.equal(response.statusCode, 409, `${label}: not allowed in this state`)
        t.same(response.json().allowedActions, role === 'office' ? ['accept', 'not_accept'] : ['withdraw'], `${label}: says what is allowed`)
      }
    }
    const foreign = await client.act(otherOrg, submitted.id, { action, ...payloads[action] }, '"1"')
    t.equal(foreign.statusCode, 404, `another organization's dispatch key: ${action} is a 404`)
  }
  t.same(await snapshotDatabase(testApp.database.db), before, 'no refused transition wrote anything')

  const invalid = await client.act(keys.office, submitted.id, { action: 'not_accept' }, '"1"')
  t.equal(invalid.statusCode, 400)
  t.equal(invalid.json().errors[0].path, 'body.reason')
  const unknownAction = await client.act(keys.office, submitted.id, { action: 'teleport' }, '"1"')
  t.equal(unknownAction.statusCode, 400)
})

t.test('two concurrent transitions with the same version: exactly one wins, the other gets 412; no event lost or duplicated', async (t) => {
  const testApp = await buildTestApp(t, { clock: new ManualClock(sh('2026-02-12T10:00:00')) })
  const client = lifecycleClient(testApp)
  const dispatch = await testApp.key('dispatch')
  const office = await testApp.key('office')
  // A real port, so the requests really run concurrently on separate connections.
  await testApp.app.listen({ port: 0, host: '127.0.0.1' })
  const address = testApp.app.server.address() as { port: number }
  for (let round = 0; round < 5; round++) {
    const submitted = await client.submit(dispatch)
    const send = (body: Record<string, unknown>) =>
      fetch(`http://127.0.0.1:${address.port}/v1/cases/${submitted.id}/transitions`, {
        method: 'POST',
        headers: { ...bearer(office), 'content-type': 'application/json', 'if-match': '"1"' },
        body: JSON.stringify(body),
      })
    const responses = await Promise.all([send({ action: 'accept' }), send({ action: 'not_accept', reason: 'duplicate' }), send({ action: 'accept' })])
    const statuses = responses.map((r) => r.status).sort()
    t.same(statuses, [200, 412, 412], `round ${round}: one winner`)
    const events = await testApp.database.db.selectFrom('case_event').select(['seq', 'type']).where('case_id', '=', submitted.id).orderBy('seq').execute()
    t.equal(events.length, 2, 'the submission and exactly one transition')
    t.same(
      events.map((e) => e.seq),
      [1, 2],
    )
    const current = await client.read(office, submitted.id)
    t.equal(current.version, 2)
    t.ok(['accepted', 'not_accepted'].includes(current.status))
  }
})

t.test('the history is append-only in the database and verify finds a row altered behind its back', async (t) => {
  const testApp = await buildTestApp(t, { clock: new ManualClock(sh('2026-02-12T10:00:00')) })
  const client = lifecycleClient(testApp)
  const dispatch = await testApp.key('dispatch')
  const office = await testApp.key('office')
  const auditor = await testApp.key('auditor')
  const submitted = await client.submit(dispatch)
  await client.ok(office, submitted.id, { action: 'accept' })
  await client.ok(office, submitted.id, approval)
  const db = testApp.database.db

  await t.rejects(sql`update case_event set type = 'case.refused' where case_id = ${submitted.id}`.execute(db), /append-only/, 'UPDATE refused')
  await t.rejects(sql`delete from case_event where case_id = ${submitted.id}`.execute(db), /append-only/, 'DELETE refused')

  const verifyUrl = `/v1/cases/${submitted.id}/events/verify`
  t.match((await testApp.app.inject({ method: 'GET', url: verifyUrl, headers: bearer(auditor) })).json(), { valid: true, events: 3 })
  t.equal((await testApp.app.inject({ method: 'GET', url: verifyUrl, headers: bearer(dispatch) })).statusCode, 403, 'verify is for auditors and the office')

  // Someone with superuser rights disables the guard and rewrites the acceptance.
  await sql`alter table case_event disable trigger case_event_append_only`.execute(db)
  await sql`update case_event set payload = jsonb_set(payload, '{input}', '{"note":"backdated"}') where case_id = ${submitted.id} and seq = 2`.execute(db)
  await sql`alter table case_event enable trigger case_event_append_only`.execute(db)
  const tampered = (await testApp.app.inject({ method: 'GET', url: verifyUrl, headers: bearer(office) })).json()
  t.match(tampered, { valid: false, firstBreak: { seq: 2, reason: 'hash_mismatch' } })
})

t.test('loading a year recomputes provisional deadlines and records why', async (t) => {
  const clock = new ManualClock(sh('2026-12-28T10:00:00'))
  const testApp = await buildTestApp(t, { clock })
  const client = lifecycleClient(testApp)
  const dispatch = await testApp.key('dispatch')
  const office = await testApp.key('office')
  const admin = await testApp.key('admin')
  const submitted = await client.submit(dispatch, { excavationLengthMeters: 60 })
  const accepted = await client.ok(office, submitted.id, { action: 'accept' })
  t.match(accepted, { provisional: true, dueDate: '2027-01-07' }, 'weekends only in 2027')

  const loaded = await testApp.app.inject({
    method: 'PUT',
    url: '/v1/calendar/years/2027',
    headers: bearer(admin),
    payload: { holidays: ['2027-01-01', '2027-01-02', '2027-01-03'], makeupWorkdays: [], source: 'State Council notice (test)' },
  })
  t.equal(loaded.json().recomputedCases, 1)
  const after = await client.read(office, submitted.id)
  t.match(after, { provisional: false, dueDate: '2027-01-08', version: 3 })
  const events = (await testApp.app.inject({ method: 'GET', url: `/v1/cases/${submitted.id}/events`, headers: bearer(office) })).json().items
  t.match(events.at(-1), {
    type: 'case.deadlines_recomputed',
    payload: { before: { dueDate: '2027-01-07', provisional: true }, after: { dueDate: '2027-01-08', provisional: false } },
  })
})

t.test('a case row written before the lifecycle migration still reads and moves', async (t) => {
  const testApp = await buildTestApp(t, { clock: new ManualClock(sh('2026-02-12T10:00:00')) })
  const client = lifecycleClient(testApp)
  const dispatch = await testApp.key('dispatch')
  const office = await testApp.key('office')
  const submitted = await client.submit(dispatch)
  await sql`update "case" set lifecycle = null where id = ${submitted.id}`.execute(testApp.database.db)
  t.equal((await client.read(office, submitted.id)).status, 'submitted', 'reads with the state its submission implies')
  const accepted = await client.ok(office, submitted.id, { action: 'accept' })
  t.equal(accepted.dueDate, '2026-02-14')
})
