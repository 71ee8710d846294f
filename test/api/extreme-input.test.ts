/**
 * Values a client can send that once answered 500 internal_error: lengths that are not exactly a
 * two-decimal number, dates and instants near year 1 or 9999, periods ending 9999-12-31, and rule sets
 * the lifecycle cannot run. Each is now a 4xx problem naming the field (and writes nothing), or, for
 * stored cases, a correct answer.
 */
import { sql } from 'kysely'
import t from 'tap'
import { snapshotDatabase } from '../helpers/db-snapshot.ts'
import { approval, lifecycleClient } from '../helpers/lifecycle-client.ts'
import { bearer, buildTestApp, caseBody } from '../helpers/test-app.ts'
import { ManualClock } from '../../src/platform/clock.ts'

import type { InjectOptions } from 'fastify'

type Inject = InjectOptions

t.test('lengths, dates and instants outside the exact domain are 400s naming the field, and change nothing', async (t) => {
  const testApp = await buildTestApp(t)
  const { app } = testApp
  const dispatch = await testApp.key('dispatch')
  const office = await testApp.key('office')
  const auditor = await testApp.key('auditor')
  const submitted = (await app.inject({ method: 'POST', url: '/v1/cases', headers: bearer(dispatch), payload: caseBody() })).json()
  const before = await snapshotDatabase(testApp.database.db)

  const refused = async (label: string, request: Inject, path: string | RegExp) => {
    const response = await app.inject(request)
    t.equal(response.statusCode, 400, `${label}: 400 (${response.body.slice(0, 200)})`)
    const body = response.json()
    t.match(response.headers['content-type'], /^application\/problem\+json/, `${label}: problem+json`)
    t.ok(
      (body.errors ?? []).some((e: { path: string }) => (typeof path === 'string' ? e.path === path : path.test(e.path))),
      `${label}: names ${path} (${JSON.stringify(body.errors)})`,
    )
  }

  const assessment = { voltageVolts: 10000, excavationLengthMeters: 49.5, acceptedAt: '2026-02-12T10:00:00+08:00' }
  for (const length of [49.99000000000001, 0.30000000000000004, 1e-9, 10.001, 50.000001, 2 ** 53, 100000.01]) {
    await refused(
      `assessment length ${length}`,
      { method: 'POST', url: '/v1/assessments', headers: bearer(dispatch), payload: { ...assessment, excavationLengthMeters: length } },
      'body.excavationLengthMeters',
    )
    await refused(
      `case length ${length}`,
      { method: 'POST', url: '/v1/cases', headers: bearer(dispatch), payload: caseBody({ excavationLengthMeters: length }) },
      'body.excavationLengthMeters',
    )
  }
  await refused(
    'case width 0.30000000000000004',
    { method: 'POST', url: '/v1/cases', headers: bearer(dispatch), payload: caseBody({ excavationWidthMeters: 0.30000000000000004 }) },
    'body.excavationWidthMeters',
  )
  for (const acceptedAt of [
    '0001-01-01T00:00:00Z',
    '0000-01-01T00:00:00+00:00',
    '9999-12-31T23:59:59Z',
    '9999-12-31T23:59:59-23:59',
    '1969-12-31T23:59:59.999Z',
    '2101-01-01T00:00:00+08:00',
  ]) {
    await refused(`acceptedAt ${acceptedAt}`, { method: 'POST', url: '/v1/assessments', headers: bearer(dispatch), payload: { ...assessment, acceptedAt } }, 'body.acceptedAt')
  }
  for (const from of ['0001-01-01', '0000-01-01', '9999-12-31', '9999-01-01', '2101-01-01', '1899-12-31']) {
    await refused(`due-date from ${from}`, { method: 'GET', url: `/v1/calendar/due-date?from=${from}&workingDays=5`, headers: bearer(dispatch) }, 'query.from')
    await refused(`submittedFrom ${from}`, { method: 'GET', url: `/v1/cases?submittedFrom=${from}`, headers: bearer(office) }, 'query.submittedFrom')
    await refused(`submittedTo ${from}`, { method: 'GET', url: `/v1/cases?submittedTo=${from}`, headers: bearer(office) }, 'query.submittedTo')
    await refused(`sla from ${from}`, { method: 'GET', url: `/v1/reports/sla?from=${from}&to=${from}`, headers: bearer(auditor) }, /^query\.(from|to)$/)
    await refused(`timelines from ${from}`, { method: 'GET', url: `/v1/reports/timelines?from=${from}&to=${from}`, headers: bearer(auditor) }, /^query\.(from|to)$/)
    await refused(
      `planned start ${from}`,
      { method: 'POST', url: '/v1/cases', headers: bearer(dispatch), payload: caseBody({ plannedStartDate: from, plannedEndDate: from }) },
      'body.plannedStartDate',
    )
  }
  // The last supported date plus the most working days asked for: a provisional answer past 2100, not a 500.
  const farDue = await app.inject({ method: 'GET', url: '/v1/calendar/due-date?from=2100-12-31&workingDays=3650', headers: bearer(dispatch) })
  t.equal(farDue.statusCode, 200, 'due date 3650 working days after 2100-12-31')
  t.match(farDue.json(), { provisional: true, dueDate: /^211\d-/ })
  for (const workingDays of ['1e3', 'NaN', '9007199254740993', '-0.5']) {
    const response = await app.inject({ method: 'GET', url: `/v1/calendar/due-date?from=2026-02-12&workingDays=${workingDays}`, headers: bearer(dispatch) })
    t.ok(response.statusCode < 500, `workingDays=${workingDays}: ${response.statusCode}`)
  }
  // A transition body: the approved period is a pair of supported dates.
  const accepted = await lifecycleClient(testApp).ok(office, submitted.id, { action: 'accept' })
  const after = await snapshotDatabase(testApp.database.db)
  for (const to of ['9999-12-31', '0001-01-01', '2101-01-01']) {
    const response = await lifecycleClient(testApp).act(office, submitted.id, { ...approval, approvedPeriod: { from: '2026-03-02', to } }, `"${accepted.version}"`)
    t.equal(response.statusCode, 400, `approvedPeriod.to ${to}: 400`)
    t.ok(
      response.json().errors.some((e: { path: string }) => e.path === 'body.approvedPeriod.to'),
      `approvedPeriod.to ${to}: names the field`,
    )
  }
  const area = await lifecycleClient(testApp).act(office, submitted.id, { ...approval, approvedArea: { lengthMeters: 0.30000000000000004 } }, `"${accepted.version}"`)
  t.equal(area.statusCode, 400, 'approvedArea.lengthMeters 0.30000000000000004: 400')
  t.same(await snapshotDatabase(testApp.database.db), after, 'no refused transition wrote anything')
  t.not(after, before)
  t.same(Object.keys(after), Object.keys(before))
})

t.test('a stored case with a far-future approved period: its timeline and the export still answer in full', async (t) => {
  // The periods are bounded now; a case stored before the bound (or by another path) must still be shown.
  const clock = new ManualClock('2026-02-12T02:00:00Z')
  const testApp = await buildTestApp(t, { clock })
  const { app } = testApp
  const dispatch = await testApp.key('dispatch')
  const office = await testApp.key('office')
  const auditor = await testApp.key('auditor')
  const client = lifecycleClient(testApp)
  const ids: string[] = []
  for (let i = 0; i < 3; i++) {
    const created = await client.submit(dispatch, { externalReference: `FAR-${i}` })
    await client.ok(office, created.id, { action: 'accept' })
    await client.ok(office, created.id, approval)
    await client.ok(dispatch, created.id, { action: 'start_works' })
    ids.push(created.id)
  }
  // The middle case's period ends on 9999-12-31, as a row written before the bound existed would.
  await sql`update "case" set lifecycle = jsonb_set(lifecycle, '{decision,approvedPeriod,to}', '"9999-12-31"') where id = ${ids[1]}`.execute(testApp.database.db)
  const timeline = await app.inject({ method: 'GET', url: `/v1/cases/${ids[1]}/timeline`, headers: bearer(auditor) })
  t.equal(timeline.statusCode, 200, `timeline: 200 (${timeline.body.slice(0, 200)})`)
  const works = timeline.json().timeline.phases.find((p: { key: string }) => p.key === 'works')
  t.equal(works.dueDate, '9999-12-31', 'the works phase keeps the approved end date')
  t.equal(works.overdue, false)

  const csv = await app.inject({ method: 'GET', url: '/v1/reports/timelines?from=2026-02-12&to=2026-02-12', headers: bearer(auditor) })
  t.equal(csv.statusCode, 200)
  const lines = csv.body.trimEnd().split('\r\n')
  for (const id of ids)
    t.ok(
      lines.some((line) => line.startsWith(`${id},`)),
      `the export has the rows of case ${id}`,
    )
  t.notOk(
    lines.some((line) => line.startsWith('#error')),
    'and no error marker',
  )

  // A stored case whose timeline cannot be computed at all (a ledger instant that does not parse): the
  // export keeps every other case and ends with the marker naming the one left out.
  await sql`update "case" set lifecycle = jsonb_set(lifecycle, '{clock,ledger,0,at}', '"not an instant"') where id = ${ids[0]}`.execute(testApp.database.db)
  const partial = await app.inject({ method: 'GET', url: '/v1/reports/timelines?from=2026-02-12&to=2026-02-12', headers: bearer(auditor) })
  t.equal(partial.statusCode, 200, 'the status was sent before the rows')
  t.ok(partial.body.endsWith('\r\n'), 'the last record is complete')
  const records = partial.body.trimEnd().split('\r\n')
  for (const id of ids.slice(1))
    t.ok(
      records.some((line) => line.startsWith(`${id},`)),
      `the rows of case ${id} are all there`,
    )
  t.notOk(
    records.some((line) => line.startsWith(`${ids[0]},`)),
    'the broken case has no rows',
  )
  t.match(records.at(-1), new RegExp(`^#error,${partial.headers['request-id']},.*1 case\\(s\\).*${ids[0]}`), 'the export ends with #error,<requestId>,<message> naming it')
})

t.test('rule sets the lifecycle could not run are refused with 422 naming the path', async (t) => {
  const clock = new ManualClock('2026-02-12T02:00:00Z')
  const testApp = await buildTestApp(t, { clock })
  const { app } = testApp
  const admin = await testApp.key('admin')
  const current = (await app.inject({ method: 'GET', url: '/v1/rule-sets/zz-green-channel', headers: bearer(admin) })).json()
  const variant = (mutate: (p: Record<string, any>) => void) => {
    const parameters = structuredClone(current.parameters)
    mutate(parameters)
    return { id: 'zz-green-channel', effectiveFrom: '2026-06-01', name: 'variant', parameters }
  }
  const joint = (p: Record<string, any>) => p.routeTerms.find((r: { route: string }) => r.route === 'joint_review')
  const emergency = (p: Record<string, any>) => p.routeTerms.find((r: { route: string }) => r.route === 'emergency_repair')
  const standard = (p: Record<string, any>) => p.routeTerms.find((r: { route: string }) => r.route === 'standard')
  const cases: Array<[string, unknown, number, RegExp]> = [
    [
      'a joint review of a single stage',
      variant((p) => (p.jointReviewStages = [{ key: 'all', workingDays: 8, name: 'all', description: 'all at once' }])),
      422,
      /^body\.parameters\.jointReviewStages$/,
    ],
    [
      'emergency formalities counted in working days',
      variant((p) => (emergency(p).timeLimit = { amount: 1, unit: 'working_days' })),
      422,
      /^body\.parameters\.routeTerms\.\d+\.timeLimit/,
    ],
    ['emergency formalities without a limit', variant((p) => (emergency(p).timeLimit = null)), 422, /^body\.parameters\.routeTerms\.\d+\.timeLimit/],
    ['an extension of 0 working days', variant((p) => (standard(p).extension = { amount: 0, unit: 'working_days' })), 422, /^body\.parameters\.routeTerms\.\d+\.extension/],
    [
      'a limit of a million working days',
      variant((p) => (standard(p).timeLimit = { amount: 1_000_000, unit: 'working_days' })),
      400,
      /^body\.parameters\.routeTerms\.\d+\.timeLimit\.amount$/,
    ],
    ['a stage key no complete_stage can name', variant((p) => (p.jointReviewStages[0].key = `k${'x'.repeat(70)}`)), 400, /^body\.parameters\.jointReviewStages\.0\.key$/],
    ['a joint review on the emergency route', variant((p) => (emergency(p).requiresJointReview = true)), 422, /^body\.parameters\.routeTerms\.\d+\.requiresJointReview$/],
    [
      'an hour limit on a reviewed route',
      variant((p) => {
        joint(p).requiresJointReview = false
        joint(p).timeLimit = { amount: 8, unit: 'hours' }
      }),
      422,
      /^body\.parameters\.routeTerms\.\d+\.timeLimit\.unit$/,
    ],
    [
      'a length bound of 49.99000000000001 m',
      variant((p) => {
        p.voltageTiers[1].lengthBands[0].max.value = 49.99000000000001
        p.voltageTiers[1].lengthBands[1].min.value = 49.99000000000001
      }),
      422,
      /lengthBands\.\d\.(max|min)\.value$/,
    ],
  ]
  for (const [label, payload, status, path] of cases) {
    const before = await snapshotDatabase(testApp.database.db)
    const response = await app.inject({ method: 'POST', url: '/v1/rule-sets', headers: bearer(admin), payload: payload as object })
    t.equal(response.statusCode, status, `${label}: ${status} (${response.body.slice(0, 300)})`)
    t.ok(
      (response.json().errors ?? []).some((e: { path: string }) => path.test(e.path)),
      `${label}: names ${path} (${JSON.stringify(response.json().errors)?.slice(0, 300)})`,
    )
    t.same(await snapshotDatabase(testApp.database.db), before, `${label}: nothing written`)
  }
})
