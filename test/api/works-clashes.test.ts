import t from 'tap'
import { EARTH_RADIUS_METERS } from '../../src/core/geo/local-projection.ts'
import { ManualClock } from '../../src/platform/clock.ts'
import { approval, lifecycleClient } from '../helpers/lifecycle-client.ts'
import { bearer, buildTestApp } from '../helpers/test-app.ts'

// Trenches of known length by construction on Shuixian Avenue, Longwen, Zhangzhou: meridian segments, offsets along the parallel.
const M = (EARTH_RADIUS_METERS * Math.PI) / 180
const LAT = 24.513
const LON = 117.647
const north = (m: number) => m / M
const east = (m: number) => m / (M * Math.cos((LAT * Math.PI) / 180))
/** A 30 m trench running north, `offset` metres east of the reference line. */
const trench = (offset: number) => ({
  type: 'LineString',
  coordinates: [
    [LON + east(offset), LAT],
    [LON + east(offset), LAT + north(30)],
  ],
})
const at = (period: [string, string]) => ({ plannedStartDate: period[0], plannedEndDate: period[1] })
const location = (offset: number) => ({ district: 'Longwen', roadName: 'Shuixian Avenue', geometry: trench(offset) })
const FEED_BOX = `${LON - 0.01},${LAT - 0.01},${LON + 0.01},${LAT + 0.01}`

t.test('clashes at intake and approval, every role’s view, link and dismiss, the map feed', async (t) => {
  const clock = new ManualClock('2026-02-12T02:00:00Z')
  const testApp = await buildTestApp(t, { clock })
  const { app } = testApp
  const client = lifecycleClient(testApp)
  const [dispatchA, dispatchB, office, auditor] = [
    await testApp.key('dispatch', 'ORG-A'),
    await testApp.key('dispatch', 'ORG-B'),
    await testApp.key('office'),
    await testApp.key('auditor'),
  ]
  const get = async (key: string, url: string) => await app.inject({ method: 'GET', url, headers: bearer(key) })

  const a = await client.submit(dispatchA, { location: location(0), ...at(['2026-03-02', '2026-03-10']) })
  t.same(a.coordination, { clashes: [] }, 'the first works clash with nothing')
  // 9.9 m east, sharing only the day 2026-03-10 (inclusive dates), another organization.
  const b = await client.submit(dispatchB, { location: location(9.9), ...at(['2026-03-10', '2026-03-15']) })
  t.same(
    b.coordination.clashes,
    [{ caseNumber: a.number, road: 'Shuixian Avenue', period: { from: '2026-03-02', to: '2026-03-10' } }],
    "ORG-B sees ORG-A's case only as number, road, period",
  )
  // 10.1 m west: outside the 10 m buffer. 9.9 m west but ending the day before A starts: no shared day.
  const c = await client.submit(dispatchA, { location: location(-10.1), ...at(['2026-03-02', '2026-03-10']) })
  t.same(c.coordination.clashes, [], '10.1 m is outside the buffer')
  const d = await client.submit(dispatchA, { location: location(-9.9), ...at(['2026-02-20', '2026-03-01']) })
  t.same(d.coordination.clashes, [], 'ending the day before is no overlap')

  const officeView = (await get(office, `/v1/cases/${a.id}`)).json()
  t.equal(officeView.coordination.clashes.length, 1)
  t.match(officeView.coordination.clashes[0], {
    caseId: b.id,
    caseNumber: b.number,
    overlapFrom: '2026-03-10',
    overlapTo: '2026-03-10',
    sameRoad: true,
    status: 'open',
    decision: null,
  })
  t.ok(Math.abs(officeView.coordination.clashes[0].distanceMeters - 9.9) <= 0.01, `distance ${officeView.coordination.clashes[0].distanceMeters} m`)
  t.equal(officeView.version, 2, "the clash found by another case's intake moved this case's version (its view changed)")
  t.same((await get(dispatchA, `/v1/cases/${a.id}`)).json().coordination.clashes, [
    { caseNumber: b.number, road: 'Shuixian Avenue', period: { from: '2026-03-10', to: '2026-03-15' } },
  ])
  t.match((await get(auditor, `/v1/cases/${b.id}/clashes`)).json(), { clashes: [{ caseId: a.id, status: 'open' }] }, 'an auditor sees the clash in full')
  t.equal((await get(dispatchB, `/v1/cases/${a.id}/clashes`)).statusCode, 404, "another organization's case is not found")

  // The event on both hash chains, and both chains still verify.
  for (const [id, other] of [
    [a.id, b],
    [b.id, a],
  ] as const) {
    const events = (await get(office, `/v1/cases/${id}/events`)).json().items
    const clash = events.find((e: { type: string }) => e.type === 'case.clash_detected')
    t.match(
      clash?.payload,
      { otherCase: { caseNumber: other.number }, overlapFrom: '2026-03-10', overlapTo: '2026-03-10', sameRoad: true, bufferMeters: 10 },
      `case.clash_detected on ${id}`,
    )
    t.notOk('caseId' in (clash?.payload.otherCase ?? {}), "another organization's case id is not in the event")
    t.equal((await get(office, `/v1/cases/${id}/events/verify`)).json().valid, true, 'the hash chain verifies')
  }
  // The feed shows a transaction once every older one on the server has ended (tests in other files included): poll, bounded.
  let inFeed = 0
  for (let i = 0; i < 100 && inFeed < 2; i++) {
    inFeed = (await get(office, '/v1/events?limit=1000&types=case.clash_detected')).json().items.length
    if (inFeed < 2) await new Promise((resolve) => setTimeout(resolve, 100))
  }
  t.equal(inFeed, 2, 'both events are in the change feed')

  // The map feed.
  const feed = await get(office, `/v1/works?bbox=${FEED_BOX}&from=2026-03-01&to=2026-03-31`)
  t.equal(feed.statusCode, 200)
  t.match(feed.headers['content-type'], /^application\/geo\+json/)
  const features = feed.json().features
  t.same(
    features.map((f: { properties: { caseNumber: string; clash: boolean } }) => [f.properties.caseNumber, f.properties.clash]),
    [
      [a.number, true],
      [b.number, true],
      [c.number, false],
      [d.number, false],
    ],
  )
  t.match(features[0], {
    type: 'Feature',
    geometry: trench(0),
    properties: { caseId: a.id, route: a.route, status: 'submitted', period: { from: '2026-03-02', to: '2026-03-10' }, organization: 'ORG-A' },
  })
  const asB = (await get(dispatchB, `/v1/works?bbox=${FEED_BOX}&from=2026-03-01&to=2026-03-31`)).json().features
  t.same(asB.filter((f: { properties: { occupied?: boolean } }) => f.properties.occupied).length, 3, "ORG-B sees ORG-A's three works only as occupied geometry")
  t.same(asB.find((f: { properties: { occupied?: boolean } }) => f.properties.occupied)?.properties, { occupied: true, period: { from: '2026-03-02', to: '2026-03-10' } })
  t.match(asB.find((f: { properties: { caseId?: string } }) => f.properties.caseId === b.id)?.properties, { caseNumber: b.number, clash: true }, 'and its own in full')
  t.equal((await get(office, `/v1/works?bbox=${FEED_BOX}&from=2026-03-11&to=2026-03-31`)).json().features.length, 1, 'the period filter (inclusive): only B digs after 03-10')
  t.equal((await get(office, `/v1/works?bbox=${FEED_BOX}&from=2026-03-01&to=2026-03-31&status=approved`)).json().features.length, 0, 'the status filter')
  const far = `${LON + 0.01},${LAT + 0.01},${LON + 0.02},${LAT + 0.02}`
  t.equal((await get(office, `/v1/works?bbox=${far}&from=2026-03-01&to=2026-03-31`)).json().features.length, 0, 'a box elsewhere')
  for (const [query, path] of [
    ['bbox=1,2,3&from=2026-03-01&to=2026-03-31', 'query.bbox'],
    ['bbox=117.6,24.5,117.9,24.6&from=2026-03-01&to=2026-03-31', 'query.bbox'],
    ['bbox=117.7,24.5,117.6,24.6&from=2026-03-01&to=2026-03-31', 'query.bbox'],
    [`bbox=${FEED_BOX}&from=2026-02-30&to=2026-03-31`, 'query.from'],
    [`bbox=${FEED_BOX}&from=2026-03-02&to=2026-03-01`, 'query.to'],
    [`bbox=${FEED_BOX}&from=2026-03-01&to=2026-03-31&status=dug`, 'query.status'],
    ['from=2026-03-01&to=2026-03-31', 'query.bbox'],
  ] as Array<[string, string]>) {
    const bad = await get(office, `/v1/works?${query}`)
    t.equal(bad.statusCode, 400, query)
    t.ok(
      bad.json().errors?.some((e: { path: string }) => e.path === path),
      `${query} names ${path}: ${bad.body}`,
    )
  }

  // Decisions: the office links A and B; a dispatch key may not; a decided clash is not decided again; no clash, no decision.
  const decide = async (key: string, id: string, body: Record<string, unknown>) =>
    await app.inject({ method: 'POST', url: `/v1/cases/${id}/coordination`, headers: bearer(key), payload: body })
  const link = { action: 'link_works', otherCaseId: b.id, kind: 'joint_trench', note: 'one trench, ORG-A digs, ORG-B lays its duct in it' }
  t.equal((await decide(dispatchA, a.id, link)).statusCode, 403)
  const linked = await decide(office, a.id, link)
  t.equal(linked.statusCode, 200, linked.body)
  t.match(linked.json().clashes[0], { caseId: b.id, status: 'linked', decision: { action: 'link_works', kind: 'joint_trench' } })
  t.match((await get(office, `/v1/cases/${b.id}`)).json().coordination.clashes[0], { caseId: a.id, status: 'linked' }, 'one decision for both cases')
  t.equal((await decide(office, b.id, { action: 'dismiss_clash', otherCaseId: a.id, reason: 'x' })).statusCode, 409, 'decided once')
  t.match((await decide(office, a.id, { action: 'dismiss_clash', otherCaseId: c.id, reason: 'x' })).json(), { code: 'clash_not_found' })
  t.equal((await decide(office, a.id, { action: 'link_works', otherCaseId: b.id, kind: 'side_by_side', note: 'x' })).statusCode, 400)
  for (const id of [a.id, b.id]) {
    const types = (await get(office, `/v1/cases/${id}/events`)).json().items.map((e: { type: string }) => e.type)
    t.ok(types.includes('case.works_linked'), `case.works_linked on ${id}`)
    t.equal((await get(office, `/v1/cases/${id}/events/verify`)).json().valid, true)
  }
  t.match(
    (await get(office, `/v1/works?bbox=${FEED_BOX}&from=2026-03-01&to=2026-03-31`)).json().features[0].properties,
    { caseId: a.id, clash: false },
    'a linked clash is no longer open',
  )

  // Approval with an approved period reaching back to 2026-03-01 finds D (9.9 m west, ending 03-01); the office dismisses it.
  await client.ok(office, a.id, { action: 'accept' })
  const approved = await client.ok(office, a.id, { ...approval, approvedPeriod: { from: '2026-03-01', to: '2026-03-10' } })
  t.match(
    approved.coordination.clashes.find((x: { caseId: string }) => x.caseId === d.id),
    { overlapFrom: '2026-03-01', overlapTo: '2026-03-01', status: 'open' },
    'approval re-checks with the approved period',
  )
  const dismissed = await decide(office, d.id, { action: 'dismiss_clash', otherCaseId: a.id, reason: 'D finishes in the morning of 03-01' })
  t.match(dismissed.json().clashes, [{ caseId: a.id, status: 'dismissed', decision: { reason: 'D finishes in the morning of 03-01' } }])

  // A withdrawn case leaves the map.
  await client.ok(dispatchB, b.id, { action: 'withdraw', reason: 'joint trench with ORG-A' })
  const after = (await get(office, `/v1/works?bbox=${FEED_BOX}&from=2026-03-01&to=2026-03-31`)).json().features
  t.notOk(
    after.some((f: { properties: { caseId: string } }) => f.properties.caseId === b.id),
    'withdrawn works are off the map',
  )
})

t.test('concurrent clashing submissions both see the clash (the area lock)', async (t) => {
  const testApp = await buildTestApp(t)
  const dispatchA = await testApp.key('dispatch', 'ORG-A')
  const office = await testApp.key('office')
  const submit = (offset: number) => testApp.app.inject({ method: 'POST', url: '/v1/cases', headers: bearer(dispatchA), payload: { ...lifecycleBody(offset) } })
  const responses = await Promise.all([submit(0), submit(5), submit(-5), submit(8)])
  t.same(
    responses.map((r) => r.statusCode),
    [201, 201, 201, 201],
  )
  const ids = responses.map((r) => r.json().id as string)
  for (const id of ids) {
    const clashes = (await testApp.app.inject({ method: 'GET', url: `/v1/cases/${id}/clashes`, headers: bearer(office) })).json().clashes
    // offsets 0, 5, -5, 8: every pair is within 10 m except (-5, 8).
    t.ok(clashes.length >= 2, `${id} has ${clashes.length} clashes`)
  }
  const total = await testApp.app.inject({ method: 'GET', url: `/v1/cases/${ids[0]}/clashes`, headers: bearer(office) })
  t.equal(total.json().clashes.length, 3, 'the trench at 0 clashes with all three others, whichever committed first')
})

function lifecycleBody(offset: number) {
  return {
    voltageVolts: 10000,
    excavationLengthMeters: 30,
    works: { title: 'New 10 kV cable' },
    location: location(offset),
    plannedStartDate: '2026-03-02',
    plannedEndDate: '2026-03-10',
    contact: { name: 'Li Ming', phone: '0596-2345678' },
  }
}

t.test('the README session: two roads, two clashing works, the clash, the link', async (t) => {
  const testApp = await buildTestApp(t)
  const { app } = testApp
  const [admin, dispatch, dispatchB, office] = [
    await testApp.key('admin'),
    await testApp.key('dispatch', 'ORG-A'),
    await testApp.key('dispatch', 'ORG-B'),
    await testApp.key('office'),
  ]
  const roads = [
    {
      code: 'ZZ-LW-0001',
      name: '水仙大街 Shuixian Avenue',
      class: 'arterial',
      builtOn: '2015-06-30',
      coordinates: [
        [117.645, 24.513],
        [117.654, 24.513],
      ],
    },
    {
      code: 'ZZ-LW-0002',
      name: "延安北路 Yan'an North Road",
      class: 'secondary',
      builtOn: '2012-09-01',
      coordinates: [
        [117.65, 24.509],
        [117.65, 24.517],
      ],
    },
  ]
  for (const road of roads) {
    const put = await app.inject({
      method: 'PUT',
      url: `/v1/roads/${road.code}`,
      headers: bearer(admin),
      payload: { name: road.name, district: 'Longwen', class: road.class, builtOn: road.builtOn, geometry: { type: 'LineString', coordinates: road.coordinates } },
    })
    t.ok(put.statusCode === 200 || put.statusCode === 201, `PUT ${road.code}: ${put.statusCode} ${put.body.slice(0, 200)}`)
  }
  const submit = async (key: string, title: string, lat: number, from: string, to: string) => {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/cases',
      headers: bearer(key),
      payload: {
        voltageVolts: 10000,
        excavationLengthMeters: 51,
        works: { title },
        location: {
          district: 'Longwen',
          roadName: 'Shuixian Avenue',
          geometry: {
            type: 'LineString',
            coordinates: [
              [117.647, lat],
              [117.6475, lat],
            ],
          },
        },
        plannedStartDate: from,
        plannedEndDate: to,
        contact: { name: 'Li Ming', phone: '0596-2345678' },
      },
    })
    t.equal(response.statusCode, 201, response.body.slice(0, 300))
    return response.json().id as string
  }
  const cable = await submit(dispatch, '10 kV cable', 24.513, '2026-03-02', '2026-03-12')
  const gas = await submit(dispatchB, 'Gas main renewal', 24.513054, '2026-03-10', '2026-03-20')
  const clashes = (await app.inject({ method: 'GET', url: `/v1/cases/${cable}/clashes`, headers: bearer(office) })).json().clashes
  t.match(clashes, [{ caseId: gas, overlapFrom: '2026-03-10', overlapTo: '2026-03-12', sameRoad: true, status: 'open' }])
  t.ok(Math.abs(clashes[0].distanceMeters - 6) < 0.1, `≈ 6 m: ${clashes[0].distanceMeters}`)
  const linked = await app.inject({
    method: 'POST',
    url: `/v1/cases/${cable}/coordination`,
    headers: bearer(office),
    payload: { action: 'link_works', otherCaseId: gas, kind: 'joint_trench', note: 'one trench; the gas main is laid first' },
  })
  t.match(linked.json().clashes, [{ caseId: gas, status: 'linked' }])
  const map = (await app.inject({ method: 'GET', url: '/v1/works?bbox=117.64,24.50,117.66,24.52&from=2026-03-01&to=2026-03-31', headers: bearer(office) })).json()
  t.equal(map.features.length, 2)
})
