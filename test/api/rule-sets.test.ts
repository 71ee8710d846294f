import t from 'tap'
import { bearer, buildTestApp } from '../helpers/test-app.ts'
import { snapshotDatabase } from '../helpers/db-snapshot.ts'

t.test('rule sets: list, read, publish a future version, refuse invalid ones without writing', async (t) => {
  const { app, database, key } = await buildTestApp(t)
  const admin = await key('admin')
  const dispatch = await key('dispatch')

  const list = (await app.inject({ method: 'GET', url: '/v1/rule-sets', headers: bearer(dispatch) })).json()
  // Zhangzhou's and the two other shipped jurisdictions' (docs/jurisdictions.md).
  t.same(list.items.map((r: { id: string }) => r.id).sort(), ['yc-green-channel', 'zs-green-channel', 'zz-green-channel'])
  t.match(
    list.items.find((r: { id: string }) => r.id === 'zz-green-channel'),
    { id: 'zz-green-channel', version: 1, effectiveFrom: '2019-11-01', status: 'in_force' },
  )
  const one = (await app.inject({ method: 'GET', url: '/v1/rule-sets/zz-green-channel', headers: bearer(dispatch) })).json()
  t.same(
    one.parameters.jointReviewStages.map((s: { workingDays: number }) => s.workingDays),
    [4, 2, 1, 1],
  )
  t.same(one.versions, [{ version: 1, effectiveFrom: '2019-11-01', status: 'in_force' }])
  t.equal((await app.inject({ method: 'GET', url: '/v1/rule-sets/unknown', headers: bearer(dispatch) })).statusCode, 404)
  t.equal((await app.inject({ method: 'GET', url: '/v1/rule-sets/zz-green-channel?version=9', headers: bearer(dispatch) })).statusCode, 404)

  const base = { id: 'zz-green-channel', effectiveFrom: '2026-06-01', name: 'v2' }
  const broken = (mutate: (p: Record<string, any>) => void) => {
    const parameters = structuredClone(one.parameters)
    mutate(parameters)
    return { ...base, parameters }
  }
  const refusals: Array<[string, unknown, number, RegExp]> = [
    ['effective today or earlier', { ...base, effectiveFrom: '2026-02-12', parameters: one.parameters }, 422, /^body\.effectiveFrom$/],
    ['stages not adding up to 8', broken((p) => (p.jointReviewStages[0].workingDays = 5)), 422, /jointReviewStages|routeTerms/],
    ['a gap in the voltage tiers', broken((p) => (p.voltageTiers[1].min.value = 500)), 422, /voltageTiers/],
    ['overlapping length bands', broken((p) => (p.voltageTiers[1].lengthBands[1].min.value = 40)), 422, /lengthBands/],
    ['unknown key in parameters', broken((p) => (p.surprise = true)), 400, /^body\.parameters/],
    ['not a slug', { ...base, id: 'Not A Slug', parameters: one.parameters }, 400, /^body\.id$/],
  ]
  for (const [label, payload, status, path] of refusals) {
    const before = await snapshotDatabase(database.db)
    const response = await app.inject({ method: 'POST', url: '/v1/rule-sets', headers: bearer(admin), payload: payload as object })
    t.equal(response.statusCode, status, `${label}: ${response.body.slice(0, 300)}`)
    t.ok(
      response.json().errors.some((e: { path: string }) => path.test(e.path)),
      `${label}: names the field`,
    )
    t.same(await snapshotDatabase(database.db), before, `${label}: nothing written`)
  }

  const published = await app.inject({ method: 'POST', url: '/v1/rule-sets', headers: bearer(admin), payload: { ...base, parameters: one.parameters } })
  t.equal(published.statusCode, 201)
  t.match(published.json(), { version: 2, status: 'scheduled', effectiveFrom: '2026-06-01' })
  t.equal(published.headers.location, '/v1/rule-sets/zz-green-channel?version=2')
  const again = await app.inject({ method: 'POST', url: '/v1/rule-sets', headers: bearer(admin), payload: { ...base, version: 2, parameters: one.parameters } })
  t.equal(again.statusCode, 409)
  const versions = (await app.inject({ method: 'GET', url: '/v1/rule-sets/zz-green-channel', headers: bearer(dispatch) })).json().versions
  t.same(
    versions.map((v: { status: string }) => v.status),
    ['in_force', 'scheduled'],
  )
})
