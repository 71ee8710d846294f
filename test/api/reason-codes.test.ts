import t from 'tap'
import { ManualClock } from '../../src/platform/clock.ts'
import { sweepOverdueCases } from '../../src/supervision/overdue-sweep.ts'
import { lifecycleClient } from '../helpers/lifecycle-client.ts'
import { bearer, buildTestApp } from '../helpers/test-app.ts'

const sh = (local: string) => `${local}+08:00`

t.test('coded reasons: listed by the rule set, checked against it (422 naming the path), kept with the free text, counted by the report', async (t) => {
  const clock = new ManualClock(sh('2026-02-12T10:00:00'))
  const testApp = await buildTestApp(t, { clock })
  const { app } = testApp
  const client = lifecycleClient(testApp)
  const dispatch = await testApp.key('dispatch')
  const office = await testApp.key('office')
  const auditor = await testApp.key('auditor')

  const ruleSet = (await app.inject({ method: 'GET', url: '/v1/rule-sets/zz-green-channel', headers: bearer(dispatch) })).json()
  t.equal(ruleSet.reasonCodes.version, 1)
  t.match(
    ruleSet.reasonCodes.supplementItems.map((c: { code: string }) => c.code),
    ['traffic_diversion_plan', 'pipeline_map', 'construction_drawing'],
  )
  t.match(
    ruleSet.reasonCodes.refuse.find((c: { code: string }) => c.code === 'pipeline_conflict'),
    { zh: '与既有地下管线冲突', en: 'conflicts with existing buried pipelines', basis: { citation: /城市道路管理条例/ } },
  )
  for (const list of ['notAccept', 'refuse', 'refuseChange', 'revokeFiling', 'supplementItems']) t.ok(ruleSet.reasonCodes[list].length > 0, `${list} listed`)

  const a = await client.submit(dispatch)
  const notAccepted = await client.ok(office, a.id, { action: 'not_accept', reason: 'Not ours: a county road', reasonCodes: ['outside_competence'] })
  t.same(notAccepted.notAccepted.reasonCodes, ['outside_competence'])
  t.equal(notAccepted.notAccepted.reason, 'Not ours: a county road', 'the free text stays')

  const b = await client.submit(dispatch)
  await client.ok(office, b.id, { action: 'accept' })
  const before = await client.read(office, b.id)
  const unknown = await client.act(office, b.id, { action: 'refuse', reasons: ['Clash with the gas main'], reasonCodes: ['pipeline_conflict', 'bad_weather'] })
  t.equal(unknown.statusCode, 422)
  t.match(unknown.json(), { code: 'unknown_reason_code', errors: [{ path: 'body.reasonCodes.1', message: /unknown code "bad_weather"/ }] })
  t.equal((await client.read(office, b.id)).version, before.version, 'nothing changed')
  const malformed = await client.act(office, b.id, { action: 'refuse', reasons: ['x'], reasonCodes: ['Not A Code'] })
  t.equal(malformed.statusCode, 400)

  const badItem = await client.act(office, b.id, { action: 'request_supplement', items: [{ item: 'the map', code: 'treasure_map' }] })
  t.equal(badItem.statusCode, 422)
  t.equal(badItem.json().errors[0].path, 'body.items.0.code')
  const supplement = await client.ok(office, b.id, {
    action: 'request_supplement',
    items: [{ item: 'Pipeline map of the crossing', code: 'pipeline_map' }, { item: 'Traffic plan', code: 'traffic_diversion_plan' }, { item: 'Something uncoded' }],
  })
  t.same(
    supplement.supplements[0].items.map((i: { code?: string }) => i.code ?? null),
    ['pipeline_map', 'traffic_diversion_plan', null],
  )
  await client.ok(dispatch, b.id, { action: 'submit_supplement', documents: ['map.pdf'] })
  const refused = await client.ok(office, b.id, { action: 'refuse', reasons: ['Clash with the gas main'], reasonCodes: ['pipeline_conflict'] })
  t.same(refused.decision.reasonCodes, ['pipeline_conflict'])

  const c = await client.submit(dispatch)
  await client.ok(office, c.id, { action: 'accept' })
  t.equal((await client.ok(office, c.id, { action: 'refuse', reasons: ['Without codes, as before'] })).status, 'refused', 'codes stay optional')

  const d = await client.submit(dispatch, { voltageVolts: 380, excavationLengthMeters: 20, commitment: { signedBy: 'Li Ming', statement: 'We comply' } })
  const revoked = await client.ok(office, d.id, { action: 'revoke_filing', reason: 'The trench is 260 m', reasonCodes: ['exceeds_filing_scope'] })
  t.same(revoked.revocation.reasonCodes, ['exceeds_filing_scope'])

  // A fast-track case reaches yellow (1 of 2 days) on Friday 13th and red on the make-up Saturday 14th.
  const e = await client.submit(dispatch)
  await client.ok(office, e.id, { action: 'accept' })
  clock.set(sh('2026-02-14T09:00:00'))
  await sweepOverdueCases({ db: testApp.database.db, calendars: app.calendarService, clock })

  const report = (await app.inject({ method: 'GET', url: '/v1/reports/sla?from=2026-02-01&to=2026-02-28', headers: bearer(auditor) })).json()
  t.same(report.reasons, [
    { action: 'not_accept', code: 'outside_competence', listVersion: 1, cases: 1 },
    { action: 'refuse', code: 'pipeline_conflict', listVersion: 1, cases: 1 },
    { action: 'request_supplement', code: 'pipeline_map', listVersion: 1, cases: 1 },
    { action: 'request_supplement', code: 'traffic_diversion_plan', listVersion: 1, cases: 1 },
    { action: 'revoke_filing', code: 'exceeds_filing_scope', listVersion: 1, cases: 1 },
  ])
  t.match(report.supervision, { casesReachedYellow: 1, casesReachedRed: 1, casesReachedOverdue: 0, stageOverruns: 0 })
  const march = (await app.inject({ method: 'GET', url: '/v1/reports/sla?from=2026-03-01&to=2026-03-31', headers: bearer(auditor) })).json()
  t.same(march.reasons, [], 'by the date the code was given')
})
