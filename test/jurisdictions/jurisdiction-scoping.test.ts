import t from 'tap'
import { createApiKey } from '../../src/api-keys/api-key.service.ts'
import type { Role } from '../../src/core/access/principal.ts'
import { EARTH_RADIUS_METERS } from '../../src/core/geo/local-projection.ts'
import { ManualClock } from '../../src/platform/clock.ts'
import { approval, lifecycleClient } from '../helpers/lifecycle-client.ts'
import { bearer, buildTestApp, type TestApp } from '../helpers/test-app.ts'

// The SLA report, the map feed and clash detection, scoped by jurisdiction exactly as case reads are
// (core/access: confinedJurisdictionCode, jurisdictionScopeOf).
const sh = (local: string) => `${local}+08:00`

async function scopedKey(testApp: TestApp, role: Role, jurisdictionCode: string | undefined, organizationCode?: string): Promise<string> {
  return (await createApiKey(testApp.database.db, { role, jurisdictionCode, organizationCode })).key
}

// Trenches running north, `offset` metres east of a reference point (Zhangzhou: Shuixian Avenue; Zhongshan: Sunwen Road).
const M = (EARTH_RADIUS_METERS * Math.PI) / 180
const trench = (lon: number, lat: number, offset: number) => ({
  type: 'LineString',
  coordinates: [
    [lon + offset / (M * Math.cos((lat * Math.PI) / 180)), lat],
    [lon + offset / (M * Math.cos((lat * Math.PI) / 180)), lat + 30 / M],
  ],
})
const ZZ = { lon: 117.647, lat: 24.513 }
const ZS = { lon: 113.39, lat: 22.52 }
const box = (p: { lon: number; lat: number }) => `${p.lon - 0.01},${p.lat - 0.01},${p.lon + 0.01},${p.lat + 0.01}`

function zsBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    voltageVolts: 10_000,
    excavationLengthMeters: 30,
    works: { title: 'New 10 kV cable' },
    location: { district: 'Shiqi', roadName: 'Sunwen Road' },
    plannedStartDate: '2026-03-02',
    plannedEndDate: '2026-03-10',
    contact: { name: 'Li Ming', phone: '0760-2345678' },
    ...overrides,
  }
}

t.test('SLA report: an office key of each jurisdiction counts its own cases; an all-jurisdictions auditor sees both and groups', async (t) => {
  const clock = new ManualClock(sh('2026-03-02T09:00:00'))
  const testApp = await buildTestApp(t, { clock })
  const { app } = testApp
  const client = lifecycleClient(testApp)
  const zzDispatch = await testApp.key('dispatch')
  const zzOffice = await testApp.key('office')
  const zsDispatch = await scopedKey(testApp, 'dispatch', 'zhongshan', 'SGCC-ZS')
  const zsOffice = await scopedKey(testApp, 'office', 'zhongshan')
  const allAuditor = await testApp.key('auditor')
  const zsAuditor = await scopedKey(testApp, 'auditor', 'zhongshan')

  // Zhangzhou: two fast-track cases approved, one refused with a coded reason. Zhongshan: one parallel approval.
  for (let i = 0; i < 2; i++) {
    const c = await client.submit(zzDispatch)
    await client.ok(zzOffice, c.id, { action: 'accept' })
    await client.ok(zzOffice, c.id, approval)
  }
  const refusedCase = await client.submit(zzDispatch)
  await client.ok(zzOffice, refusedCase.id, { action: 'accept' })
  await client.ok(zzOffice, refusedCase.id, { action: 'refuse', reasons: ['Clash with the gas main'], reasonCodes: ['pipeline_conflict'] })
  const submitted = await app.inject({ method: 'POST', url: '/v1/cases', headers: bearer(zsDispatch), payload: zsBody() })
  t.equal(submitted.statusCode, 201, submitted.body)
  const zsCase = submitted.json()
  t.equal(zsCase.route, 'parallel_approval')
  await client.ok(zsOffice, zsCase.id, { action: 'accept' })
  await client.ok(zsOffice, zsCase.id, approval)

  const report = async (key: string, query: string, accept?: string) =>
    await app.inject({ method: 'GET', url: `/v1/reports/sla?from=2026-03-01&to=2026-03-31&${query}`, headers: { ...bearer(key), ...(accept ? { accept } : {}) } })

  const zz = (await report(zzOffice, '')).json()
  t.match(zz, { jurisdiction: 'zhangzhou', totals: { casesDecided: 3 } }, 'the Zhangzhou office counts its three cases')
  t.same(
    zz.groups.map((g: { group: string; casesDecided: number }) => [g.group, g.casesDecided]),
    [['fast_track', 3]],
  )
  t.same(
    zz.reasons.map((r: { code: string; cases: number }) => [r.code, r.cases]),
    [['pipeline_conflict', 1]],
  )
  const zs = (await report(zsOffice, '')).json()
  t.match(zs, { jurisdiction: 'zhongshan', totals: { casesDecided: 1 } }, 'the Zhongshan office counts its one case')
  t.same(
    zs.groups.map((g: { group: string; casesDecided: number }) => [g.group, g.casesDecided]),
    [['parallel_approval', 1]],
  )
  t.same(zs.reasons, [], "Zhangzhou's coded reasons are not Zhongshan's")
  t.match((await report(zsAuditor, 'groupBy=organization')).json(), { jurisdiction: 'zhongshan', totals: { casesDecided: 1 }, groups: [{ group: 'SGCC-ZS' }] })
  const asked = (await report(zsOffice, 'jurisdiction=zhangzhou')).json()
  t.match(asked, { totals: { casesDecided: 0 }, groups: [], reasons: [] }, 'a scoped key asking for another jurisdiction counts nothing')
  const byJurisdiction = (await report(zsOffice, 'groupBy=jurisdiction')).json()
  t.same(
    byJurisdiction.groups.map((g: { group: string; casesDecided: number }) => [g.group, g.casesDecided]),
    [['zhongshan', 1]],
    'grouped by jurisdiction, a scoped key has one group',
  )

  const all = (await report(allAuditor, 'groupBy=jurisdiction')).json()
  t.match(all, { jurisdiction: null, totals: { casesDecided: 4 } })
  t.same(
    all.groups.map((g: { group: string; casesDecided: number; decidedOnTime: number }) => [g.group, g.casesDecided]),
    [
      ['zhangzhou', 3],
      ['zhongshan', 1],
    ],
    'an all-jurisdictions auditor groups by jurisdiction',
  )
  t.match((await report(allAuditor, 'jurisdiction=zhongshan&groupBy=route')).json(), {
    jurisdiction: 'zhongshan',
    totals: { casesDecided: 1 },
    groups: [{ group: 'parallel_approval' }],
  })
  t.equal((await report(allAuditor, 'jurisdiction=Not-A-Code')).statusCode, 400)

  // The CSV: the same scope, with the supervision figures and the coded reasons.
  const csv = await report(zzOffice, 'groupBy=jurisdiction', 'text/csv')
  t.equal(csv.statusCode, 200)
  const lines = csv.body.trimEnd().split('\r\n')
  t.match(lines[0], /^period_from,period_to,row_type,jurisdiction,cases_decided,.*,overdue_open_cases,measure,reason_action,reason_code,reason_list_version,count$/)
  t.ok(lines.some((l) => l.startsWith('2026-03-01,2026-03-31,group,zhangzhou,3,')))
  t.notOk(
    lines.some((l) => l.includes('zhongshan')),
    'no Zhongshan row in the Zhangzhou office CSV',
  )
  for (const measure of ['cases_reached_yellow', 'cases_reached_red', 'cases_reached_overdue', 'cases_with_stage_overrun', 'stage_overruns']) {
    t.ok(
      lines.some((l) => l.startsWith('2026-03-01,2026-03-31,supervision,,') && l.endsWith(`,${measure},,,,0`)),
      `supervision row ${measure}`,
    )
  }
  t.ok(
    lines.some((l) => /^2026-03-01,2026-03-31,reason,,.*,cases_with_reason,refuse,pipeline_conflict,\d+,1$/.test(l)),
    'the coded reason row',
  )
  const zsCsv = (await report(zsOffice, '', 'text/csv')).body
  t.notOk(zsCsv.includes('pipeline_conflict'), "Zhangzhou's reason is not in Zhongshan's CSV")
})

t.test('map feed: an office key of one jurisdiction does not see the works of another', async (t) => {
  const clock = new ManualClock(sh('2026-03-02T09:00:00'))
  const testApp = await buildTestApp(t, { clock })
  const { app } = testApp
  const client = lifecycleClient(testApp)
  const zzDispatch = await testApp.key('dispatch')
  const zzOffice = await testApp.key('office')
  const zsDispatch = await scopedKey(testApp, 'dispatch', 'zhongshan', 'SGCC-ZS')
  const zsOffice = await scopedKey(testApp, 'office', 'zhongshan')
  const allAuditor = await testApp.key('auditor')

  const zzCase = await client.submit(zzDispatch, { location: { district: 'Longwen', roadName: 'Shuixian Avenue', geometry: trench(ZZ.lon, ZZ.lat, 0) } })
  const zsSubmitted = await app.inject({
    method: 'POST',
    url: '/v1/cases',
    headers: bearer(zsDispatch),
    payload: zsBody({ location: { district: 'Shiqi', roadName: 'Sunwen Road', geometry: trench(ZS.lon, ZS.lat, 0) } }),
  })
  t.equal(zsSubmitted.statusCode, 201, zsSubmitted.body)
  const zsCase = zsSubmitted.json()

  const feed = async (key: string, where: { lon: number; lat: number }) => {
    const response = await app.inject({ method: 'GET', url: `/v1/works?bbox=${box(where)}&from=2026-03-01&to=2026-03-31`, headers: bearer(key) })
    t.equal(response.statusCode, 200, response.body)
    return response.json().features.map((f: { properties: { caseId?: string } }) => f.properties.caseId)
  }
  t.same(await feed(zzOffice, ZZ), [zzCase.id], 'the Zhangzhou office sees its works')
  t.same(await feed(zsOffice, ZZ), [], "the Zhongshan office does not see Zhangzhou's works")
  t.same(await feed(zsOffice, ZS), [zsCase.id], 'the Zhongshan office sees its own')
  t.same(await feed(zzOffice, ZS), [], "the Zhangzhou office does not see Zhongshan's works")
  t.same((await feed(zsDispatch, ZZ)).length, 0, 'a Zhongshan dispatch key neither (its organization belongs to Zhongshan)')
  t.same(await feed(allAuditor, ZZ), [zzCase.id], 'an all-jurisdictions auditor sees both')
  t.same(await feed(allAuditor, ZS), [zsCase.id])
})

t.test("a transition checks clashes under the buffer of the case's jurisdiction's rule set, not the default's", async (t) => {
  const clock = new ManualClock(sh('2026-03-02T09:00:00'))
  const testApp = await buildTestApp(t, { clock })
  const { app } = testApp
  const client = lifecycleClient(testApp)
  const admin = await testApp.key('admin')
  const zsDispatch = await scopedKey(testApp, 'dispatch', 'zhongshan', 'SGCC-ZS')
  const zsOffice = await scopedKey(testApp, 'office', 'zhongshan')

  // Zhongshan's rules with a 100 m clash buffer (Zhangzhou's, the default, keeps 10 m), from tomorrow.
  const zsRules = (await app.inject({ method: 'GET', url: '/v1/rule-sets/zs-green-channel', headers: bearer(admin) })).json()
  const published = await app.inject({
    method: 'POST',
    url: '/v1/rule-sets',
    headers: bearer(admin),
    payload: {
      id: 'zs-wide-buffer',
      effectiveFrom: '2026-03-03',
      name: 'Zhongshan, 100 m clash buffer',
      parameters: { ...zsRules.parameters, coordination: { clashBufferMeters: 100 } },
    },
  })
  t.equal(published.statusCode, 201, published.body)
  const put = await app.inject({
    method: 'PUT',
    url: '/v1/jurisdictions/zhongshan',
    headers: bearer(admin),
    payload: { name: { zh: '中山市', en: 'Zhongshan' }, caseNumberPrefix: 'ZS', bbox: [113.15, 22.183333, 113.666667, 22.766667], ruleSetId: 'zs-wide-buffer' },
  })
  t.equal(put.statusCode, 200, put.body)
  clock.set(sh('2026-03-03T09:00:00'))

  const submit = async (offset: number, period: [string, string]) => {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/cases',
      headers: bearer(zsDispatch),
      payload: zsBody({
        location: { district: 'Shiqi', roadName: 'Sunwen Road', geometry: trench(ZS.lon, ZS.lat, offset) },
        plannedStartDate: period[0],
        plannedEndDate: period[1],
      }),
    })
    t.equal(response.statusCode, 201, response.body)
    return response.json()
  }
  // 50 m apart: a clash under 100 m, none under 10 m. B's planned period shares no day with A's, so its intake finds none.
  const a = await submit(0, ['2026-03-10', '2026-03-20'])
  const b = await submit(50, ['2026-04-01', '2026-04-10'])
  t.match(b, { ruleSet: { id: 'zs-wide-buffer' } })
  t.same(b.coordination.clashes, [], 'no shared day at intake')
  await client.ok(zsOffice, b.id, { action: 'accept' })
  // The approval moves B's period onto A's: the approval's clash check must use Zhongshan's 100 m.
  const approved = await client.ok(zsOffice, b.id, { ...approval, approvedPeriod: { from: '2026-03-12', to: '2026-03-15' } })
  t.equal(approved.status, 'approved')
  t.equal(approved.coordination.clashes.length, 1, 'the clash 50 m away is found under the 100 m buffer of the case’s jurisdiction')
  t.match(approved.coordination.clashes[0], { caseId: a.id, status: 'open' })
})
