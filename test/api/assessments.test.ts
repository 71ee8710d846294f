import t from 'tap'
import { bearer, buildTestApp } from '../helpers/test-app.ts'
import { snapshotDatabase } from '../helpers/db-snapshot.ts'

t.test('POST /v1/assessments decides every route and boundary through the real app', async (t) => {
  const { app, database, key } = await buildTestApp(t)
  const auditor = await key('auditor')
  const before = await snapshotDatabase(database.db)
  const table: Array<[string, Record<string, unknown>, string, string | null]> = [
    // label, input, route, due date (accepted Thu 2026-02-12 10:00 Shanghai)
    ['400 V, 200 m: commitment filing (both included)', { voltageVolts: 400, excavationLengthMeters: 200 }, 'commitment_filing', '2026-02-12'],
    ['400 V, 200.01 m: falls through to joint review', { voltageVolts: 400, excavationLengthMeters: 200.01 }, 'joint_review', '2026-03-02'],
    ['401 V, 49.99 m: fast track', { voltageVolts: 401, excavationLengthMeters: 49.99 }, 'fast_track', '2026-02-14'],
    ['10 kV, 49.5 m: fast track', { voltageVolts: 10000, excavationLengthMeters: 49.5 }, 'fast_track', '2026-02-14'],
    ['10 kV, exactly 50 m: joint review', { voltageVolts: 10000, excavationLengthMeters: 50 }, 'joint_review', '2026-03-02'],
    ['10001 V: standard, 20 working days', { voltageVolts: 10001, excavationLengthMeters: 10 }, 'standard', '2026-03-18'],
    ['protected road: special approval, no limit', { voltageVolts: 380, excavationLengthMeters: 10, roadProtected: true }, 'special_approval', null],
    ['emergency beats everything', { voltageVolts: 110000, excavationLengthMeters: 900, roadProtected: true, emergency: true }, 'emergency_repair', '2026-02-13'],
  ]
  for (const [label, input, route, dueDate] of table) {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/assessments',
      headers: bearer(auditor),
      payload: { ...input, acceptedAt: '2026-02-12T10:00:00+08:00' },
    })
    t.equal(response.statusCode, 200, label)
    const body = response.json()
    t.equal(body.route, route, label)
    t.equal(body.dueDate, dueDate, `${label}: due date`)
    t.same(body.ruleSet, { id: 'zz-green-channel', version: 1, effectiveFrom: '2019-11-01' }, `${label}: rule-set version`)
    t.ok(
      body.explanation.some((item: { code: string }) => item.code === 'route.matched'),
      `${label}: explains the match`,
    )
    t.ok(
      body.explanation.every((item: { basis: string }) => item.basis.length > 0),
      `${label}: cites a basis`,
    )
  }
  t.same(await snapshotDatabase(database.db), before, 'assessments store nothing')
})

t.test('assessment details: stages, dueAt, emergency +24 h, boundary explanation, Shanghai date of the instant', async (t) => {
  const { app, key } = await buildTestApp(t)
  const office = await key('office')
  const assess = async (payload: Record<string, unknown>) => (await app.inject({ method: 'POST', url: '/v1/assessments', headers: bearer(office), payload })).json()

  const joint = await assess({ voltageVolts: 10000, excavationLengthMeters: 50, acceptedAt: '2026-02-12T10:00:00+08:00' })
  t.same(
    joint.stages.map((s: { key: string; workingDays: number; dueDate: string }) => [s.key, s.workingDays, s.dueDate]),
    [
      ['joint_survey', 4, '2026-02-25'],
      ['consultation', 2, '2026-02-27'],
      ['decision', 1, '2026-02-28'],
      ['issuance', 1, '2026-03-02'],
    ],
  )
  t.equal(joint.dueAt, '2026-03-02T23:59:59.999+08:00')
  t.equal(joint.requiresJointReview, true)
  t.ok(
    joint.explanation.some((i: { code: string }) => i.code === 'boundary.length.exactly_at_threshold'),
    'exactly 50 m: the boundary rule is named',
  )

  // 16:30Z on Feb 12 is already 00:30 on Feb 13 in Shanghai (docs/domain.md worked example).
  const lateNight = await assess({ voltageVolts: 10000, excavationLengthMeters: 10, acceptedAt: '2026-02-12T16:30:00Z' })
  t.equal(lateNight.dueDate, '2026-02-24')
  t.equal(lateNight.acceptedAt, '2026-02-13T00:30:00.000+08:00')

  const emergency = await assess({ voltageVolts: 10000, excavationLengthMeters: 10, emergency: true, acceptedAt: '2026-02-12T10:00:00+08:00' })
  t.same(emergency.timeLimit, { amount: 24, unit: 'hours' })
  t.equal(emergency.dueAt, '2026-02-13T10:00:00.000+08:00')

  const intoUnloadedYear = await assess({ voltageVolts: 35000, excavationLengthMeters: 10, acceptedAt: '2026-12-20T10:00:00+08:00' })
  t.equal(intoUnloadedYear.provisional, true, 'a deadline in 2027 (not loaded) is provisional')

  const defaultNow = await assess({ voltageVolts: 380, excavationLengthMeters: 5 })
  t.equal(defaultNow.acceptedAt, '2026-02-12T10:00:00.000+08:00', 'acceptedAt defaults to the service clock')
})

t.test('bad assessment input: 400 problem+json listing each field path', async (t) => {
  const { app, key } = await buildTestApp(t)
  const dispatch = await key('dispatch')
  const cases: Array<[string, unknown, string[]]> = [
    ['missing fields', {}, ['body.voltageVolts', 'body.excavationLengthMeters']],
    ['wrong types', { voltageVolts: '10000', excavationLengthMeters: true }, ['body.voltageVolts', 'body.excavationLengthMeters']],
    ['fractional volts', { voltageVolts: 380.5, excavationLengthMeters: 10 }, ['body.voltageVolts']],
    ['zero and negative', { voltageVolts: 0, excavationLengthMeters: -1 }, ['body.voltageVolts', 'body.excavationLengthMeters']],
    ['three decimals', { voltageVolts: 380, excavationLengthMeters: 10.001 }, ['body.excavationLengthMeters']],
    ['too long', { voltageVolts: 380, excavationLengthMeters: 100000.01 }, ['body.excavationLengthMeters']],
    ['instant without offset', { voltageVolts: 380, excavationLengthMeters: 10, acceptedAt: '2026-02-12T10:00:00' }, ['body.acceptedAt']],
    ['impossible instant', { voltageVolts: 380, excavationLengthMeters: 10, acceptedAt: '2026-02-30T10:00:00Z' }, ['body.acceptedAt']],
    ['unknown field', { voltageVolts: 380, excavationLengthMeters: 10, voltage: 1 }, ['body.voltage']],
    ['array body', [1, 2], ['body']],
  ]
  for (const [label, payload, paths] of cases) {
    const response = await app.inject({ method: 'POST', url: '/v1/assessments', headers: bearer(dispatch), payload: payload as object })
    t.equal(response.statusCode, 400, label)
    t.match(response.headers['content-type'], /^application\/problem\+json/, label)
    const body = response.json()
    t.equal(body.code, 'validation_failed', label)
    t.same(body.errors.map((e: { path: string }) => e.path).sort(), [...paths].sort(), `${label}: paths`)
    t.ok(
      body.errors.every((e: { message: string }) => e.message.length > 0),
      `${label}: messages`,
    )
  }

  const malformed = await app.inject({
    method: 'POST',
    url: '/v1/assessments',
    headers: { ...bearer(dispatch), 'content-type': 'application/json' },
    payload: '{"voltageVolts": 10',
  })
  t.equal(malformed.statusCode, 400)
  t.equal(malformed.json().code, 'malformed_json')

  const wrongType = await app.inject({ method: 'POST', url: '/v1/assessments', headers: { ...bearer(dispatch), 'content-type': 'text/plain' }, payload: 'hello' })
  t.equal(wrongType.statusCode, 415)
  t.equal(wrongType.json().code, 'unsupported_media_type')

  const empty = await app.inject({ method: 'POST', url: '/v1/assessments', headers: { ...bearer(dispatch), 'content-type': 'application/json' } })
  t.equal(empty.statusCode, 400)

  const huge = await app.inject({
    method: 'POST',
    url: '/v1/assessments',
    headers: { ...bearer(dispatch), 'content-type': 'application/json' },
    payload: JSON.stringify({ voltageVolts: 380, excavationLengthMeters: 10, pad: 'x'.repeat(300_000) }),
  })
  t.equal(huge.statusCode, 413)
  t.equal(huge.json().code, 'body_too_large')

  const unknownRoute = await app.inject({ method: 'GET', url: '/v1/nothing-here', headers: bearer(dispatch) })
  t.equal(unknownRoute.statusCode, 404)
  t.equal(unknownRoute.json().code, 'route_not_found')
  const wrongMethod = await app.inject({ method: 'DELETE', url: '/v1/assessments', headers: bearer(dispatch) })
  t.equal(wrongMethod.statusCode, 405)
  t.equal(wrongMethod.headers.allow, 'POST')
})
