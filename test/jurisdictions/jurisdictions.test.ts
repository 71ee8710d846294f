import { sql } from 'kysely'
import t from 'tap'
import { createApiKey } from '../../src/api-keys/api-key.service.ts'
import type { Role } from '../../src/core/access/principal.ts'
import { ManualClock } from '../../src/platform/clock.ts'
import { approval, lifecycleClient } from '../helpers/lifecycle-client.ts'
import { bearer, buildTestApp, type TestApp } from '../helpers/test-app.ts'

// Instants in Shanghai time: the calendar questions are asked there.
const sh = (local: string) => `${local}+08:00`
const commitment = { signedBy: 'Li Ming', statement: 'We commit to the rules.' }

async function scopedKey(testApp: TestApp, role: Role, jurisdictionCode: string | undefined, organizationCode?: string): Promise<string> {
  return (await createApiKey(testApp.database.db, { role, jurisdictionCode, organizationCode })).key
}

t.test('jurisdictions: three shipped, read one, admin creates one with a new rule set, refusals change nothing', async (t) => {
  const clock = new ManualClock(sh('2026-03-02T09:00:00'))
  const testApp = await buildTestApp(t, { clock })
  const { app } = testApp
  const admin = await testApp.key('admin')
  const office = await testApp.key('office')

  const list = (await app.inject({ method: 'GET', url: '/v1/jurisdictions', headers: bearer(office) })).json()
  t.same(
    list.items.map((j: { code: string; caseNumberPrefix: string; ruleSetId: string; isDefault: boolean; timeZone: string }) => [
      j.code,
      j.caseNumberPrefix,
      j.ruleSetId,
      j.isDefault,
      j.timeZone,
    ]),
    [
      ['yichuan', 'YC', 'yc-green-channel', false, 'Asia/Shanghai'],
      ['zhangzhou', 'ZZ', 'zz-green-channel', true, 'Asia/Shanghai'],
      ['zhongshan', 'ZS', 'zs-green-channel', false, 'Asia/Shanghai'],
    ],
  )
  const zz = (await app.inject({ method: 'GET', url: '/v1/jurisdictions/zhangzhou', headers: bearer(office) })).json()
  t.match(zz, { code: 'zhangzhou', name: { zh: '漳州市', en: 'Zhangzhou' }, bbox: [116.883333, 23.533333, 118.15, 25.216667] })
  const missing = await app.inject({ method: 'GET', url: '/v1/jurisdictions/atlantis', headers: bearer(office) })
  t.equal(missing.statusCode, 404)
  t.equal(missing.json().code, 'jurisdiction_not_found')

  // A new city: its rule set first (a copy of Zhongshan's, taking effect tomorrow), then the jurisdiction.
  const zs = (await app.inject({ method: 'GET', url: '/v1/rule-sets/zs-green-channel', headers: bearer(admin) })).json()
  const published = await app.inject({
    method: 'POST',
    url: '/v1/rule-sets',
    headers: bearer(admin),
    payload: { id: 'jm-green-channel', effectiveFrom: '2026-03-03', name: 'Jiangmen green channel', parameters: zs.parameters },
  })
  t.equal(published.statusCode, 201, published.body)
  const body = { name: { zh: '江门市', en: 'Jiangmen' }, caseNumberPrefix: 'JM', bbox: [111.98, 21.45, 113.25, 22.85], ruleSetId: 'jm-green-channel' }
  t.equal((await app.inject({ method: 'PUT', url: '/v1/jurisdictions/jiangmen', headers: bearer(office), payload: body })).statusCode, 403, 'admin only')
  const created = await app.inject({ method: 'PUT', url: '/v1/jurisdictions/jiangmen', headers: bearer(admin), payload: body })
  t.equal(created.statusCode, 201, created.body)
  t.match(created.json(), { code: 'jiangmen', caseNumberPrefix: 'JM', timeZone: 'Asia/Shanghai', isDefault: false })
  const replaced = await app.inject({ method: 'PUT', url: '/v1/jurisdictions/jiangmen', headers: bearer(admin), payload: { ...body, name: { zh: '江门市', en: 'Jiangmen City' } } })
  t.equal(replaced.statusCode, 200)
  t.equal(replaced.json().name.en, 'Jiangmen City')

  const taken = await app.inject({ method: 'PUT', url: '/v1/jurisdictions/jiangmen', headers: bearer(admin), payload: { ...body, caseNumberPrefix: 'ZZ' } })
  t.equal(taken.statusCode, 409)
  t.equal(taken.json().code, 'case_number_prefix_taken')
  const unknownRules = await app.inject({ method: 'PUT', url: '/v1/jurisdictions/foshan', headers: bearer(admin), payload: { ...body, caseNumberPrefix: 'FS', ruleSetId: 'nope' } })
  t.equal(unknownRules.statusCode, 422)
  t.equal(unknownRules.json().errors[0].path, 'body.ruleSetId')
  const badBox = await app.inject({
    method: 'PUT',
    url: '/v1/jurisdictions/foshan',
    headers: bearer(admin),
    payload: { ...body, caseNumberPrefix: 'FS', bbox: [113, 23, 112, 22] },
  })
  t.equal(badBox.statusCode, 400)
  const undefault = await app.inject({
    method: 'PUT',
    url: '/v1/jurisdictions/zhangzhou',
    headers: bearer(admin),
    payload: { ...body, caseNumberPrefix: 'ZZ', ruleSetId: 'zz-green-channel' },
  })
  t.equal(undefault.statusCode, 409, 'the default stays until another is made the default')
  t.equal((await app.inject({ method: 'GET', url: '/v1/jurisdictions', headers: bearer(office) })).json().items.length, 4, 'the refusals wrote nothing')

  // Tomorrow the new city takes cases under its own rules and prefix.
  clock.set(sh('2026-03-03T09:00:00'))
  const jmDispatch = await scopedKey(testApp, 'dispatch', 'jiangmen', 'SGCC-JM')
  const jmCase = await lifecycleClient(testApp).submit(jmDispatch, { voltageVolts: 10_000, excavationLengthMeters: 80 })
  t.match(jmCase, { jurisdiction: 'jiangmen', route: 'parallel_approval', behaviour: 'parallel_approval' })
  t.match(jmCase.number, /^JM-2026-\d{6}$/)
})

t.test('keys and visibility: an office key sees its own jurisdiction only; auditors scoped or spanning all', async (t) => {
  const clock = new ManualClock(sh('2026-03-02T09:00:00'))
  const testApp = await buildTestApp(t, { clock })
  const { app } = testApp
  const client = lifecycleClient(testApp)
  const zzDispatch = await testApp.key('dispatch')
  const zzOffice = await testApp.key('office')
  const zsDispatch = await scopedKey(testApp, 'dispatch', 'zhongshan', 'SGCC-ZS')
  const zsOffice = await scopedKey(testApp, 'office', 'zhongshan')
  const allAuditor = await testApp.key('auditor')
  const ycAuditor = await scopedKey(testApp, 'auditor', 'yichuan')

  t.same(
    (await app.inject({ method: 'GET', url: '/v1/api-keys/me', headers: bearer(zzOffice) })).json().jurisdiction,
    'zhangzhou',
    'an office key defaults to the deployment default',
  )
  t.same((await app.inject({ method: 'GET', url: '/v1/api-keys/me', headers: bearer(allAuditor) })).json().jurisdiction, null, 'an auditor spans all by default')
  t.same((await app.inject({ method: 'GET', url: '/v1/api-keys/me', headers: bearer(zsDispatch) })).json().jurisdiction, 'zhongshan', "a dispatch key has its organization's")
  const admin = await testApp.key('admin')
  const viaApi = await app.inject({ method: 'POST', url: '/v1/api-keys', headers: bearer(admin), payload: { role: 'office', jurisdiction: 'yichuan' } })
  t.equal(viaApi.statusCode, 201)
  t.equal(viaApi.json().jurisdiction, 'yichuan')
  const unknown = await app.inject({ method: 'POST', url: '/v1/api-keys', headers: bearer(admin), payload: { role: 'office', jurisdiction: 'atlantis' } })
  t.equal(unknown.statusCode, 400)
  t.equal(unknown.json().errors[0].path, 'body.jurisdiction')
  const mismatch = await app.inject({
    method: 'POST',
    url: '/v1/api-keys',
    headers: bearer(admin),
    payload: { role: 'dispatch', organization: 'SGCC-ZS', jurisdiction: 'yichuan' },
  })
  t.equal(mismatch.statusCode, 400, 'an existing organization keeps its jurisdiction')

  const zzCase = await client.submit(zzDispatch)
  t.match(zzCase, { jurisdiction: 'zhangzhou', route: 'fast_track', behaviour: 'approval_without_review' })
  t.match(zzCase.number, /^ZZ-2026-\d{6}$/)
  const zsCase = await client.submit(zsDispatch, { voltageVolts: 10_000 })
  t.match(zsCase, { jurisdiction: 'zhongshan', route: 'parallel_approval' })
  t.match(zsCase.number, /^ZS-2026-\d{6}$/)
  const wrong = await app.inject({ method: 'POST', url: '/v1/cases', headers: bearer(zsDispatch), payload: { ...zsBody(), jurisdiction: 'zhangzhou' } })
  t.equal(wrong.statusCode, 400)
  t.equal(wrong.json().errors[0].path, 'body.jurisdiction')
  const officeForOther = await app.inject({ method: 'POST', url: '/v1/cases', headers: bearer(zsOffice), payload: { ...zsBody(), organization: 'ORG-A' } })
  t.equal(officeForOther.statusCode, 400, 'a Zhongshan office key cannot file for a Zhangzhou organization')

  // Reads, lists, transitions, events, the feed: another jurisdiction's case is not found.
  for (const [keyName, key, visible, hidden] of [
    ['zz office', zzOffice, zzCase, zsCase],
    ['zs office', zsOffice, zsCase, zzCase],
  ] as const) {
    t.equal((await app.inject({ method: 'GET', url: `/v1/cases/${visible.id}`, headers: bearer(key) })).statusCode, 200, `${keyName} reads its own`)
    t.equal((await app.inject({ method: 'GET', url: `/v1/cases/${hidden.id}`, headers: bearer(key) })).statusCode, 404, `${keyName}: another jurisdiction's case is a 404`)
    t.equal((await app.inject({ method: 'GET', url: `/v1/cases/${hidden.id}/events`, headers: bearer(key) })).statusCode, 404, `${keyName}: its events too`)
    t.equal((await client.act(key, hidden.id, { action: 'accept' }, '"1"')).statusCode, 404, `${keyName}: no transition either`)
    const listed = (await app.inject({ method: 'GET', url: '/v1/cases', headers: bearer(key) })).json().items.map((c: { id: string }) => c.id)
    t.same(listed, [visible.id], `${keyName} lists its own jurisdiction only`)
    // The feed shows a transaction once every older one on the server has ended (other test files' too): poll, bounded.
    let feed: Array<{ caseId: string }> = []
    for (let attempt = 0; attempt < 150 && feed.length === 0; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 100))
      feed = (await app.inject({ method: 'GET', url: '/v1/events', headers: bearer(key) })).json().items
    }
    t.ok(feed.length > 0 && feed.every((e) => e.caseId === visible.id), `${keyName}: the change feed too`)
  }
  const other = (await app.inject({ method: 'GET', url: '/v1/cases?jurisdiction=zhongshan', headers: bearer(zzOffice) })).json()
  t.same(other.items, [], 'asking for another jurisdiction finds nothing')
  const all = (await app.inject({ method: 'GET', url: '/v1/cases', headers: bearer(allAuditor) })).json().items
  t.equal(all.length, 2, 'an unscoped auditor sees every jurisdiction')
  const onlyZs = (await app.inject({ method: 'GET', url: '/v1/cases?jurisdiction=zhongshan', headers: bearer(allAuditor) })).json().items
  t.same(
    onlyZs.map((c: { id: string }) => c.id),
    [zsCase.id],
  )
  t.same((await app.inject({ method: 'GET', url: '/v1/cases', headers: bearer(ycAuditor) })).json().items, [], 'a Yichuan auditor sees no other city')
  t.equal((await app.inject({ method: 'GET', url: `/v1/cases/${zzCase.id}`, headers: bearer(ycAuditor) })).statusCode, 404)
})

function zsBody(): Record<string, unknown> {
  return {
    voltageVolts: 10_000,
    excavationLengthMeters: 30,
    works: { title: 'New 10 kV cable' },
    location: { district: 'Shiqi', roadName: 'Sunwen Road' },
    plannedStartDate: '2026-03-02',
    plannedEndDate: '2026-03-10',
    contact: { name: 'Li Ming', phone: '0760-2345678' },
  }
}

t.test('route boundaries of Zhongshan and Yichuan, through POST /v1/assessments', async (t) => {
  const testApp = await buildTestApp(t, { clock: new ManualClock(sh('2026-02-12T10:00:00')) })
  const dispatch = await testApp.key('dispatch')
  const cases: Array<[string, number, number, Record<string, boolean>, string, string]> = [
    // jurisdiction, volts, metres, facts, route, behaviour
    ['zhongshan', 220, 5000, {}, 'low_voltage_filing', 'commitment_filing'],
    ['zhongshan', 380, 10, {}, 'low_voltage_filing', 'commitment_filing'],
    ['zhongshan', 1000, 10, {}, 'low_voltage_filing', 'commitment_filing'],
    ['zhongshan', 1001, 10, {}, 'parallel_approval', 'parallel_approval'],
    ['zhongshan', 10_000, 3000, {}, 'parallel_approval', 'parallel_approval'],
    ['zhongshan', 20_000, 50, {}, 'parallel_approval', 'parallel_approval'],
    ['zhongshan', 20_001, 50, {}, 'standard', 'standard'],
    ['zhongshan', 380, 10, { emergency: true }, 'emergency_repair', 'emergency'],
    ['zhongshan', 10_000, 10, { roadProtected: true }, 'special_approval', 'special_approval'],
    ['yichuan', 400, 200, {}, 'exempt_filing', 'commitment_filing'],
    ['yichuan', 400, 200.01, {}, 'length_filing', 'commitment_filing'],
    ['yichuan', 401, 200, {}, 'commitment_filing', 'commitment_filing'],
    ['yichuan', 35_000, 0.5, {}, 'commitment_filing', 'commitment_filing'],
    ['yichuan', 35_000, 500, {}, 'length_filing', 'commitment_filing'],
    ['yichuan', 10_000, 500.01, {}, 'joint_review', 'staged_joint_review'],
    ['yichuan', 380, 800, {}, 'joint_review', 'staged_joint_review'],
    ['yichuan', 35_001, 10, {}, 'standard', 'standard'],
    ['yichuan', 35_001, 10, { emergency: true }, 'emergency_repair', 'emergency'],
    ['yichuan', 400, 10, { roadProtected: true }, 'special_approval', 'special_approval'],
    ['zhangzhou', 10_000, 50, {}, 'joint_review', 'staged_joint_review'],
  ]
  for (const [jurisdiction, voltageVolts, excavationLengthMeters, facts, route, behaviour] of cases) {
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/v1/assessments',
      headers: bearer(dispatch),
      payload: { jurisdiction, voltageVolts, excavationLengthMeters, ...facts },
    })
    t.match(response.json(), { jurisdiction, route, behaviour }, `${jurisdiction} ${voltageVolts} V ${excavationLengthMeters} m ${JSON.stringify(facts)} → ${route}`)
  }
  const defaulted = (
    await testApp.app.inject({ method: 'POST', url: '/v1/assessments', headers: bearer(dispatch), payload: { voltageVolts: 380, excavationLengthMeters: 10 } })
  ).json()
  t.match(defaulted, { jurisdiction: 'zhangzhou', route: 'commitment_filing', ruleSet: { id: 'zz-green-channel' } })
  const unknown = await testApp.app.inject({
    method: 'POST',
    url: '/v1/assessments',
    headers: bearer(dispatch),
    payload: { jurisdiction: 'atlantis', voltageVolts: 380, excavationLengthMeters: 10 },
  })
  t.equal(unknown.statusCode, 422)

  // Deadlines, accepted on 12 February 2026 (Thursday): Spring Festival 15–23 February; 14 February is a make-up Saturday.
  const parallel = (
    await testApp.app.inject({
      method: 'POST',
      url: '/v1/assessments',
      headers: bearer(dispatch),
      payload: { jurisdiction: 'zhongshan', voltageVolts: 10_000, excavationLengthMeters: 80 },
    })
  ).json()
  t.match(parallel, { timeLimit: { amount: 5, unit: 'working_days' }, dueDate: '2026-02-26', stages: [] }, '13, 14 (make-up), 24, 25, 26 February')
  const departments = parallel.explanation.find((e: { code: string }) => e.code === 'outcome.parallel_approval')
  t.match(departments.text, /^9 departments approve at the same time/)
  const joint = (
    await testApp.app.inject({
      method: 'POST',
      url: '/v1/assessments',
      headers: bearer(dispatch),
      payload: { jurisdiction: 'yichuan', voltageVolts: 10_000, excavationLengthMeters: 600 },
    })
  ).json()
  t.match(joint, { timeLimit: { amount: 5, unit: 'working_days' }, dueDate: '2026-02-26' })
  t.same(
    joint.stages.map((s: { key: string; dueDate: string }) => [s.key, s.dueDate]),
    [
      ['joint_survey', '2026-02-24'],
      ['decision', '2026-02-25'],
      ['issuance', '2026-02-26'],
    ],
  )
})

/** Every route of a city, through the real app to closed. */
t.test('every route of Zhongshan and Yichuan, submitted to closed', async (t) => {
  const clock = new ManualClock(sh('2026-02-12T09:00:00'))
  const testApp = await buildTestApp(t, { clock })
  const client = lifecycleClient(testApp)
  const keys = {
    zhongshan: { dispatch: await scopedKey(testApp, 'dispatch', 'zhongshan', 'SGCC-ZS'), office: await scopedKey(testApp, 'office', 'zhongshan') },
    yichuan: { dispatch: await scopedKey(testApp, 'dispatch', 'yichuan', 'SGCC-YC'), office: await scopedKey(testApp, 'office', 'yichuan') },
  }
  const auditor = await testApp.key('auditor')
  const routes: Array<[keyof typeof keys, string, Record<string, unknown>]> = [
    ['zhongshan', 'low_voltage_filing', { voltageVolts: 380, excavationLengthMeters: 900 }],
    ['zhongshan', 'parallel_approval', { voltageVolts: 20_000, excavationLengthMeters: 80 }],
    ['zhongshan', 'standard', { voltageVolts: 110_000 }],
    ['zhongshan', 'special_approval', { roadProtected: true }],
    ['zhongshan', 'emergency_repair', { emergency: true }],
    ['yichuan', 'exempt_filing', { voltageVolts: 380, excavationLengthMeters: 150 }],
    ['yichuan', 'commitment_filing', { voltageVolts: 10_000, excavationLengthMeters: 150, commitment }],
    ['yichuan', 'length_filing', { voltageVolts: 10_000, excavationLengthMeters: 450 }],
    ['yichuan', 'joint_review', { voltageVolts: 10_000, excavationLengthMeters: 650 }],
    ['yichuan', 'standard', { voltageVolts: 110_000 }],
    ['yichuan', 'special_approval', { roadProtected: true }],
    ['yichuan', 'emergency_repair', { emergency: true }],
  ]
  for (const [city, route, input] of routes) {
    clock.set(sh('2026-02-12T09:00:00'))
    const { dispatch, office } = keys[city]
    const submitted = await client.submit(dispatch, input)
    t.match(submitted, { jurisdiction: city, route, ruleSet: { id: city === 'zhongshan' ? 'zs-green-channel' : 'yc-green-channel' } }, `${city} ${route}`)
    const id = submitted.id
    switch (submitted.behaviour) {
      case 'commitment_filing':
        t.equal(submitted.status, 'filed', `${route}: filed at once`)
        t.match(submitted.filingReceiptNumber, new RegExp(`^${city === 'zhongshan' ? 'ZS' : 'YC'}-BB-2026-\\d{6}$`))
        await client.ok(dispatch, id, { action: 'start_works' })
        break
      case 'emergency':
        t.equal(submitted.status, 'notified')
        await client.ok(dispatch, id, { action: 'complete_formalities', permitReference: 'PERMIT-1' })
        break
      case 'staged_joint_review': {
        clock.set(sh('2026-02-12T10:00:00'))
        const accepted = await client.ok(office, id, { action: 'accept' })
        t.equal(accepted.dueDate, '2026-02-26', 'Yichuan joint review: 5 working days over Spring Festival')
        clock.set(sh('2026-02-24T10:00:00'))
        await client.ok(office, id, { action: 'record_opinion', department: 'Traffic police', opinion: 'agree' })
        await client.ok(office, id, { action: 'complete_stage', stage: 'joint_survey' })
        clock.set(sh('2026-02-25T10:00:00'))
        await client.ok(office, id, approval)
        const issued = await client.ok(office, id, { action: 'complete_stage', stage: 'issuance' })
        t.equal(issued.clock.status, 'stopped')
        await client.ok(dispatch, id, { action: 'start_works' })
        break
      }
      default: {
        clock.set(sh('2026-02-12T10:00:00'))
        const accepted = await client.ok(office, id, { action: 'accept' })
        if (route === 'parallel_approval') t.match(accepted, { dueDate: '2026-02-26', workingDaysRemaining: 5, stages: [] }, 'parallel approval: 5 working days, no stages')
        clock.set(sh('2026-02-24T10:00:00'))
        const approved = await client.ok(office, id, approval)
        t.equal(approved.status, 'approved')
        if (route === 'parallel_approval') t.equal(approved.decision.withinTimeLimit, true)
        await client.ok(dispatch, id, { action: 'start_works' })
      }
    }
    await client.ok(dispatch, id, { action: 'complete_works' })
    await client.ok(office, id, { action: 'inspect_reinstatement', passed: true, inspector: 'Chen' })
    const closed = await client.ok(office, id, { action: 'close' })
    t.equal(closed.status, 'closed', `${city} ${route}: closed`)
    const verify = (await testApp.app.inject({ method: 'GET', url: `/v1/cases/${id}/events/verify`, headers: bearer(auditor) })).json()
    t.equal(verify.valid, true)
  }
  // The timeline export of a scoped office key holds its own jurisdiction's cases only.
  for (const [city, prefix, other] of [
    ['zhongshan', 'ZS-', 'YC-'],
    ['yichuan', 'YC-', 'ZS-'],
  ] as const) {
    const csv = (await testApp.app.inject({ method: 'GET', url: '/v1/reports/timelines?from=2026-02-01&to=2026-03-31', headers: bearer(keys[city].office) })).body
    t.ok(csv.includes(prefix) && !csv.includes(other), `${city}: the export is scoped`)
  }
  const everyCity = (await testApp.app.inject({ method: 'GET', url: '/v1/reports/timelines?from=2026-02-01&to=2026-03-31', headers: bearer(auditor) })).body
  t.ok(everyCity.includes('ZS-') && everyCity.includes('YC-'), 'an unscoped auditor exports every jurisdiction')
  // A filing that needs no commitment takes none; Yichuan's commitment route insists on one.
  const refused = await testApp.app.inject({
    method: 'POST',
    url: '/v1/cases',
    headers: bearer(keys.yichuan.dispatch),
    payload: { ...zsBody(), voltageVolts: 10_000, excavationLengthMeters: 100 },
  })
  t.equal(refused.statusCode, 422)
  t.equal(refused.json().code, 'commitment_required')
  // The events and rows of these cases carry their jurisdiction (the distribution column, README "Scaling out").
  const { rows } = await sql<{ jurisdiction_code: string }>`
    select e.jurisdiction_code from case_event e join "case" c on c.id = e.case_id where e.jurisdiction_code <> c.jurisdiction_code`.execute(testApp.database.db)
  const { rows: perCity } = await sql<{ jurisdiction_code: string; n: number }>`select jurisdiction_code, count(*)::int as n from "case" group by 1 order by 1`.execute(
    testApp.database.db,
  )
  t.same(perCity, [
    { jurisdiction_code: 'yichuan', n: 7 },
    { jurisdiction_code: 'zhongshan', n: 5 },
  ])
  t.same(rows, [], "every event has its case's jurisdiction")
})
