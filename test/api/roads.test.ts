import t from 'tap'
import { snapshotDatabase } from '../helpers/db-snapshot.ts'
import { bearer, buildTestApp, caseBody } from '../helpers/test-app.ts'
import { eastDegrees, jianyuan, jiuhu, northDegrees, shuixian, SHUIXIAN_LAT, SHUIXIAN_WEST, worksAlongJiuhu, worksAlongShuixian } from '../helpers/zhangzhou-roads.ts'

type App = Awaited<ReturnType<typeof buildTestApp>>['app']

async function loadRegister(app: App, key: string) {
  for (const road of [shuixian, jiuhu, jianyuan]) {
    const response = await app.inject({ method: 'PUT', url: `/v1/roads/${road.code}`, headers: bearer(key), payload: road.body })
    if (response.statusCode !== 201) throw new Error(`loading ${road.code}: ${response.body}`)
  }
}

t.test('the register: who may write, read, list, filter, page, export as GeoJSON, delete; every change in the history', async (t) => {
  const { app, key, database } = await buildTestApp(t)
  const [admin, office, dispatch, auditor] = [await key('admin'), await key('office'), await key('dispatch', 'ORG-A'), await key('auditor')]

  for (const who of [dispatch, auditor]) {
    const refused = await app.inject({ method: 'PUT', url: `/v1/roads/${shuixian.code}`, headers: bearer(who), payload: shuixian.body })
    t.equal(refused.statusCode, 403, 'only admin and office keys write the register')
  }
  const created = await app.inject({ method: 'PUT', url: `/v1/roads/${shuixian.code}`, headers: bearer(office), payload: shuixian.body })
  t.equal(created.statusCode, 201, created.body)
  t.equal(created.headers.location, `/v1/roads/${shuixian.code}`)
  const road = created.json()
  t.equal(road.version, 1)
  t.equal(road.protectedUntil, '2026-06-01', 'built 2021-06-01: protected through the 5th anniversary (民法典 art. 202)')
  t.same(
    road.protections.map((p: { period: string; since: string }) => [p.period, p.since]),
    [['new_or_reconstructed', '2021-06-01']],
  )
  const replaced = await app.inject({
    method: 'PUT',
    url: `/v1/roads/${shuixian.code}`,
    headers: bearer(admin),
    payload: { ...shuixian.body, reconstructedOn: '2023-02-28' },
  })
  t.equal(replaced.statusCode, 200, 'a second PUT replaces')
  t.equal(replaced.json().version, 2)
  t.equal(replaced.json().protectedUntil, '2028-02-28', 'a reconstruction restarts the 5 years from the later date')
  await app.inject({ method: 'PUT', url: `/v1/roads/${shuixian.code}`, headers: bearer(admin), payload: shuixian.body })
  for (const road_ of [jiuhu, jianyuan]) await app.inject({ method: 'PUT', url: `/v1/roads/${road_.code}`, headers: bearer(admin), payload: road_.body })

  const jiuhuRead = (await app.inject({ method: 'GET', url: `/v1/roads/${jiuhu.code}`, headers: bearer(dispatch) })).json()
  t.equal(jiuhuRead.protectedUntil, '2027-02-28', 'overhauled 2024-02-29: 3 years end on 28 February 2027, the month end (民法典 art. 202)')

  const list = async (query: string, k = dispatch, accept?: string) =>
    app.inject({ method: 'GET', url: `/v1/roads${query}`, headers: { ...bearer(k), ...(accept ? { accept } : {}) } })
  t.same(
    (await list('')).json().items.map((r: { code: string }) => r.code),
    ['ZZ-LW-0001', 'ZZ-LW-0002', 'ZZ-XC-0003'],
    'every role lists the register, in code order',
  )
  t.same(
    (await list('?district=Xiangcheng')).json().items.map((r: { code: string }) => r.code),
    ['ZZ-XC-0003'],
  )
  t.same(
    (await list('?class=secondary')).json().items.map((r: { code: string }) => r.code),
    ['ZZ-LW-0002'],
  )
  // A box around the west end of Shuixian Avenue only (Jiuhu Road is at 117.66 E).
  t.same(
    (await list(`?bbox=${SHUIXIAN_WEST - 0.001},${SHUIXIAN_LAT - 0.001},${SHUIXIAN_WEST + 0.001},${SHUIXIAN_LAT + 0.001}`)).json().items.map((r: { code: string }) => r.code),
    ['ZZ-LW-0001'],
  )
  t.equal((await list('?bbox=118,25,117,24')).statusCode, 400, 'min above max is a 400')
  t.equal((await list('?bbox=1,2,3')).statusCode, 400)

  const first = (await list('?limit=2')).json()
  t.equal(first.items.length, 2)
  const second = (await list(`?limit=2&cursor=${encodeURIComponent(first.nextCursor)}`)).json()
  t.same(
    second.items.map((r: { code: string }) => r.code),
    ['ZZ-XC-0003'],
  )
  t.equal(second.nextCursor, null)
  t.equal((await list('?cursor=garbage')).statusCode, 400)

  const geo = await list('?district=Longwen', auditor, 'application/geo+json')
  t.equal(geo.statusCode, 200)
  t.match(geo.headers['content-type'], /^application\/geo\+json/)
  const collection = geo.json()
  t.equal(collection.type, 'FeatureCollection')
  t.same(
    collection.features.map((f: { id: string; type: string }) => [f.type, f.id]),
    [
      ['Feature', 'ZZ-LW-0001'],
      ['Feature', 'ZZ-LW-0002'],
    ],
  )
  t.equal(collection.features[0].geometry.type, 'LineString')
  t.equal(collection.features[0].properties.class, 'arterial')

  t.equal((await app.inject({ method: 'DELETE', url: `/v1/roads/${jianyuan.code}`, headers: bearer(office) })).statusCode, 403, 'only admin deletes')
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/roads/${jianyuan.code}`, headers: bearer(admin) })).statusCode, 204)
  t.equal((await app.inject({ method: 'GET', url: `/v1/roads/${jianyuan.code}`, headers: bearer(admin) })).statusCode, 404)
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/roads/${jianyuan.code}`, headers: bearer(admin) })).statusCode, 404)

  const history = await app.inject({ method: 'GET', url: `/v1/roads/${shuixian.code}/history`, headers: bearer(auditor) })
  t.equal(history.statusCode, 200)
  const entries = history.json().items
  t.same(
    entries.map((e: { change: string; version: number }) => [e.change, e.version]),
    [
      ['created', 1],
      ['updated', 2],
      ['updated', 3],
    ],
  )
  t.equal(entries[0].before, null)
  t.equal(entries[1].before.reconstructedOn, null, 'before and after are kept')
  t.equal(entries[1].after.reconstructedOn, '2023-02-28')
  t.equal(entries[0].actor.role, 'office')
  t.ok(entries[0].requestId, 'with the request id')
  const deleted = (await app.inject({ method: 'GET', url: `/v1/roads/${jianyuan.code}/history`, headers: bearer(admin) })).json().items
  t.same(
    deleted.map((e: { change: string }) => e.change),
    ['created', 'deleted'],
    'the history outlives the road',
  )
  t.equal((await app.inject({ method: 'GET', url: `/v1/roads/${jianyuan.code}/history`, headers: bearer(dispatch) })).statusCode, 403)

  // Bad geometry is refused with its path, and nothing changes.
  const before = await snapshotDatabase(database.db)
  const outside = await app.inject({
    method: 'PUT',
    url: '/v1/roads/ZZ-X-1',
    headers: bearer(admin),
    payload: {
      ...jianyuan.body,
      geometry: {
        type: 'LineString',
        coordinates: [
          [117.65, 24.53],
          [118.5, 24.53],
        ],
      },
    },
  })
  t.equal(outside.statusCode, 422)
  t.equal(outside.json().code, 'invalid_geometry')
  t.same(
    outside.json().errors.map((e: { path: string }) => e.path),
    ['body.geometry.coordinates.1'],
  )
  const badDate = await app.inject({ method: 'PUT', url: '/v1/roads/ZZ-X-1', headers: bearer(admin), payload: { ...jianyuan.body, builtOn: '2021-02-30' } })
  t.equal(badDate.statusCode, 400)
  t.same(
    badDate.json().errors.map((e: { path: string }) => e.path),
    ['body.builtOn'],
  )
  const badRestriction = await app.inject({
    method: 'PUT',
    url: '/v1/roads/ZZ-X-1',
    headers: bearer(admin),
    payload: { ...jianyuan.body, restrictions: [{ from: '2026-05-05', to: '2026-05-01', reason: 'x' }] },
  })
  t.same(
    badRestriction.json().errors.map((e: { path: string }) => e.path),
    ['body.restrictions.0.to'],
  )
  t.same(await snapshotDatabase(database.db), before, 'nothing written')
})

t.test('bulk import of a FeatureCollection is all or nothing, with each fault at its path', async (t) => {
  const { app, key, database } = await buildTestApp(t)
  const [admin, office] = [await key('admin'), await key('office')]
  const feature = (road: { code: string; body: { geometry: unknown } & Record<string, unknown> }) => {
    const { geometry, ...properties } = road.body
    return { type: 'Feature', geometry, properties: { code: road.code, ...properties } }
  }
  const good = { type: 'FeatureCollection', features: [shuixian, jiuhu, jianyuan].map(feature) }
  t.equal((await app.inject({ method: 'POST', url: '/v1/roads/import', headers: bearer(office), payload: good })).statusCode, 403, 'admin only')

  const before = await snapshotDatabase(database.db)
  const selfCrossing = {
    type: 'LineString',
    coordinates: [
      [117.6, 24.5],
      [117.601, 24.501],
      [117.601, 24.5],
      [117.6, 24.501],
    ],
  }
  const bad = {
    type: 'FeatureCollection',
    features: [feature(shuixian), { ...feature(jiuhu), geometry: selfCrossing }, feature({ ...jianyuan, code: shuixian.code })],
  }
  const refused = await app.inject({ method: 'POST', url: '/v1/roads/import', headers: bearer(admin), payload: bad })
  t.equal(refused.statusCode, 422, refused.body)
  t.equal(refused.json().code, 'invalid_road_import')
  t.same(
    refused.json().errors.map((e: { path: string }) => e.path),
    ['body.features.1.geometry.coordinates.0', 'body.features.2.properties.code'],
  )
  const shapeless = await app.inject({
    method: 'POST',
    url: '/v1/roads/import',
    headers: bearer(admin),
    payload: { type: 'FeatureCollection', features: [{ ...feature(jiuhu), properties: { code: 'A', class: 'motorway' } }] },
  })
  t.equal(shapeless.statusCode, 400)
  t.ok(
    shapeless
      .json()
      .errors.map((e: { path: string }) => e.path)
      .includes('body.features.0.properties.class'),
  )
  t.same(await snapshotDatabase(database.db), before, 'nothing imported')

  const imported = await app.inject({ method: 'POST', url: '/v1/roads/import', headers: bearer(admin), payload: good })
  t.equal(imported.statusCode, 200, imported.body)
  t.same({ ...imported.json(), roads: undefined }, { imported: 3, created: 3, updated: 0, roads: undefined })
  const again = (await app.inject({ method: 'POST', url: '/v1/roads/import', headers: bearer(admin), payload: good })).json()
  t.same([again.created, again.updated], [0, 3], 'a second import replaces')
  const history = (await app.inject({ method: 'GET', url: `/v1/roads/${jiuhu.code}/history`, headers: bearer(admin) })).json().items
  t.same(
    history.map((e: { source: string; change: string }) => [e.source, e.change]),
    [
      ['import', 'created'],
      ['import', 'updated'],
    ],
  )
})

t.test('decisions on the register: protection on the planned start date, art. 33 cited, roadProtected false does not override', async (t) => {
  const { app, key } = await buildTestApp(t)
  const [admin, dispatch, auditor] = [await key('admin'), await key('dispatch', 'ORG-A'), await key('auditor')]
  await loadRegister(app, admin)

  const submit = (overrides: Record<string, unknown>) => app.inject({ method: 'POST', url: '/v1/cases', headers: bearer(dispatch), payload: caseBody(overrides) })
  const onShuixian = (start: string, extra: Record<string, unknown> = {}) =>
    submit({
      excavationLengthMeters: 30,
      roadProtected: false,
      location: { district: 'Longwen', roadName: 'Shuixian Avenue', geometry: worksAlongShuixian(30) },
      plannedStartDate: start,
      plannedEndDate: start,
      ...extra,
    })

  const protectedCase = await onShuixian('2026-03-02')
  t.equal(protectedCase.statusCode, 201, protectedCase.body)
  const body = protectedCase.json()
  t.equal(body.route, 'special_approval', 'the register decides: declared false does not override it')
  t.equal(body.roadProtected, false, 'the declaration is kept as declared')
  t.same(
    body.roads.map((r: { code: string; class: string; protectedUntil: string; registerVersion: number }) => [r.code, r.class, r.protectedUntil, r.registerVersion]),
    [['ZZ-LW-0001', 'arterial', '2026-06-01', 1]],
  )
  t.ok(body.roads[0].distanceMeters <= 3.01, `runs along it (${body.roads[0].distanceMeters} m)`)
  const matched = body.explanation.find((e: { code: string }) => e.code === 'route.matched')
  t.match(matched.text, /ZZ-LW-0001/)
  t.match(matched.text, /2021-06-01/)
  t.match(matched.text, /through 2026-06-01/)
  t.match(matched.text, /保护期/)
  t.match(matched.basis, /第三十三条/)

  // The exactly-5-years edge: protected on the anniversary, free the day after.
  t.equal((await onShuixian('2026-06-01')).json().route, 'special_approval', 'on 2026-06-01, the 5th anniversary, still protected')
  const free = (await onShuixian('2026-06-02')).json()
  t.equal(free.route, 'fast_track', 'on 2026-06-02 the road may be dug')
  t.match(free.explanation.find((e: { code: string }) => e.code === 'route.not_matched.special_approval').text, /ZZ-LW-0001.*not in their protection period/)
  t.equal((await onShuixian('2026-06-02', { roadProtected: true })).json().route, 'special_approval', 'roadProtected: true still forces it')

  // The auditor and the office see the same roads; the road facts are those of decision time.
  await app.inject({ method: 'PUT', url: `/v1/roads/${shuixian.code}`, headers: bearer(admin), payload: { ...shuixian.body, builtOn: '2010-01-01' } })
  const later = (await app.inject({ method: 'GET', url: `/v1/cases/${body.id}`, headers: bearer(auditor) })).json()
  t.same(later.roads, body.roads, 'a case keeps the register as it was when its route was decided')
  t.equal((await onShuixian('2026-03-02')).json().route, 'fast_track', 'a new case sees the changed register')
})

t.test('measured length: the larger of declared and measured decides; tolerance edges; polygons by their minimum bounding rectangle', async (t) => {
  const { app, key } = await buildTestApp(t)
  const [admin, dispatch] = [await key('admin'), await key('dispatch', 'ORG-A')]
  await loadRegister(app, admin)
  const submit = (declared: number, geometry?: unknown) =>
    app.inject({
      method: 'POST',
      url: '/v1/cases',
      headers: bearer(dispatch),
      payload: caseBody({ excavationLengthMeters: declared, location: { district: 'Xiangcheng', roadName: 'Jianyuan Road', ...(geometry ? { geometry } : {}) } }),
    })
  // Along Jianyuan Road (a branch road built 1998: not protected), 5 m south of it.
  const along = (meters: number) => ({
    type: 'LineString',
    coordinates: [
      [117.651, 24.53 - northDegrees(5)],
      [117.651 + eastDegrees(meters, 24.53 - northDegrees(5)), 24.53 - northDegrees(5)],
    ],
  })

  const underDeclared = (await submit(30, along(60))).json()
  t.equal(underDeclared.route, 'joint_review', 'declared 30 m, measured 60 m: the measured length decides')
  t.same(underDeclared.lengthCheck, {
    declaredMeters: 30,
    measuredMeters: 60,
    differenceMeters: 30,
    withinTolerance: false,
    toleranceMeters: 2,
    decidedBy: 'measured',
    decidingMeters: 60,
  })
  t.equal(underDeclared.explanation[0].code, 'length.measured')
  t.match(underDeclared.explanation[0].text, /measured length of 60 m decides/)
  t.match(underDeclared.explanation[0].text, /按实测长度60米判定/)
  t.same(
    underDeclared.roads.map((r: { code: string }) => r.code),
    ['ZZ-XC-0003'],
  )

  const overDeclared = (await submit(45, along(40))).json()
  t.equal(overDeclared.route, 'fast_track')
  t.equal(overDeclared.lengthCheck.decidedBy, 'declared')
  t.equal(overDeclared.lengthCheck.withinTolerance, false, '5 m off 45 m: over max(2 m, 2.25 m)')

  const edges: Array<[number, number, boolean, string]> = [
    [100, 105, true, '5 % of 100 m is 5 m: exactly on the tolerance is within'],
    [100, 105.01, false, '1 cm over 5 %'],
    [100, 95, true, '5 m shorter'],
    [20, 22, true, 'under 40 m the 2 m floor applies: exactly 2 m'],
    [20, 22.01, false, '2.01 m'],
    [49.99, 49.99, true, 'agreeing'],
  ]
  for (const [declared, measured, within, label] of edges) {
    const check = (await submit(declared, along(measured))).json().lengthCheck
    t.equal(check.measuredMeters, measured, `${label}: measured to the centimetre`)
    t.equal(check.withinTolerance, within, label)
  }
  t.equal((await submit(49.99, along(49.99))).json().route, 'fast_track', 'measured 49.99 m: under 50 m')
  t.equal((await submit(49.99, along(50))).json().route, 'joint_review', 'measured exactly 50 m: the larger decides, 50 m is joint review')

  // A dig polygon 70 m × 3 m, turned 30° off east: its long side is the trench length.
  const angle = Math.PI / 6
  const [cx, cy] = [117.7, 24.45]
  const corner = (u: number, v: number) => {
    const x = u * Math.cos(angle) - v * Math.sin(angle)
    const y = u * Math.sin(angle) + v * Math.cos(angle)
    return [cx + eastDegrees(x, cy), cy + northDegrees(y)]
  }
  const rectangle = { type: 'Polygon', coordinates: [[corner(-35, -1.5), corner(35, -1.5), corner(35, 1.5), corner(-35, 1.5), corner(-35, -1.5)]] }
  const dig = (await submit(10, rectangle)).json()
  t.equal(dig.lengthCheck.measuredMeters, 70, 'the long side of the minimum bounding rectangle')
  t.equal(dig.route, 'joint_review')
  t.same(dig.roads, [], 'no register road there')

  const unchecked = (await submit(30)).json()
  t.equal(unchecked.lengthCheck, null)
  t.equal(unchecked.explanation[0].code, 'length.not_checked')
  t.match(unchecked.explanation[0].text, /not checked/)
})

t.test('restrictions refuse overlapping works at intake (dates inclusive); geometry faults are 422 with paths', async (t) => {
  const { app, key, database } = await buildTestApp(t)
  const [admin, dispatch] = [await key('admin'), await key('dispatch', 'ORG-A')]
  await loadRegister(app, admin)
  const submit = (overrides: Record<string, unknown>) => app.inject({ method: 'POST', url: '/v1/cases', headers: bearer(dispatch), payload: caseBody(overrides) })
  const onJiuhu = (from: string, to: string, extra: Record<string, unknown> = {}) =>
    submit({ location: { district: 'Longwen', roadName: 'Jiuhu Road', geometry: worksAlongJiuhu(30) }, plannedStartDate: from, plannedEndDate: to, ...extra })

  const before = await snapshotDatabase(database.db)
  const refused = await onJiuhu('2026-04-28', '2026-05-01')
  t.equal(refused.statusCode, 422, 'the last planned day is the first restricted day')
  t.equal(refused.json().code, 'road_restricted')
  t.match(refused.json().detail, /ZZ-LW-0002 from 2026-05-01 to 2026-05-05/)
  t.same(
    refused.json().errors.map((e: { path: string }) => e.path),
    ['body.plannedStartDate'],
  )
  t.match(refused.json().errors[0].message, /Labour Day/)
  t.equal((await onJiuhu('2026-05-05', '2026-05-09')).statusCode, 422, 'starting on the last restricted day')
  t.same(await snapshotDatabase(database.db), before, 'nothing written')

  const after = await onJiuhu('2026-05-06', '2026-05-09')
  t.equal(after.statusCode, 201)
  t.equal(after.json().route, 'special_approval', 'overhauled 2024-02-29: protected through 2027-02-28')
  t.equal((await onJiuhu('2026-04-20', '2026-05-03', { emergency: true })).json().route, 'emergency_repair', 'an emergency repair digs first (art. 34)')

  const written = await snapshotDatabase(database.db)
  const faults: Array<[string, unknown, string[]]> = [
    [
      'outside Zhangzhou',
      {
        type: 'LineString',
        coordinates: [
          [118.1, 24.5],
          [118.2, 24.5],
        ],
      },
      ['body.location.geometry.coordinates.1'],
    ],
    [
      'a 1 km jump',
      {
        type: 'LineString',
        coordinates: [
          [117.6, 24.5],
          [117.6, 24.5 + northDegrees(1000.5)],
        ],
      },
      ['body.location.geometry.coordinates.1'],
    ],
    [
      'a repeated vertex',
      {
        type: 'LineString',
        coordinates: [
          [117.6, 24.5],
          [117.6, 24.5],
          [117.601, 24.5],
        ],
      },
      ['body.location.geometry.coordinates.1'],
    ],
    [
      'a huge float',
      {
        type: 'LineString',
        coordinates: [
          [1e308, 24.5],
          [117.6, 24.5],
        ],
      },
      ['body.location.geometry.coordinates.0.0'],
    ],
  ]
  for (const [label, geometry, paths] of faults) {
    const response = await submit({ location: { district: 'Longwen', roadName: 'R', geometry } })
    t.ok([400, 422].includes(response.statusCode), `${label}: ${response.statusCode}`)
    t.same(
      response.json().errors.map((e: { path: string }) => e.path),
      paths,
      label,
    )
  }
  t.same(await snapshotDatabase(database.db), written, 'a refused geometry writes nothing')
})

t.test('POST /v1/assessments decides on the same facts as intake', async (t) => {
  const { app, key } = await buildTestApp(t)
  const [admin, dispatch] = [await key('admin'), await key('dispatch', 'ORG-A')]
  await loadRegister(app, admin)
  const assess = (payload: Record<string, unknown>) =>
    app.inject({ method: 'POST', url: '/v1/assessments', headers: bearer(dispatch), payload: { voltageVolts: 10000, excavationLengthMeters: 30, ...payload } })
  const protectedRoad = (await assess({ geometry: worksAlongShuixian(30), plannedStartDate: '2026-06-01' })).json()
  t.equal(protectedRoad.route, 'special_approval')
  t.equal(protectedRoad.roads[0].code, 'ZZ-LW-0001')
  t.equal((await assess({ geometry: worksAlongShuixian(30), plannedStartDate: '2026-06-02' })).json().route, 'fast_track')
  const measured = (await assess({ geometry: worksAlongShuixian(60), plannedStartDate: '2026-07-01' })).json()
  t.equal(measured.route, 'joint_review', 'the measured 60 m decides')
  t.equal(measured.lengthCheck.decidedBy, 'measured')
  const plain = (await assess({})).json()
  t.equal(plain.lengthCheck, null)
  t.equal(plain.explanation[0].code, 'length.not_checked')
  const restricted = await assess({ geometry: worksAlongJiuhu(30), plannedStartDate: '2026-05-03' })
  t.equal(restricted.statusCode, 422)
  t.equal(restricted.json().code, 'road_restricted')
  const bad = await assess({
    geometry: {
      type: 'LineString',
      coordinates: [
        [117.6, 24.5],
        [117.6, 24.5],
      ],
    },
  })
  t.equal(bad.statusCode, 422)
  t.same(
    bad.json().errors.map((e: { path: string }) => e.path),
    ['body.geometry.coordinates.1'],
  )
})
