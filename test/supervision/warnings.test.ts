import t from 'tap'
import { ManualClock } from '../../src/platform/clock.ts'
import { sweepOverdueCases } from '../../src/supervision/overdue-sweep.ts'
import { lifecycleClient } from '../helpers/lifecycle-client.ts'
import { bearer, buildTestApp, type TestApp } from '../helpers/test-app.ts'

const sh = (local: string) => `${local}+08:00`

async function eventsOf(testApp: TestApp, caseId: string) {
  const rows = await testApp.database.db
    .selectFrom('case_event')
    .select(['type', 'payload', 'from_status', 'to_status', 'actor_role'])
    .where('case_id', '=', caseId)
    .orderBy('seq')
    .execute()
  return rows.filter((r) => ['case.warning', 'case.stage_overrun', 'case.overdue', 'case.deemed_approved'].includes(r.type))
}

// 2026: Saturday 14 February is a make-up workday (调休) for the Spring Festival, 15–23 February are holidays,
// Saturday 28 February is a make-up workday again (src/calendar/builtin-schedules.ts, chinese-days).
t.test('yellow at 50 %, red at 90 %, stage overrun and overdue across the 2026 Spring Festival, each reported once', async (t) => {
  const clock = new ManualClock(sh('2026-02-12T10:00:00'))
  const testApp = await buildTestApp(t, { clock })
  const client = lifecycleClient(testApp)
  const dispatch = await testApp.key('dispatch')
  const office = await testApp.key('office')
  const sweep = () => sweepOverdueCases({ db: testApp.database.db, calendars: testApp.app.calendarService, clock })
  const level = async (id: string) => {
    const body = await client.read(office, id)
    return { overall: body.clock?.warningLevel ?? null, stage: body.currentStage?.warningLevel ?? null }
  }
  const listed = async (warningLevel: string) =>
    (await testApp.app.inject({ method: 'GET', url: `/v1/cases?warningLevel=${warningLevel}`, headers: bearer(office) })).json().items.map((c: { id: string }) => c.id)

  // 8 working days from Thursday 12 February: 13, 14 (Sat, make-up), 24, 25, 26, 27, 28 (Sat, make-up), 2 March.
  // Stage joint_survey (4 days): 13, 14, 24, 25. Overall yellow: ceil(0.5 × 8) = 4 days used → 25 February;
  // red: ceil(0.9 × 8) = 8 → 2 March. Stage yellow: ceil(0.5 × 4) = 2 → Saturday 14 February; red: ceil(3.6) = 4 → 25 February.
  const joint = await client.submit(dispatch, { excavationLengthMeters: 70 })
  await client.ok(office, joint.id, { action: 'accept' })
  t.same(await level(joint.id), { overall: null, stage: null })

  clock.set(sh('2026-02-13T18:00:00'))
  await sweep()
  t.same(await eventsOf(testApp, joint.id), [], 'one day used of 8 (and of 4): no warning yet')

  clock.set(sh('2026-02-14T00:00:00'))
  await sweep()
  const first = await eventsOf(testApp, joint.id)
  t.equal(first.length, 1, 'the make-up Saturday is the second working day of the stage')
  t.match(first[0], {
    type: 'case.warning',
    actor_role: 'system',
    payload: { level: 'yellow', clock: 'stage', stage: 'joint_survey', workingDaysUsed: 2, workingDaysRemaining: 2 },
  })
  t.same(await level(joint.id), { overall: null, stage: 'yellow' })

  clock.set(sh('2026-02-20T12:00:00'))
  await sweep()
  t.equal((await eventsOf(testApp, joint.id)).length, 1, 'Spring Festival holidays use no working days: nothing new')

  clock.set(sh('2026-02-25T08:00:00'))
  await Promise.all([sweep(), sweep(), sweep()]) // several instances at once: each fact still once
  const second = (await eventsOf(testApp, joint.id)).slice(1)
  t.same(
    second.map((e) => [e.payload.clock, e.payload.level, e.payload.workingDaysUsed, e.payload.workingDaysRemaining]),
    [
      ['overall', 'yellow', 4, 4],
      ['stage', 'red', 4, 0],
    ],
  )
  t.same(await level(joint.id), { overall: 'yellow', stage: 'red' })
  t.same(await listed('yellow'), [joint.id], 'the list filter reads the column the sweep keeps')
  t.same(await listed('red'), [])

  clock.set(sh('2026-02-26T00:00:00'))
  await sweep()
  await sweep()
  const third = (await eventsOf(testApp, joint.id)).slice(3)
  t.same(
    third.map((e) => e.type),
    ['case.stage_overrun', 'case.overdue'],
    'the stage passed its due date while the overall clock is within its limit: an overrun, once',
  )
  t.match(third[0]?.payload, { stage: 'joint_survey', dueDate: '2026-02-25', workingDaysUsed: 5, workingDaysRemaining: -1 })
  t.same(await level(joint.id), { overall: 'yellow', stage: 'overdue' })

  clock.set(sh('2026-03-02T09:00:00'))
  await sweep()
  t.match((await eventsOf(testApp, joint.id)).at(-1), { type: 'case.warning', payload: { level: 'red', clock: 'overall', workingDaysUsed: 8, workingDaysRemaining: 0 } })
  t.same(await listed('red'), [joint.id])

  clock.set(sh('2026-03-03T00:00:01'))
  await sweep()
  t.equal((await level(joint.id)).overall, 'overdue')
  t.same(await listed('overdue'), [joint.id])
  t.equal((await client.read(office, joint.id)).status, 'accepted', 'flag (the default): overdue is reported, never approved by default')
  const recorded = await testApp.database.db.selectFrom('case_warning').select(['clock', 'stage', 'level']).where('case_id', '=', joint.id).orderBy('reached_at').execute()
  t.same(
    recorded.map((r) => `${r.clock}/${r.stage}/${r.level}`),
    ['stage/joint_survey/yellow', 'overall//yellow', 'stage/joint_survey/red', 'stage/joint_survey/overrun', 'overall//red', 'overall//overdue'],
  )
  const bad = await testApp.app.inject({ method: 'GET', url: '/v1/cases?warningLevel=orange', headers: bearer(office) })
  t.equal(bad.statusCode, 400)
})

t.test('deem_approved: the scheduler approves a case whose time ran out, with the permit fields of the application', async (t) => {
  const clock = new ManualClock(sh('2026-02-12T10:00:00'))
  const testApp = await buildTestApp(t, { clock })
  const client = lifecycleClient(testApp)
  const admin = await testApp.key('admin')
  const dispatch = await testApp.key('dispatch')
  const office = await testApp.key('office')
  const sweep = () => sweepOverdueCases({ db: testApp.database.db, calendars: testApp.app.calendarService, clock })

  const current = (await testApp.app.inject({ method: 'GET', url: '/v1/rule-sets/zz-green-channel', headers: bearer(admin) })).json()
  const parameters = structuredClone(current.parameters)
  const basis = { citation: 'Test city notice art. 5', text: '逾期未作出决定的，视为准予许可。' }
  const fast = parameters.routeTerms.find((r: { route: string }) => r.route === 'fast_track')
  fast.supervision = { yellowPercent: 50, redPercent: 90, onTimeout: 'deem_approved', basis }
  const refused = structuredClone(parameters)
  refused.routeTerms.find((r: { route: string }) => r.route === 'fast_track').supervision.redPercent = 40
  const invalid = await testApp.app.inject({
    method: 'POST',
    url: '/v1/rule-sets',
    headers: bearer(admin),
    payload: { id: 'zz-green-channel', name: current.name, effectiveFrom: '2026-02-13', parameters: refused },
  })
  t.equal(invalid.statusCode, 422)
  t.ok(
    invalid.json().errors.some((e: { path: string }) => /routeTerms\.\d+\.supervision\.redPercent/.test(e.path)),
    invalid.body,
  )
  const published = await testApp.app.inject({
    method: 'POST',
    url: '/v1/rule-sets',
    headers: bearer(admin),
    payload: { id: 'zz-green-channel', name: current.name, effectiveFrom: '2026-02-13', parameters },
  })
  t.equal(published.statusCode, 201, published.statusCode === 201 ? 'published' : published.body)

  // Accepted Friday 13 February: 2 working days are the make-up Saturday 14th and Tuesday 24th (after the festival).
  clock.set(sh('2026-02-13T09:00:00'))
  const submitted = await client.submit(dispatch, { location: { district: 'Longwen', roadName: 'Shuixian Avenue', description: 'north side' } })
  const accepted = await client.ok(office, submitted.id, { action: 'accept' })
  t.equal(accepted.dueDate, '2026-02-24')
  clock.set(sh('2026-02-24T23:59:59'))
  await sweep()
  t.same(
    (await eventsOf(testApp, submitted.id)).map((e) => e.payload.level),
    ['yellow', 'red'],
    'both warnings reported once the due date is reached',
  )
  t.equal((await client.read(office, submitted.id)).status, 'accepted', 'the last second of the due date is still in time')

  clock.set(sh('2026-02-25T00:00:00'))
  await sweep()
  const events = await eventsOf(testApp, submitted.id)
  t.same(
    events.map((e) => e.type),
    ['case.warning', 'case.warning', 'case.deemed_approved'],
    'decided, not reported overdue',
  )
  t.match(events[2], { from_status: 'accepted', to_status: 'approved', actor_role: 'system', payload: { basis } })
  const body = await client.read(office, submitted.id)
  t.equal(body.status, 'approved')
  t.match(body.decision, {
    outcome: 'approved',
    approvedPosition: 'Longwen Shuixian Avenue: north side',
    approvedArea: { lengthMeters: 30 },
    approvedPeriod: { from: '2026-03-02', to: '2026-03-10' },
    deemed: { basis },
    withinTimeLimit: false,
    decidedBy: { keyId: 'system:supervision' },
  })
  t.equal(body.clock.status, 'stopped')
  t.equal(body.clock.warningLevel, null, 'a stopped clock has no warning level')
  await sweep()
  t.equal((await eventsOf(testApp, submitted.id)).length, 3, 'once')
  const works = await client.act(dispatch, submitted.id, { action: 'start_works' })
  t.equal(works.statusCode, 200, 'the deemed permit lets the works start')
})
