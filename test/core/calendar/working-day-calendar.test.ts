import t from 'tap'

import { addDays, type CivilDate, compareCivilDates, shanghaiDateOf } from '../../../src/core/calendar/civil-date.ts'
import { type CalendarYearSchedule, CalendarValidationError, validateCalendarYear, WorkingDayCalendar } from '../../../src/core/calendar/working-day-calendar.ts'

function range(first: CivilDate, last: CivilDate): CivilDate[] {
  const out: CivilDate[] = []
  for (let d = first; compareCivilDates(d, last) <= 0; d = addDays(d, 1)) out.push(d)
  return out
}

/** 2026 as printed in docs/domain.md §3 (State Council notice of 2025-11-04), typed in by hand. */
const HOLIDAYS_2026: CivilDate[] = [
  ...range('2026-01-01', '2026-01-03'), // New Year
  ...range('2026-02-15', '2026-02-23'), // Spring Festival
  ...range('2026-04-04', '2026-04-06'), // Qingming
  ...range('2026-05-01', '2026-05-05'), // Labour Day
  ...range('2026-06-19', '2026-06-21'), // Dragon Boat
  ...range('2026-09-25', '2026-09-27'), // Mid-Autumn
  ...range('2026-10-01', '2026-10-07'), // National Day
]
const MAKEUP_2026: CivilDate[] = ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10']

const schedule2026: CalendarYearSchedule = {
  year: 2026,
  holidays: HOLIDAYS_2026,
  makeupWorkdays: MAKEUP_2026,
  source: 'State Council notice 2025-11-04 (docs/domain.md)',
}

const calendar = new WorkingDayCalendar([schedule2026])

t.test('every 2026 holiday is a day off and every make-up workday is worked', async (t) => {
  const table: Array<[CivilDate, boolean, string]> = [
    ...HOLIDAYS_2026.map((d): [CivilDate, boolean, string] => [d, false, 'holiday']),
    ['2026-01-04', true, 'Sun, make-up for New Year'],
    ['2026-02-14', true, 'Sat, make-up for Spring Festival'],
    ['2026-02-28', true, 'Sat, make-up for Spring Festival'],
    ['2026-05-09', true, 'Sat, make-up for Labour Day'],
    ['2026-09-20', true, 'Sun, make-up for National Day'],
    ['2026-10-10', true, 'Sat, make-up for National Day'],
    ['2026-02-12', true, 'ordinary Thursday'],
    ['2026-02-13', true, 'ordinary Friday'],
    ['2026-02-24', true, 'first day back after Spring Festival'],
    ['2026-03-02', true, 'ordinary Monday'],
    ['2026-03-07', false, 'ordinary Saturday'],
    ['2026-03-08', false, 'ordinary Sunday'],
    ['2026-10-08', true, 'Thursday after National Day'],
    ['2026-10-11', false, 'ordinary Sunday'],
  ]
  t.equal(HOLIDAYS_2026.length, 33)
  for (const [date, working, why] of table) {
    t.same(calendar.isWorkingDay(date), { working, provisional: false }, `${date} ${why}`)
  }
})

t.test('docs/domain.md worked examples', async (t) => {
  t.same(calendar.addWorkingDays('2026-02-12', 2), { date: '2026-02-14', provisional: false }, 'Thu +2 → make-up Sat')
  t.same(calendar.addWorkingDays('2026-02-12', 8), { date: '2026-03-02', provisional: false }, 'Thu +8 → Mon Mar 2')
  const accepted = shanghaiDateOf(new Date('2026-02-12T16:30:00Z'))
  t.equal(accepted, '2026-02-13', '16:30Z is 00:30 on Feb 13 in Shanghai')
  t.same(calendar.addWorkingDays(accepted, 2), { date: '2026-02-24', provisional: false })
  // One millisecond earlier in Shanghai the acceptance is still Feb 12.
  t.same(calendar.addWorkingDays(shanghaiDateOf(new Date('2026-02-12T15:59:59.999Z')), 2).date, '2026-02-14')
  t.same(calendar.addWorkingDays(shanghaiDateOf(new Date('2026-02-12T16:00:00.000Z')), 2).date, '2026-02-24')
})

t.test('addWorkingDays: the from-day is never counted (民法典 art. 201)', async (t) => {
  const table: Array<[CivilDate, number, CivilDate, string]> = [
    ['2026-02-12', 1, '2026-02-13', 'Thu +1'],
    ['2026-02-13', 1, '2026-02-14', 'Fri +1 → make-up Sat'],
    ['2026-02-14', 1, '2026-02-24', 'from a make-up workday: it is not counted either'],
    ['2026-02-15', 1, '2026-02-24', 'from a holiday (Sun)'],
    ['2026-02-18', 1, '2026-02-24', 'from a holiday (Wed)'],
    ['2026-02-21', 1, '2026-02-24', 'from a holiday (Sat)'],
    ['2026-02-23', 1, '2026-02-24', 'from the last holiday'],
    ['2026-02-18', 5, '2026-02-28', 'from a holiday, into the make-up Sat'],
    ['2026-03-07', 1, '2026-03-09', 'from an ordinary Saturday'],
    ['2026-03-08', 1, '2026-03-09', 'from an ordinary Sunday'],
    ['2026-03-06', 1, '2026-03-09', 'Fri +1 skips the weekend'],
    ['2026-09-30', 1, '2026-10-08', 'National Day'],
    ['2026-09-30', 2, '2026-10-09', 'National Day'],
    ['2026-09-30', 3, '2026-10-10', 'National Day then make-up Sat'],
    ['2026-09-18', 1, '2026-09-20', 'Fri +1 → make-up Sun'],
    ['2026-09-24', 1, '2026-09-28', 'Mid-Autumn'],
    ['2025-12-31', 1, '2026-01-04', 'New Year then make-up Sun (2025 not examined)'],
    ['2026-04-03', 1, '2026-04-07', 'Qingming'],
    ['2026-04-30', 1, '2026-05-06', 'Labour Day'],
    ['2026-05-08', 1, '2026-05-09', 'make-up Sat'],
    ['2026-06-18', 1, '2026-06-22', 'Dragon Boat'],
  ]
  for (const [from, n, date, why] of table) {
    t.same(calendar.addWorkingDays(from, n), { date, provisional: false }, `${from} + ${n}: ${why}`)
  }
})

t.test('n = 0 returns from unchanged, even on a day off or in an unloaded year', async (t) => {
  for (const from of ['2026-02-12', '2026-02-15', '2026-03-07', '2030-06-01']) {
    t.same(calendar.addWorkingDays(from, 0), { date: from, provisional: false }, from)
  }
})

t.test('n must be a non-negative whole number', async (t) => {
  for (const n of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
    t.throws(() => calendar.addWorkingDays('2026-02-12', n), RangeError, String(n))
  }
  t.throws(() => calendar.addWorkingDays('2026-02-30', 1), RangeError, 'invalid from-date')
})

t.test('unloaded years: weekends only, provisional', async (t) => {
  t.notOk(calendar.isLoaded(2027))
  t.same(calendar.isWorkingDay('2027-01-01'), { working: true, provisional: true }, 'Fri, holiday unknown yet')
  t.same(calendar.isWorkingDay('2027-01-02'), { working: false, provisional: true }, 'Sat')
  t.same(calendar.isWorkingDay('2025-10-01'), { working: true, provisional: true }, 'unloaded past year too')

  // Mon 2026-12-28: Dec 29, 30, 31 (loaded), then Jan 1 (Fri), 4–8, 11 in unloaded 2027.
  t.same(calendar.addWorkingDays('2026-12-28', 10), { date: '2027-01-11', provisional: true })
  t.same(calendar.addWorkingDays('2026-12-28', 3), { date: '2026-12-31', provisional: false }, 'never reached 2027')
  t.same(calendar.addWorkingDays('2026-12-31', 1), { date: '2027-01-01', provisional: true })
  t.same(calendar.addWorkingDays('2026-12-31', 0), { date: '2026-12-31', provisional: false })
  // Wholly inside the loaded year: official. 248 working days in 2026, 1 used by Jan 4 (make-up).
  t.same(calendar.addWorkingDays('2026-01-04', 247), { date: '2026-12-31', provisional: false }, 'whole year, official')
  t.same(calendar.addWorkingDays('2026-01-04', 248), { date: '2027-01-01', provisional: true }, 'one more spills over')

  t.same(calendar.countWorkingDays('2026-12-28', '2027-01-11'), { count: 10, provisional: true })
  t.same(calendar.countWorkingDays('2026-12-28', '2026-12-31'), { count: 3, provisional: false })

  t.test('loading the year makes the same deadline official', async (t) => {
    const with2027 = calendar.withYear({
      year: 2027,
      holidays: ['2027-01-01', '2027-01-02', '2027-01-03'],
      makeupWorkdays: [],
      source: 'hypothetical, for the test',
    })
    t.same(with2027.addWorkingDays('2026-12-28', 10), { date: '2027-01-12', provisional: false })
    t.same(with2027.countWorkingDays('2026-12-28', '2027-01-12'), { count: 10, provisional: false })
    t.same(calendar.addWorkingDays('2026-12-28', 10), { date: '2027-01-11', provisional: true }, 'original untouched')
  })
})

t.test('countWorkingDays', async (t) => {
  const table: Array<[CivilDate, CivilDate, number, boolean]> = [
    ['2025-12-31', '2026-12-31', 248, false], // 261 weekdays − 19 weekday holidays + 6 make-up days
    ['2026-02-12', '2026-02-14', 2, false],
    ['2026-02-12', '2026-03-02', 8, false],
    ['2026-02-12', '2026-02-12', 0, false],
    ['2026-02-14', '2026-02-12', 0, false],
    ['2027-06-01', '2026-02-12', 0, false], // to before from: nothing examined
    ['2026-02-14', '2026-02-23', 0, false],
    ['2026-02-13', '2026-02-14', 1, false],
    ['2026-12-31', '2027-12-31', 261, true],
  ]
  for (const [from, to, count, provisional] of table) {
    t.same(calendar.countWorkingDays(from, to), { count, provisional }, `(${from}, ${to}]`)
  }
})

t.test('countWorkingDays is the inverse of addWorkingDays', async (t) => {
  const two = new WorkingDayCalendar([
    schedule2026,
    {
      year: 2025,
      holidays: ['2025-01-01', ...range('2025-01-28', '2025-02-04'), ...range('2025-10-01', '2025-10-08')],
      makeupWorkdays: ['2025-01-26', '2025-02-08', '2025-09-28', '2025-10-11'],
      source: 'abridged, for the test',
    },
  ])
  let checked = 0
  let failures = 0
  for (let from = '2025-11-20'; compareCivilDates(from, '2026-03-10') <= 0; from = addDays(from, 3)) {
    for (let n = 0; n <= 320; n += 7) {
      const added = two.addWorkingDays(from, n)
      const counted = two.countWorkingDays(from, added.date)
      if (counted.count !== n || counted.provisional !== added.provisional) failures++
      // The result is always a working day (for n > 0) and the day before it falls short by one.
      if (n > 0 && !two.isWorkingDay(added.date).working) failures++
      if (n > 0 && two.countWorkingDays(from, addDays(added.date, -1)).count !== n - 1) failures++
      checked++
    }
  }
  t.equal(failures, 0, `${checked} (from, n) pairs`)
})

t.test('large n stays fast and exact', async (t) => {
  const started = performance.now()
  for (let i = 0; i < 200; i++) calendar.addWorkingDays('2026-01-01', 10_000)
  const elapsed = performance.now() - started
  const result = calendar.addWorkingDays('2026-01-01', 10_000)
  t.equal(result.provisional, true)
  t.same(calendar.countWorkingDays('2026-01-01', result.date), { count: 10_000, provisional: true })
  t.ok(elapsed < 5_000, `200 × 10 000 working days took ${elapsed.toFixed(0)} ms`)
})

t.test('validateCalendarYear', async (t) => {
  const base = (): CalendarYearSchedule => ({
    year: 2026,
    holidays: ['2026-01-01', '2026-01-02'],
    makeupWorkdays: ['2026-01-04'],
    source: 'test',
  })
  t.same(validateCalendarYear(base()), [], 'a valid schedule has no issues')
  t.same(validateCalendarYear(schedule2026), [], 'the docs/domain.md 2026 schedule is valid')
  t.same(validateCalendarYear({ ...base(), holidays: [], makeupWorkdays: [] }), [], 'empty lists are valid')

  const table: Array<[string, CalendarYearSchedule, Array<{ path: string; message: RegExp }>]> = [
    [
      'make-up workday on a weekday',
      { ...base(), makeupWorkdays: ['2026-02-16'] },
      [{ path: 'makeupWorkdays.0', message: /^2026-02-16 is a Monday; a make-up workday must fall on a Saturday or Sunday$/ }],
    ],
    [
      'date both holiday and make-up workday',
      { ...base(), holidays: ['2026-01-01', '2026-02-14'], makeupWorkdays: ['2026-01-04', '2026-02-14'] },
      [{ path: 'makeupWorkdays.1', message: /2026-02-14 is both a holiday \(holidays\.1\) and a make-up workday/ }],
    ],
    ['holiday outside the year', { ...base(), holidays: ['2026-01-01', '2027-01-01'] }, [{ path: 'holidays.1', message: /2027-01-01 is outside 2026/ }]],
    ['make-up workday outside the year', { ...base(), makeupWorkdays: ['2025-12-27'] }, [{ path: 'makeupWorkdays.0', message: /2025-12-27 is outside 2026/ }]],
    [
      'malformed dates',
      { ...base(), holidays: ['2026-1-01', '2026-02-30', 'x'], makeupWorkdays: [20260104 as unknown as string] },
      [
        { path: 'holidays.0', message: /"2026-1-01" is not a real date in YYYY-MM-DD form/ },
        { path: 'holidays.1', message: /"2026-02-30" is not a real date/ },
        { path: 'holidays.2', message: /"x" is not a real date/ },
        { path: 'makeupWorkdays.0', message: /20260104 is not a real date/ },
      ],
    ],
    [
      'duplicate holiday',
      { ...base(), holidays: ['2026-01-01', '2026-01-02', '2026-01-01'] },
      [{ path: 'holidays.2', message: /2026-01-01 is listed twice in holidays \(also at holidays\.0\)/ }],
    ],
    ['duplicate make-up workday', { ...base(), makeupWorkdays: ['2026-01-04', '2026-01-04'] }, [{ path: 'makeupWorkdays.1', message: /listed twice in makeupWorkdays/ }]],
    ['year not an integer', { ...base(), year: 2026.5, holidays: [], makeupWorkdays: [] }, [{ path: 'year', message: /whole number between 1990 and 2100/ }]],
    ['year too early', { ...base(), year: 1989, holidays: [], makeupWorkdays: [] }, [{ path: 'year', message: /1989/ }]],
    ['year too late', { ...base(), year: 2101, holidays: [], makeupWorkdays: [] }, [{ path: 'year', message: /2101/ }]],
    ['missing source', { ...base(), source: ' ' }, [{ path: 'source', message: /where the schedule came from/ }]],
    [
      'lists that are not lists',
      { ...base(), holidays: undefined as unknown as string[], makeupWorkdays: '2026-01-04' as unknown as string[] },
      [
        { path: 'holidays', message: /must be a list/ },
        { path: 'makeupWorkdays', message: /must be a list/ },
      ],
    ],
  ]
  for (const [name, schedule, expected] of table) {
    const issues = validateCalendarYear(schedule)
    t.equal(issues.length, expected.length, `${name}: ${JSON.stringify(issues)}`)
    expected.forEach((e, i) => {
      t.equal(issues[i]?.path, e.path, `${name}: path`)
      t.match(issues[i]?.message, e.message, `${name}: message`)
    })
  }
  t.same(validateCalendarYear(null as unknown as CalendarYearSchedule).length, 1, 'not an object')
})

t.test('constructor rejects invalid schedules with every issue listed', async (t) => {
  const bad: CalendarYearSchedule = { ...schedule2026, makeupWorkdays: ['2026-03-16', '2026-02-15'] }
  try {
    new WorkingDayCalendar([{ ...schedule2026, year: 2025, holidays: [], makeupWorkdays: [] }, bad])
    t.fail('should throw')
  } catch (error) {
    t.type(error, CalendarValidationError)
    const issues = (error as CalendarValidationError).issues
    t.same(
      issues.map((i) => i.path),
      ['1.makeupWorkdays.0', '1.makeupWorkdays.1'],
    )
    t.match((error as Error).message, /2026-03-16 is a Monday/)
    t.match((error as Error).message, /2026-02-15 is both a holiday/)
  }
  t.throws(() => new WorkingDayCalendar([schedule2026, schedule2026]), /year 2026 is given twice/)
  t.throws(() => calendar.withYear({ ...schedule2026, holidays: ['2026-02-30'] }), CalendarValidationError)
  t.same(new WorkingDayCalendar([]).loadedYears(), [], 'an empty calendar is allowed: everything provisional')
})

t.test('loaded years, schedules and immutability', async (t) => {
  const schedule2025: CalendarYearSchedule = { year: 2025, holidays: ['2025-01-01'], makeupWorkdays: [], source: 't' }
  const cal = new WorkingDayCalendar([schedule2026, schedule2025])
  t.same(cal.loadedYears(), [2025, 2026], 'ascending')
  t.ok(cal.isLoaded(2025))
  t.notOk(cal.isLoaded(2027))
  t.equal(cal.schedule(2027), undefined)
  t.same(cal.schedule(2026)?.makeupWorkdays, [...MAKEUP_2026].sort())
  t.ok(Object.isFrozen(cal.schedule(2026)), 'handed-out schedules cannot be altered')

  // Mutating the input after construction changes nothing.
  const input: CalendarYearSchedule = { year: 2024, holidays: ['2024-01-01'], makeupWorkdays: [], source: 't' }
  const cal2 = cal.withYear(input)
  input.holidays.push('2024-01-02')
  t.same(cal2.isWorkingDay('2024-01-02'), { working: true, provisional: false })
  t.same(cal2.loadedYears(), [2024, 2025, 2026])
  t.same(cal.loadedYears(), [2025, 2026], 'withYear does not change the original')

  const replaced = cal.withYear({ year: 2026, holidays: [], makeupWorkdays: [], source: 'replacement' })
  t.same(replaced.isWorkingDay('2026-02-16'), { working: true, provisional: false })
  t.same(cal.isWorkingDay('2026-02-16'), { working: false, provisional: false })
  t.equal(replaced.schedule(2026)?.source, 'replacement')
})

t.test('fingerprints', async (t) => {
  const fp = calendar.fingerprint()
  t.match(fp, /^[0-9a-f]{16}$/)
  t.match(calendar.yearFingerprint(2026), /^[0-9a-f]{16}$/)
  t.equal(calendar.yearFingerprint(2027), undefined)

  const shuffled = new WorkingDayCalendar([{ ...schedule2026, holidays: [...HOLIDAYS_2026].reverse(), source: 'another source, same dates' }])
  t.equal(shuffled.fingerprint(), fp, 'independent of list order and of the source label')
  t.equal(shuffled.yearFingerprint(2026), calendar.yearFingerprint(2026))

  const changed = new WorkingDayCalendar([{ ...schedule2026, makeupWorkdays: MAKEUP_2026.slice(1) }])
  t.not(changed.fingerprint(), fp, 'a different make-up list changes it')
  t.not(changed.yearFingerprint(2026), calendar.yearFingerprint(2026))

  const more = calendar.withYear({ year: 2027, holidays: [], makeupWorkdays: [], source: 't' })
  t.not(more.fingerprint(), fp, 'loading another year changes it')
  t.equal(more.yearFingerprint(2026), calendar.yearFingerprint(2026), 'but not the other year’s fingerprint')
  t.not(new WorkingDayCalendar([]).fingerprint(), fp)
  t.equal(new WorkingDayCalendar([schedule2026]).fingerprint(), fp, 'stable across instances')
})
