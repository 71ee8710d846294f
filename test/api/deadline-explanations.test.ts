import t from 'tap'
import { ManualClock } from '../../src/platform/clock.ts'
import { lifecycleClient } from '../helpers/lifecycle-client.ts'
import { bearer, buildTestApp } from '../helpers/test-app.ts'

const sh = (local: string) => `${local}+08:00`
const SF = '春节 Spring Festival'

t.test('GET /v1/calendar/due-date explains the count day by day, with the holiday names of chinese-days', async (t) => {
  const { app, key } = await buildTestApp(t)
  const auditor = await key('auditor')
  const due = async (from: string, n: number) => (await app.inject({ method: 'GET', url: `/v1/calendar/due-date?from=${from}&workingDays=${n}`, headers: bearer(auditor) })).json()

  const eight = await due('2026-02-12', 8)
  t.equal(eight.dueDate, '2026-03-02')
  t.same(eight.explanation.countedDates, ['2026-02-13', '2026-02-14', '2026-02-24', '2026-02-25', '2026-02-26', '2026-02-27', '2026-02-28', '2026-03-02'])
  t.same(
    eight.explanation.skipped.map((d: { date: string; kind: string; holiday: string | null }) => `${d.date} ${d.kind} ${d.holiday ?? ''}`.trim()),
    [...['15', '16', '17', '18', '19', '20', '21', '22', '23'].map((d) => `2026-02-${d} holiday ${SF}`), '2026-03-01 weekend'],
  )
  t.same(eight.explanation.makeupWorkdaysCounted, [
    { date: '2026-02-14', makesUpFor: SF },
    { date: '2026-02-28', makesUpFor: SF },
  ])
  t.equal(eight.explanation.provisional, false)

  const saturday = await due('2026-02-12', 2)
  t.equal(saturday.dueDate, '2026-02-14')
  t.match(saturday.explanation.dueDateNote, /Saturday worked as a make-up workday \(调休, for 春节 Spring Festival\)/)

  const years = (await app.inject({ method: 'GET', url: '/v1/calendar/years/2026', headers: bearer(auditor) })).json()
  t.equal(years.holidayNames['2026-02-17'], SF)
  t.equal(years.makeupWorkdayNames['2026-02-28'], SF)
})

t.test('PUT /v1/calendar/years/{year} takes holiday names (optional); the explanation uses them, a provisional year is flagged', async (t) => {
  const { app, key } = await buildTestApp(t)
  const admin = await key('admin')
  const beyond = (await app.inject({ method: 'GET', url: '/v1/calendar/due-date?from=2030-12-30&workingDays=3', headers: bearer(admin) })).json()
  t.same(beyond.explanation.provisionalYears, [2030, 2031], 'weekends only in years without a schedule')

  const bad = await app.inject({
    method: 'PUT',
    url: '/v1/calendar/years/2031',
    headers: bearer(admin),
    payload: { holidays: ['2031-01-01'], makeupWorkdays: [], holidayNames: { '2031-01-02': '元旦 New Year' } },
  })
  t.equal(bad.statusCode, 422)
  t.ok(
    bad.json().errors.some((e: { path: string }) => /holidayNames/.test(e.path)),
    bad.body,
  )

  const put = await app.inject({
    method: 'PUT',
    url: '/v1/calendar/years/2031',
    headers: bearer(admin),
    payload: { holidays: ['2031-01-01'], makeupWorkdays: [], source: 'test notice', holidayNames: { '2031-01-01': '元旦 New Year' } },
  })
  t.equal(put.statusCode, 200, put.body)
  t.same(put.json().holidayNames, { '2031-01-01': '元旦 New Year' })
  const plain = await app.inject({ method: 'PUT', url: '/v1/calendar/years/2032', headers: bearer(admin), payload: { holidays: [], makeupWorkdays: [] } })
  t.equal(plain.statusCode, 200, 'names stay optional (backward compatible)')

  const after = (await app.inject({ method: 'GET', url: '/v1/calendar/due-date?from=2030-12-30&workingDays=3', headers: bearer(admin) })).json()
  t.equal(after.dueDate, '2031-01-03')
  t.match(
    after.explanation.days.find((d: { date: string }) => d.date === '2031-01-01'),
    { kind: 'holiday', holiday: '元旦 New Year', counted: null },
  )
})

t.test('every deadline on a case is explained: overall and per stage, with the pauses of the ledger', async (t) => {
  const clock = new ManualClock(sh('2026-02-12T10:00:00'))
  const testApp = await buildTestApp(t, { clock })
  const client = lifecycleClient(testApp)
  const dispatch = await testApp.key('dispatch')
  const office = await testApp.key('office')
  const joint = await client.submit(dispatch, { excavationLengthMeters: 70 })
  await client.ok(office, joint.id, { action: 'accept' })
  clock.set(sh('2026-02-13T11:00:00'))
  await client.ok(office, joint.id, { action: 'request_supplement', items: [{ item: 'traffic plan' }] })
  clock.set(sh('2026-02-25T09:00:00'))
  const body = await client.ok(dispatch, joint.id, { action: 'submit_supplement', documents: ['plan.pdf'] })
  // Paused 13 < d ≤ 25 February: the 13th was used (1), the 14th, 24th and 25th are paused working days; the count
  // goes on from the 26th: 26, 27, 28 (Sat, 调休), 2, 3, 4, 5 March → 8th working day 5 March.
  const overall = body.clock.explanation
  t.equal(overall.dueDate, '2026-03-05')
  t.equal(body.dueDate, '2026-03-05', 'the explanation agrees with the clock')
  t.same(overall.countedDates, ['2026-02-13', '2026-02-26', '2026-02-27', '2026-02-28', '2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05'])
  t.same(
    overall.skipped.filter((d: { kind: string }) => d.kind === 'paused').map((d: { date: string }) => d.date),
    ['2026-02-14', '2026-02-24', '2026-02-25'],
  )
  t.equal(overall.pauses.length, 1)
  t.match(overall.pauses[0], { from: '2026-02-13', to: '2026-02-25', reason: /supplement/ })
  const survey = body.stages.find((s: { key: string }) => s.key === 'joint_survey')
  t.equal(survey.explanation.dueDate, survey.dueDate)
  t.equal(survey.dueDate, '2026-02-28', 'joint survey: 13, 26, 27 and the make-up Saturday 28 February')
  t.match(survey.explanation.dueDateNote, /Saturday worked as a make-up workday/)
  const read = await client.read(office, joint.id)
  t.same(read.clock.explanation, overall, 'GET /v1/cases/{id} explains the same')
  const listed = (await testApp.app.inject({ method: 'GET', url: '/v1/cases', headers: bearer(office) })).json().items[0]
  t.equal(listed.clock.explanation, null, 'lists leave the explanations out (read the case for them)')
})
