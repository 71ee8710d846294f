import t from 'tap'

import { BUILTIN_FIRST_YEAR, builtinCalendarYears } from '../../src/calendar/builtin-schedules.ts'
import { addDays, type CivilDate, compareCivilDates, shanghaiDateOf } from '../../src/core/calendar/civil-date.ts'
import { validateCalendarYear, WorkingDayCalendar } from '../../src/core/calendar/working-day-calendar.ts'

function range(first: CivilDate, last: CivilDate): CivilDate[] {
  const out: CivilDate[] = []
  for (let d = first; compareCivilDates(d, last) <= 0; d = addDays(d, 1)) out.push(d)
  return out
}

const years = builtinCalendarYears()
const byYear = new Map(years.map((s) => [s.year, s]))

t.test('covers 2019 up to the latest year of the package, and nothing it does not contain', async (t) => {
  t.equal(BUILTIN_FIRST_YEAR, 2019)
  const list = years.map((s) => s.year)
  t.equal(list[0], 2019, 'starts in 2019')
  t.same(
    list,
    [...list].sort((a, b) => a - b),
    'ascending',
  )
  t.same(
    list,
    Array.from({ length: list.length }, (_, i) => 2019 + i),
    'no gaps',
  )
  for (let year = 2019; year <= 2026; year++) t.ok(byYear.has(year), `${year} present`)
  t.notOk(byYear.has(2027), '2027 is not in chinese-days 1.5.7 and must not be guessed')
  t.notOk(byYear.has(2018), 'years before 2019 are not loaded')
})

t.test('source names the package and its version', async (t) => {
  for (const s of years) t.equal(s.source, 'chinese-days@1.5.7', String(s.year))
})

t.test('2026 matches docs/domain.md §3 exactly', async (t) => {
  const s = byYear.get(2026)
  t.ok(s)
  t.same(s?.holidays, [
    ...range('2026-01-01', '2026-01-03'),
    ...range('2026-02-15', '2026-02-23'),
    ...range('2026-04-04', '2026-04-06'),
    ...range('2026-05-01', '2026-05-05'),
    ...range('2026-06-19', '2026-06-21'),
    ...range('2026-09-25', '2026-09-27'),
    ...range('2026-10-01', '2026-10-07'),
  ])
  t.same(s?.makeupWorkdays, ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'])
})

t.test('every year is valid and plausible', async (t) => {
  for (const s of years) {
    t.same(validateCalendarYear(s), [], `${s.year} validates`)
    t.ok(s.holidays.length >= 25 && s.holidays.length <= 40, `${s.year}: ${s.holidays.length} holidays`)
    t.ok(s.makeupWorkdays.length >= 3 && s.makeupWorkdays.length <= 10, `${s.year}: ${s.makeupWorkdays.length} make-up days`)
    for (const fixed of ['01-01', '05-01', '10-01', '10-02', '10-03']) {
      t.ok(s.holidays.includes(`${s.year}-${fixed}`), `${s.year}-${fixed} is a holiday`)
    }
  }
})

t.test('spot checks of earlier years', async (t) => {
  t.same(byYear.get(2025)?.makeupWorkdays, ['2025-01-26', '2025-02-08', '2025-04-27', '2025-09-28', '2025-10-11'])
  t.same(byYear.get(2019)?.makeupWorkdays, ['2019-02-02', '2019-02-03', '2019-04-28', '2019-05-05', '2019-09-29', '2019-10-12'])
  t.ok(byYear.get(2025)?.holidays.includes('2025-01-28'), '2025 Spring Festival eve is off')
})

t.test('results are copies: callers cannot corrupt the cache', async (t) => {
  const first = builtinCalendarYears()
  first[0]?.holidays.push('2019-12-31')
  first.pop()
  const second = builtinCalendarYears()
  t.same(second, years)
})

t.test('the builtin calendar reproduces the worked examples', async (t) => {
  const calendar = new WorkingDayCalendar(builtinCalendarYears())
  t.same(calendar.addWorkingDays('2026-02-12', 2), { date: '2026-02-14', provisional: false })
  t.same(calendar.addWorkingDays('2026-02-12', 8), { date: '2026-03-02', provisional: false })
  t.same(calendar.addWorkingDays(shanghaiDateOf(new Date('2026-02-12T16:30:00Z')), 2), {
    date: '2026-02-24',
    provisional: false,
  })
  t.same(calendar.addWorkingDays('2026-12-28', 10), { date: '2027-01-11', provisional: true })
  t.same(calendar.countWorkingDays('2025-12-31', '2026-12-31'), { count: 248, provisional: false })
})
