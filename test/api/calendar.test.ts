import t from 'tap'
import { bearer, buildTestApp } from '../helpers/test-app.ts'
import { snapshotDatabase } from '../helpers/db-snapshot.ts'

t.test('calendar years: bundled official schedules 2019 on, with their source', async (t) => {
  const { app, key } = await buildTestApp(t)
  const auditor = await key('auditor')
  const list = (await app.inject({ method: 'GET', url: '/v1/calendar/years', headers: bearer(auditor) })).json()
  const years = list.items.map((y: { year: number }) => y.year)
  t.same(years.slice(0, 8), [2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026])
  t.notOk(years.includes(2027), '2027 is not published yet')
  const y2026 = list.items.find((y: { year: number }) => y.year === 2026)
  t.match(y2026.source, /^chinese-days@/)
  t.same(y2026.makeupWorkdays, ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'])
  const missing = await app.inject({ method: 'GET', url: '/v1/calendar/years/2027', headers: bearer(auditor) })
  t.equal(missing.statusCode, 404)
})

t.test('due-date: worked examples, provisional into an unloaded year, then final once an admin loads it', async (t) => {
  const { app, key } = await buildTestApp(t)
  const office = await key('office')
  const admin = await key('admin')
  const due = async (from: string, n: number) => (await app.inject({ method: 'GET', url: `/v1/calendar/due-date?from=${from}&workingDays=${n}`, headers: bearer(office) })).json()

  t.match(await due('2026-02-12', 2), { dueDate: '2026-02-14', provisional: false, dueAt: '2026-02-14T23:59:59.999+08:00' })
  t.match(await due('2026-02-12', 8), { dueDate: '2026-03-02', provisional: false })
  t.match(await due('2026-09-30', 1), { dueDate: '2026-10-08', provisional: false }, 'National Day week is skipped')
  t.match(await due('2026-12-30', 5), { dueDate: '2027-01-06', provisional: true }, 'into 2027: weekends only, provisional')

  // The State Council publishes 2027: New Year 1–3 January, make-up Sunday 2027-01-10 (an illustrative schedule).
  const loaded = await app.inject({
    method: 'PUT',
    url: '/v1/calendar/years/2027',
    headers: bearer(admin),
    payload: { holidays: ['2027-01-01', '2027-01-02', '2027-01-03'], makeupWorkdays: ['2027-01-10'], source: 'test notice' },
  })
  t.equal(loaded.statusCode, 200, loaded.body)
  t.equal(loaded.json().source, 'test notice')
  t.match(await due('2026-12-30', 5), { dueDate: '2027-01-07', provisional: false }, 'recomputed with the loaded year')

  const replaced = await app.inject({ method: 'PUT', url: '/v1/calendar/years/2027', headers: bearer(admin), payload: { holidays: [], makeupWorkdays: [] } })
  t.equal(replaced.statusCode, 200, 'a year can be replaced')
  t.match(await due('2026-12-30', 5), { dueDate: '2027-01-06', provisional: false })
})

t.test('calendar refusals: invalid schedules and queries change nothing', async (t) => {
  const { app, database, key } = await buildTestApp(t)
  const admin = await key('admin')
  const attempts: Array<[string, string, unknown, number, string[]]> = [
    ['make-up workday on a weekday', '2027', { holidays: [], makeupWorkdays: ['2027-01-04'] }, 422, ['body.makeupWorkdays.0']],
    ['date both holiday and make-up', '2027', { holidays: ['2027-01-09'], makeupWorkdays: ['2027-01-09'] }, 422, ['body.makeupWorkdays.0']],
    ['date outside the year', '2027', { holidays: ['2026-12-31'], makeupWorkdays: [] }, 422, ['body.holidays.0']],
    ['malformed date', '2027', { holidays: ['2027-13-01'], makeupWorkdays: [] }, 400, ['body.holidays.0']],
    ['year out of range', '1800', { holidays: [], makeupWorkdays: [] }, 400, ['path.year']],
  ]
  for (const [label, year, payload, status, paths] of attempts) {
    const before = await snapshotDatabase(database.db)
    const response = await app.inject({ method: 'PUT', url: `/v1/calendar/years/${year}`, headers: bearer(admin), payload: payload as object })
    t.equal(response.statusCode, status, `${label}: ${response.body.slice(0, 300)}`)
    t.same(
      response.json().errors.map((e: { path: string }) => e.path),
      paths,
      label,
    )
    t.same(await snapshotDatabase(database.db), before, `${label}: nothing written`)
  }
  for (const query of ['from=2026-02-30&workingDays=2', 'from=2026-02-12&workingDays=-1', 'from=2026-02-12&workingDays=1.5', 'from=2026-02-12', 'workingDays=2']) {
    const response = await app.inject({ method: 'GET', url: `/v1/calendar/due-date?${query}`, headers: bearer(admin) })
    t.equal(response.statusCode, 400, query)
    t.ok(response.json().errors.length > 0, query)
  }
})
