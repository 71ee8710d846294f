import { sql } from 'kysely'
import t from 'tap'
import { buildApp } from '../../src/app.ts'
import { testConfig } from '../../src/platform/config/config.ts'
import { createDatabase } from '../../src/platform/database/database.ts'
import { ManualClock } from '../../src/platform/clock.ts'
import { sweepOverdueCases } from '../../src/supervision/overdue-sweep.ts'
import { lifecycleClient } from '../helpers/lifecycle-client.ts'
import { bearer, buildTestApp } from '../helpers/test-app.ts'

const sh = (local: string) => `${local}+08:00`

t.test('the sweep reports each passed deadline once: clock, stage, emergency formalities; never a paused case', async (t) => {
  const clock = new ManualClock(sh('2026-02-12T10:00:00'))
  const testApp = await buildTestApp(t, { clock })
  const client = lifecycleClient(testApp)
  const dispatch = await testApp.key('dispatch')
  const office = await testApp.key('office')
  const sweep = () => sweepOverdueCases({ db: testApp.database.db, calendars: testApp.app.calendarService, clock })

  const fast = await client.submit(dispatch)
  await client.ok(office, fast.id, { action: 'accept' }) // due 2026-02-14
  const joint = await client.submit(dispatch, { excavationLengthMeters: 70 })
  await client.ok(office, joint.id, { action: 'accept' }) // joint_survey due 2026-02-25, case due 2026-03-02
  const paused = await client.submit(dispatch)
  await client.ok(office, paused.id, { action: 'accept' })
  await client.ok(office, paused.id, { action: 'request_supplement', items: [{ item: 'plan' }] })
  const emergency = await client.submit(dispatch, { emergency: true }) // formalities due 2026-02-13 10:00

  t.equal(await sweep(), 0, 'nothing is due yet')
  clock.set(sh('2026-02-13T10:00:01'))
  t.equal(await sweep(), 1, 'the emergency formalities, 24 hours after notification')
  clock.set(sh('2026-02-14T23:59:59'))
  t.equal(await sweep(), 0, 'the last second of the due date is still on time')
  clock.set(sh('2026-02-15T00:00:00'))
  t.equal(await sweep(), 1, 'the fast-track clock, once its due date has ended in Shanghai')
  t.equal(await sweep(), 0, 'once only')
  clock.set(sh('2026-02-26T09:00:00'))
  t.equal(await sweep(), 1, 'the joint survey stage overran')

  const overdueEvents = await testApp.database.db.selectFrom('case_event').select(['case_id', 'payload', 'seq']).where('type', '=', 'case.overdue').execute()
  t.same(new Set(overdueEvents.map((e) => e.case_id)), new Set([emergency.id, fast.id, joint.id]))
  t.match(overdueEvents.find((e) => e.case_id === joint.id)?.payload, { deadline: 'stage', stage: 'joint_survey', dueDate: '2026-02-25' })
  t.match(overdueEvents.find((e) => e.case_id === emergency.id)?.payload, { deadline: 'formalities' })
  t.equal((await client.read(office, fast.id)).version, 3, 'marking overdue is a change: a new version')

  const overdueList = (await testApp.app.inject({ method: 'GET', url: '/v1/cases?overdue=true', headers: bearer(office) })).json()
  t.same(new Set(overdueList.items.map((c: { id: string }) => c.id)), new Set([emergency.id, fast.id, joint.id]))
  const notOverdue = (await testApp.app.inject({ method: 'GET', url: '/v1/cases?overdue=false', headers: bearer(office) })).json()
  t.same(
    notOverdue.items.map((c: { id: string }) => c.id),
    [paused.id],
    'the paused case is not overdue',
  )

  // The next stage gets its own deadline, reported again when it passes.
  await client.ok(office, joint.id, { action: 'complete_stage', stage: 'joint_survey' })
  t.equal(await sweep(), 0)
  clock.set(sh('2026-03-03T09:00:00'))
  t.equal(await sweep(), 1, 'a new deadline passed: reported once more')
})

t.test('due soon: pending and due within N working days', async (t) => {
  const clock = new ManualClock(sh('2026-02-12T10:00:00'))
  const testApp = await buildTestApp(t, { clock })
  const client = lifecycleClient(testApp)
  const dispatch = await testApp.key('dispatch')
  const office = await testApp.key('office')
  const fast = await client.submit(dispatch)
  await client.ok(office, fast.id, { action: 'accept' }) // due 2026-02-14
  const standard = await client.submit(dispatch, { voltageVolts: 35000 })
  await client.ok(office, standard.id, { action: 'accept' }) // due 2026-03-18
  const list = async (n: number) =>
    (await testApp.app.inject({ method: 'GET', url: `/v1/cases?dueWithinWorkingDays=${n}`, headers: bearer(office) })).json().items.map((c: { id: string }) => c.id)
  t.same(await list(1), [], 'Friday 13th is the next working day')
  t.same(await list(2), [fast.id], 'the make-up Saturday 14th is the second')
  t.same(new Set(await list(20)), new Set([fast.id, standard.id]))
  clock.set(sh('2026-02-15T08:00:00'))
  t.same(await list(20), [standard.id], 'an overdue case is no longer "due soon"')
  const bad = await testApp.app.inject({ method: 'GET', url: '/v1/cases?dueWithinWorkingDays=-1&overdue=maybe', headers: bearer(office) })
  t.equal(bad.statusCode, 400)
  t.same(
    bad
      .json()
      .errors.map((e: { path: string }) => e.path)
      .sort(),
    ['query.dueWithinWorkingDays', 'query.overdue'],
  )
})

t.test('two instances sweeping one database at once mark every overdue case exactly once', async (t) => {
  const clock = new ManualClock(sh('2026-02-12T10:00:00'))
  const testApp = await buildTestApp(t, { clock })
  const dispatch = await testApp.key('dispatch')
  const office = await testApp.key('office')
  const client = lifecycleClient(testApp)
  const ids: string[] = []
  for (let i = 0; i < 30; i++) {
    const c = await client.submit(dispatch)
    await client.ok(office, c.id, { action: 'accept' })
    ids.push(c.id)
  }
  const second = createDatabase({ connectionString: testApp.connectionString, poolMax: 5 })
  t.teardown(() => second.close())
  clock.set(sh('2026-02-16T09:00:00'))
  const results = await Promise.all([
    sweepOverdueCases({ db: testApp.database.db, calendars: testApp.app.calendarService, clock }),
    sweepOverdueCases({ db: second.db, calendars: testApp.app.calendarService, clock }),
    sweepOverdueCases({ db: second.db, calendars: testApp.app.calendarService, clock }),
  ])
  t.equal(
    results.reduce((a, b) => a + b, 0),
    30,
    'the marks add up to the cases, none twice',
  )
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from case_event where type = 'case.overdue'`.execute(testApp.database.db)
  t.equal(rows[0]?.n, 30)
})

t.test('the scheduler plugin runs the sweep on its own and stops with the app', async (t) => {
  const clock = new ManualClock(sh('2026-02-12T10:00:00'))
  const testApp = await buildTestApp(t, { clock })
  const dispatch = await testApp.key('dispatch')
  const emergency = await lifecycleClient(testApp).submit(dispatch, { emergency: true })
  clock.set(sh('2026-02-14T10:00:00'))
  const app = await buildApp({ config: testConfig({ SCHEDULER_ENABLED: true, SCHEDULER_INTERVAL_MS: 100 }), database: testApp.database, clock })
  await app.ready()
  let events = 0
  // Up to 30 s: the first tick comes after 100 ms, but a loaded machine can delay the sweep's queries.
  for (let i = 0; i < 300 && events === 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from case_event where type = 'case.overdue' and case_id = ${emergency.id}`.execute(testApp.database.db)
    events = rows[0]?.n ?? 0
  }
  t.equal(events, 1)
  await app.close()
})
