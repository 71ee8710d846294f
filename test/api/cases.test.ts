import t from 'tap'
import { ManualClock } from '../../src/platform/clock.ts'
import { bearer, buildTestApp, caseBody } from '../helpers/test-app.ts'
import { snapshotDatabase } from '../helpers/db-snapshot.ts'

t.test('intake: each route gets its status, number, rule-set version, explanation and first event', async (t) => {
  const { app, database, key } = await buildTestApp(t)
  const dispatch = await key('dispatch', 'ORG-A')
  const submissions: Array<[string, Record<string, unknown>, string, string]> = [
    ['fast track', { excavationLengthMeters: 30 }, 'fast_track', 'submitted'],
    ['joint review', { excavationLengthMeters: 50 }, 'joint_review', 'submitted'],
    ['standard', { voltageVolts: 35000 }, 'standard', 'submitted'],
    ['special approval', { roadProtected: true }, 'special_approval', 'submitted'],
    ['emergency', { emergency: true }, 'emergency_repair', 'notified'],
    ['commitment', { voltageVolts: 380, excavationLengthMeters: 120, commitment: { signedBy: 'Li Ming', statement: 'We will restore the road.' } }, 'commitment_filing', 'filed'],
  ]
  const numbers = new Set<string>()
  for (const [label, overrides, route, status] of submissions) {
    const response = await app.inject({ method: 'POST', url: '/v1/cases', headers: bearer(dispatch), payload: caseBody(overrides) })
    t.equal(response.statusCode, 201, label)
    const body = response.json()
    t.equal(body.route, route, label)
    t.equal(body.status, status, label)
    t.match(body.number, /^ZZ-2026-\d{6}$/, `${label}: human-readable number`)
    numbers.add(body.number)
    t.equal(response.headers.location, `/v1/cases/${body.id}`, `${label}: Location`)
    t.equal(response.headers.etag, '"1"', `${label}: ETag is the version`)
    t.same(body.ruleSet, { id: 'zz-green-channel', version: 1, effectiveFrom: '2019-11-01' })
    t.ok(body.explanation.length > 0)
    t.equal(body.organization, 'ORG-A')
    t.equal(body.submittedAt, '2026-02-12T10:00:00.000+08:00')
    if (route === 'emergency_repair') t.equal(body.formalitiesDueAt, '2026-02-13T10:00:00.000+08:00', '24 hours to complete the formalities')
    else t.equal(body.formalitiesDueAt, null)
    if (route === 'commitment_filing') t.equal(body.filingReceiptNumber, body.number.replace('ZZ-', 'ZZ-BB-'), 'a filing receipt at once')
    else t.equal(body.filingReceiptNumber, null)

    const events = await database.db.selectFrom('case_event').selectAll().where('case_id', '=', body.id).execute()
    t.equal(events.length, 1, `${label}: one event`)
    t.equal(events[0]?.type, `case.${status}`)
    t.equal(events[0]?.to_status, status)
    t.equal(events[0]?.request_id, response.headers['request-id'], 'the event carries the request ID')

    const read = await app.inject({ method: 'GET', url: `/v1/cases/${body.id}`, headers: bearer(dispatch) })
    t.equal(read.statusCode, 200)
    t.same(read.json(), body, `${label}: reads back as created`)
    t.equal(read.headers.etag, '"1"')
  }
  t.equal(numbers.size, submissions.length, 'case numbers are unique')
})

t.test('a case keeps the rule-set version it was decided under after a newer one takes effect', async (t) => {
  const clock = new ManualClock('2026-02-12T02:00:00Z')
  const { app, key } = await buildTestApp(t, { clock })
  const admin = await key('admin')
  const dispatch = await key('dispatch')
  const before = (await app.inject({ method: 'POST', url: '/v1/cases', headers: bearer(dispatch), payload: caseBody({ excavationLengthMeters: 60 }) })).json()
  t.equal(before.route, 'joint_review')

  const current = (await app.inject({ method: 'GET', url: '/v1/rule-sets/zz-green-channel', headers: bearer(admin) })).json()
  const parameters = structuredClone(current.parameters)
  // Version 2: fast track up to (not including) 80 m.
  const distribution = parameters.voltageTiers.find((tier: { key: string }) => tier.key === 'distribution')
  distribution.lengthBands[0].max.value = 80
  distribution.lengthBands[1].min.value = 80
  const published = await app.inject({
    method: 'POST',
    url: '/v1/rule-sets',
    headers: bearer(admin),
    payload: { id: 'zz-green-channel', effectiveFrom: '2026-03-01', name: 'Fast track under 80 m', parameters },
  })
  t.equal(published.statusCode, 201, published.body)
  t.equal(published.json().version, 2)
  t.equal(published.json().status, 'scheduled')

  clock.set('2026-03-02T02:00:00Z')
  const after = (await app.inject({ method: 'POST', url: '/v1/cases', headers: bearer(dispatch), payload: caseBody({ excavationLengthMeters: 60 }) })).json()
  t.equal(after.route, 'fast_track', 'the new version decides new cases')
  t.equal(after.ruleSet.version, 2)
  const reread = (await app.inject({ method: 'GET', url: `/v1/cases/${before.id}`, headers: bearer(dispatch) })).json()
  t.equal(reread.route, 'joint_review', 'the old case keeps its decision')
  t.equal(reread.ruleSet.version, 1)
})

t.test('intake refusals: 4xx problem+json with field paths, and nothing written', async (t) => {
  const { app, database, key } = await buildTestApp(t)
  const dispatch = await key('dispatch', 'ORG-A')
  const office = await key('office')
  const cases: Array<[string, string, Record<string, unknown>, number, string[]]> = [
    ['commitment missing', dispatch, caseBody({ voltageVolts: 380, excavationLengthMeters: 20 }), 422, ['body.commitment']],
    ['end before start', dispatch, caseBody({ plannedStartDate: '2026-03-10', plannedEndDate: '2026-03-01' }), 400, ['body.plannedEndDate']],
    ['impossible date', dispatch, caseBody({ plannedStartDate: '2026-02-30' }), 400, ['body.plannedStartDate']],
    [
      'missing nested fields',
      dispatch,
      caseBody({ works: {}, location: { district: '' }, contact: { name: 'x' } }),
      400,
      ['body.works.title', 'body.location.district', 'body.location.roadName', 'body.contact.phone'],
    ],
    [
      'bad geometry',
      dispatch,
      caseBody({ location: { district: 'Longwen', roadName: 'R', geometry: { type: 'LineString', coordinates: [[200, 10]] } } }),
      400,
      ['body.location.geometry.coordinates', 'body.location.geometry.coordinates.0.0'],
    ],
    [
      'open polygon',
      dispatch,
      caseBody({
        location: {
          district: 'Longwen',
          roadName: 'R',
          geometry: {
            type: 'Polygon',
            coordinates: [
              [
                [117.6, 24.5],
                [117.7, 24.5],
                [117.7, 24.6],
                [117.6, 24.7],
              ],
            ],
          },
        },
      }),
      400,
      ['body.location.geometry.coordinates.0'],
    ],
    [
      'a point is not accepted',
      dispatch,
      caseBody({ location: { district: 'Longwen', roadName: 'R', geometry: { type: 'Point', coordinates: [117.6, 24.5] } } }),
      400,
      ['body.location.geometry.type'],
    ],
    ['dispatch for another organization', dispatch, caseBody({ organization: 'ORG-B' }), 400, ['body.organization']],
    ['office without organization', office, caseBody(), 400, ['body.organization']],
    ['office with unknown organization', office, caseBody({ organization: 'NOPE' }), 400, ['body.organization']],
  ]
  for (const [label, key_, payload, status, paths] of cases) {
    const before = await snapshotDatabase(database.db)
    const response = await app.inject({ method: 'POST', url: '/v1/cases', headers: bearer(key_), payload })
    t.equal(response.statusCode, status, `${label}: ${response.body.slice(0, 200)}`)
    t.match(response.headers['content-type'], /^application\/problem\+json/)
    t.same(
      response
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort(),
      [...paths].sort(),
      `${label}: paths`,
    )
    t.same(await snapshotDatabase(database.db), before, `${label}: nothing written`)
  }

  const geometry = {
    type: 'LineString',
    coordinates: [
      [117.647, 24.513],
      [117.652, 24.515],
    ],
  }
  const withGeometry = await app.inject({
    method: 'POST',
    url: '/v1/cases',
    headers: bearer(office),
    payload: caseBody({ organization: 'ORG-A', location: { district: 'Longwen', roadName: 'R', geometry } }),
  })
  t.equal(withGeometry.statusCode, 201, 'an office key submits on behalf of a known organization')
  t.same(withGeometry.json().location.geometry, geometry)
})

t.test('externalReference is unique per organization: a repeat is 409 naming the existing case', async (t) => {
  const { app, key } = await buildTestApp(t)
  const orgA = await key('dispatch', 'ORG-A')
  const orgB = await key('dispatch', 'ORG-B')
  const first = await app.inject({ method: 'POST', url: '/v1/cases', headers: bearer(orgA), payload: caseBody({ externalReference: 'WO-1' }) })
  t.equal(first.statusCode, 201)
  const again = await app.inject({ method: 'POST', url: '/v1/cases', headers: bearer(orgA), payload: caseBody({ externalReference: 'WO-1' }) })
  t.equal(again.statusCode, 409)
  t.equal(again.json().code, 'duplicate_external_reference')
  t.equal(again.json().caseId, first.json().id)
  const otherOrg = await app.inject({ method: 'POST', url: '/v1/cases', headers: bearer(orgB), payload: caseBody({ externalReference: 'WO-1' }) })
  t.equal(otherOrg.statusCode, 201, 'another organization may use the same reference')

  const concurrent = await Promise.all(
    Array.from({ length: 8 }, () => app.inject({ method: 'POST', url: '/v1/cases', headers: bearer(orgA), payload: caseBody({ externalReference: 'WO-RACE' }) })),
  )
  t.same(concurrent.map((r) => r.statusCode).sort(), [201, 409, 409, 409, 409, 409, 409, 409], 'concurrent twins: one wins, the rest are told')
})

t.test('reading and listing: dispatch sees its own organization only; filters; keyset pagination', async (t) => {
  const clock = new ManualClock('2026-03-01T02:00:00Z')
  const { app, key } = await buildTestApp(t, { clock })
  const orgA = await key('dispatch', 'ORG-A')
  const orgB = await key('dispatch', 'ORG-B')
  const auditor = await key('auditor')
  const ids: Record<string, string[]> = { 'ORG-A': [], 'ORG-B': [] }
  for (let i = 0; i < 7; i++) {
    clock.advanceMs(6 * 3_600_000) // spread over days in Shanghai
    const [k, org] = i % 3 === 0 ? [orgB, 'ORG-B'] : [orgA, 'ORG-A']
    const response = await app.inject({
      method: 'POST',
      url: '/v1/cases',
      headers: bearer(k),
      payload: caseBody({ excavationLengthMeters: i % 2 === 0 ? 30 : 60, location: { district: i < 4 ? 'Longwen' : 'Xiangcheng', roadName: 'R' } }),
    })
    ids[org]?.push(response.json().id)
  }

  const foreign = await app.inject({ method: 'GET', url: `/v1/cases/${ids['ORG-B']?.[0]}`, headers: bearer(orgA) })
  t.equal(foreign.statusCode, 404, "another organization's case is a 404, not a 403")
  t.equal(foreign.json().code, 'case_not_found')
  const unknown = await app.inject({ method: 'GET', url: '/v1/cases/00000000-0000-4000-8000-000000000000', headers: bearer(auditor) })
  t.equal(unknown.statusCode, 404)
  const badId = await app.inject({ method: 'GET', url: '/v1/cases/not-a-uuid', headers: bearer(auditor) })
  t.equal(badId.statusCode, 400)
  t.equal(badId.json().errors[0].path, 'path.id')

  const mine = (await app.inject({ method: 'GET', url: '/v1/cases', headers: bearer(orgA) })).json()
  t.same(mine.items.map((c: { id: string }) => c.id).sort(), [...(ids['ORG-A'] ?? [])].sort(), 'dispatch lists its own cases only')
  const peek = (await app.inject({ method: 'GET', url: '/v1/cases?organization=ORG-B', headers: bearer(orgA) })).json()
  t.same(peek.items, [], "asking for another organization's cases finds none")

  // Pages of 2 walk every case exactly once, newest first.
  const seen: string[] = []
  let cursor: string | null = null
  let pages = 0
  do {
    const url: string = `/v1/cases?limit=2${cursor ? `&cursor=${cursor}` : ''}`
    const page = (await app.inject({ method: 'GET', url, headers: bearer(auditor) })).json()
    seen.push(...page.items.map((c: { id: string }) => c.id))
    cursor = page.nextCursor
    pages++
  } while (cursor && pages < 10)
  t.equal(pages, 4)
  t.equal(new Set(seen).size, 7, 'no repeats, no gaps')
  const all = (await app.inject({ method: 'GET', url: '/v1/cases?limit=50', headers: bearer(auditor) })).json()
  t.same(
    seen,
    all.items.map((c: { id: string }) => c.id),
    'pages concatenate to the full list',
  )
  const submittedTimes = all.items.map((c: { submittedAt: string }) => c.submittedAt)
  t.same(submittedTimes, [...submittedTimes].sort().reverse(), 'newest first')

  const filtered = (await app.inject({ method: 'GET', url: '/v1/cases?route=joint_review&district=Longwen&organization=ORG-A', headers: bearer(auditor) })).json()
  t.ok(filtered.items.length > 0)
  t.ok(
    filtered.items.every(
      (c: { route: string; location: { district: string }; organization: string }) => c.route === 'joint_review' && c.location.district === 'Longwen' && c.organization === 'ORG-A',
    ),
  )
  const byStatus = (await app.inject({ method: 'GET', url: '/v1/cases?status=submitted', headers: bearer(auditor) })).json()
  t.equal(byStatus.items.length, 7)

  // Submitted from/to are Shanghai dates: the first case was submitted 2026-03-01T08:00Z = 16:00 in Shanghai.
  const firstDay = (await app.inject({ method: 'GET', url: '/v1/cases?submittedFrom=2026-03-01&submittedTo=2026-03-01', headers: bearer(auditor) })).json()
  t.ok(firstDay.items.every((c: { submittedAt: string }) => c.submittedAt.startsWith('2026-03-01')))
  t.ok(firstDay.items.length >= 1)
  const later = (await app.inject({ method: 'GET', url: '/v1/cases?submittedFrom=2026-03-02', headers: bearer(auditor) })).json()
  t.equal(firstDay.items.length + later.items.length, 7)

  const badCursor = await app.inject({ method: 'GET', url: '/v1/cases?cursor=garbage', headers: bearer(auditor) })
  t.equal(badCursor.statusCode, 400)
  t.equal(badCursor.json().code, 'invalid_cursor')
  const badLimit = await app.inject({ method: 'GET', url: '/v1/cases?limit=0', headers: bearer(auditor) })
  t.equal(badLimit.statusCode, 400)
  t.equal(badLimit.json().errors[0].path, 'query.limit')
  const badRoute = await app.inject({ method: 'GET', url: '/v1/cases?route=teleport', headers: bearer(auditor) })
  t.equal(badRoute.statusCode, 400)
})
