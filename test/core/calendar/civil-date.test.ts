import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { fileURLToPath, pathToFileURL } from 'node:url'

import t from 'tap'

import {
  addDays,
  compareCivilDates,
  dayNumberFromParts,
  endOfShanghaiDay,
  formatShanghaiInstant,
  fromDayNumber,
  isCivilDate,
  isoWeekday,
  isoWeekdayOfDayNumber,
  parseInstant,
  shanghaiDateOf,
  toDayNumber,
  yearOf,
  yearOfDayNumber,
} from '../../../src/core/calendar/civil-date.ts'

const execFileAsync = promisify(execFile)
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url))

t.test('isCivilDate accepts only strict, real YYYY-MM-DD dates', async (t) => {
  const table: Array<[string, boolean]> = [
    ['2026-02-12', true],
    ['2024-02-29', true], // leap year
    ['2000-02-29', true], // divisible by 400
    ['1900-02-29', false], // divisible by 100 only
    ['2026-02-29', false],
    ['2026-02-30', false],
    ['2026-04-31', false],
    ['2026-12-31', true],
    ['2026-13-01', false],
    ['2026-00-10', false],
    ['2026-01-00', false],
    ['0000-01-01', true],
    ['9999-12-31', true],
    ['2026-2-12', false],
    ['26-02-12', false],
    ['2026/02/12', false],
    ['2026-02-12T00:00:00Z', false],
    [' 2026-02-12', false],
    ['2026-02-12\n', false],
    ['', false],
    ['２０２６-02-12', false], // full-width digits must not sneak through \d
  ]
  for (const [value, expected] of table) t.equal(isCivilDate(value), expected, JSON.stringify(value))
  t.equal(isCivilDate(undefined as unknown as string), false, 'non-string')
})

t.test('day numbers', async (t) => {
  t.equal(toDayNumber('1970-01-01'), 0)
  t.equal(toDayNumber('1969-12-31'), -1)
  t.equal(toDayNumber('2026-02-12'), 20_496)
  t.equal(fromDayNumber(20_496), '2026-02-12')
  t.equal(fromDayNumber(toDayNumber('0000-01-01')), '0000-01-01')
  t.equal(fromDayNumber(toDayNumber('9999-12-31')), '9999-12-31')

  t.test('agree with Date.UTC (a pure civil counter) every day from 1899 to 2101', async (t) => {
    let mismatches = 0
    for (let ms = Date.UTC(1899, 0, 1); ms <= Date.UTC(2101, 11, 31); ms += 86_400_000) {
      const iso = new Date(ms).toISOString().slice(0, 10)
      const dn = ms / 86_400_000
      if (toDayNumber(iso) !== dn || fromDayNumber(dn) !== iso) mismatches++
    }
    t.equal(mismatches, 0)
  })

  t.test('yearOfDayNumber / dayNumberFromParts / isoWeekdayOfDayNumber', async (t) => {
    t.equal(dayNumberFromParts(2026, 2, 12), 20_496)
    t.equal(yearOfDayNumber(toDayNumber('2026-12-31')), 2026)
    t.equal(yearOfDayNumber(toDayNumber('2027-01-01')), 2027)
    t.equal(yearOfDayNumber(-1), 1969)
    t.equal(isoWeekdayOfDayNumber(0), 4, '1970-01-01 was a Thursday')
    t.equal(isoWeekdayOfDayNumber(-1), 3, 'negative day numbers wrap correctly')
  })

  t.throws(() => toDayNumber('2026-02-30'), RangeError)
  t.throws(() => toDayNumber('garbage'), RangeError)
  t.throws(() => fromDayNumber(1.5), RangeError)
  t.throws(() => fromDayNumber(Number.NaN), RangeError)
  t.throws(() => fromDayNumber(toDayNumber('9999-12-31') + 1), RangeError)
  t.throws(() => fromDayNumber(toDayNumber('0000-01-01') - 1), RangeError)
})

t.test('addDays', async (t) => {
  const table: Array<[string, number, string]> = [
    ['2026-02-12', 0, '2026-02-12'],
    ['2026-02-12', 2, '2026-02-14'],
    ['2026-02-28', 1, '2026-03-01'],
    ['2024-02-28', 1, '2024-02-29'],
    ['2026-12-31', 1, '2027-01-01'],
    ['2026-01-01', -1, '2025-12-31'],
    ['2026-03-01', -1, '2026-02-28'],
    ['2026-01-01', 365, '2027-01-01'],
  ]
  for (const [date, n, expected] of table) t.equal(addDays(date, n), expected, `${date} + ${n}`)
  t.throws(() => addDays('2026-01-01', 0.5), RangeError)
})

t.test('isoWeekday', async (t) => {
  const table: Array<[string, number]> = [
    ['2026-01-04', 7], // Sun
    ['2026-02-12', 4], // Thu
    ['2026-02-14', 6], // Sat
    ['2026-02-16', 1], // Mon
    ['2026-09-20', 7], // Sun
    ['2026-10-10', 6], // Sat
    ['2000-01-01', 6], // Sat
    ['1970-01-01', 4], // Thu
    ['1969-12-28', 7], // Sun
  ]
  for (const [date, weekday] of table) t.equal(isoWeekday(date), weekday, `${date} weekday`)
})

t.test('compareCivilDates and yearOf', async (t) => {
  t.equal(compareCivilDates('2026-02-12', '2026-02-13'), -1)
  t.equal(compareCivilDates('2026-02-13', '2026-02-12'), 1)
  t.equal(compareCivilDates('2026-02-12', '2026-02-12'), 0)
  t.equal(compareCivilDates('2025-12-31', '2026-01-01'), -1)
  t.throws(() => compareCivilDates('2026-02-30', '2026-02-12'), RangeError)
  t.equal(yearOf('2026-02-12'), 2026)
  t.equal(yearOf('0999-02-12'), 999)
  t.throws(() => yearOf('2026-13-01'), RangeError)
})

t.test('shanghaiDateOf around midnight in Shanghai', async (t) => {
  const table: Array<[string, string]> = [
    ['2026-02-12T15:59:59.999Z', '2026-02-12'], // 23:59:59.999 in Shanghai
    ['2026-02-12T16:00:00.000Z', '2026-02-13'], // 00:00 in Shanghai, still Feb 12 in UTC
    ['2026-02-12T16:30:00Z', '2026-02-13'], // docs/domain.md worked example
    ['2026-02-12T00:00:00Z', '2026-02-12'],
    ['2026-12-31T16:00:00Z', '2027-01-01'],
    ['2026-02-12T23:59:59.999-08:00', '2026-02-13'],
  ]
  for (const [iso, expected] of table) t.equal(shanghaiDateOf(new Date(iso)), expected, iso)
  t.throws(() => shanghaiDateOf(new Date(Number.NaN)), RangeError)
})

t.test('endOfShanghaiDay and formatShanghaiInstant', async (t) => {
  const end = endOfShanghaiDay('2026-02-14')
  t.equal(end.toISOString(), '2026-02-14T15:59:59.999Z')
  t.equal(formatShanghaiInstant(end), '2026-02-14T23:59:59.999+08:00')
  t.equal(endOfShanghaiDay('2026-12-31').toISOString(), '2026-12-31T15:59:59.999Z')
  t.equal(shanghaiDateOf(endOfShanghaiDay('2026-03-02')), '2026-03-02')
  t.equal(shanghaiDateOf(new Date(endOfShanghaiDay('2026-03-02').getTime() + 1)), '2026-03-03')

  t.equal(formatShanghaiInstant(new Date('2026-02-12T16:30:00Z')), '2026-02-13T00:30:00.000+08:00')
  t.equal(formatShanghaiInstant(new Date('2026-02-12T15:59:59.999Z')), '2026-02-12T23:59:59.999+08:00')

  // The offset comes from the time-zone database, not a constant: Shanghai kept DST 1986–1991.
  t.equal(endOfShanghaiDay('1988-07-01').toISOString(), '1988-07-01T14:59:59.999Z')
  t.equal(formatShanghaiInstant(endOfShanghaiDay('1988-07-01')), '1988-07-01T23:59:59.999+09:00')

  t.throws(() => endOfShanghaiDay('2026-02-30'), RangeError)
  t.throws(() => formatShanghaiInstant(new Date(Number.NaN)), RangeError)
})

t.test('parseInstant', async (t) => {
  const valid: Array<[string, string]> = [
    ['2026-02-12T10:00:00+08:00', '2026-02-12T02:00:00.000Z'],
    ['2026-02-12T16:30:00Z', '2026-02-12T16:30:00.000Z'],
    ['2026-02-12T16:30:00.5Z', '2026-02-12T16:30:00.500Z'],
    ['2026-02-12T16:30:00.123456789Z', '2026-02-12T16:30:00.123Z'],
    ['2026-02-12T23:59:59.999+08:00', '2026-02-12T15:59:59.999Z'],
    ['2026-02-12T00:00:00-05:30', '2026-02-12T05:30:00.000Z'],
    ['2026-02-12T00:00:00+00:00', '2026-02-12T00:00:00.000Z'],
    ['2026-02-12T00:00:00-00:00', '2026-02-12T00:00:00.000Z'],
    ['2024-02-29T12:00:00Z', '2024-02-29T12:00:00.000Z'],
    ['2026-01-01T07:00:00+08:00', '2025-12-31T23:00:00.000Z'],
  ]
  for (const [value, iso] of valid) t.equal(parseInstant(value)?.toISOString(), iso, value)

  const invalid = [
    '2026-02-12T10:00:00', // no offset: whose wall clock?
    '2026-02-12 10:00:00Z',
    '2026-02-12',
    '2026-13-12T10:00:00Z',
    '2026-02-30T10:00:00Z',
    '2026-02-12T24:00:00Z',
    '2026-02-12T10:60:00Z',
    '2026-02-12T10:00:60Z',
    '2026-02-12T10:00Z',
    '2026-02-12T10:00:00+0800',
    '2026-02-12T10:00:00+8:00',
    '2026-02-12T10:00:00+24:00',
    '2026-02-12T10:00:00+08:60',
    '2026-02-12T10:00:00.Z',
    '2026-02-12T10:00:00.1234567890Z',
    '2026-02-12T10:00:00z',
    'Thu, 12 Feb 2026 10:00:00 GMT',
    '1771000000000',
    'garbage',
    '',
    ' 2026-02-12T10:00:00Z',
  ]
  for (const value of invalid) t.equal(parseInstant(value), null, JSON.stringify(value))
  t.equal(parseInstant(42 as unknown as string), null, 'non-string')
})

t.test('answers do not depend on the process time zone', async (t) => {
  const civil = pathToFileURL(`${repoRoot}src/core/calendar/civil-date.ts`).href
  const calendar = pathToFileURL(`${repoRoot}src/core/calendar/working-day-calendar.ts`).href
  const builtin = pathToFileURL(`${repoRoot}src/calendar/builtin-schedules.ts`).href
  const script = `
    const c = await import(${JSON.stringify(civil)})
    const { WorkingDayCalendar } = await import(${JSON.stringify(calendar)})
    const { builtinCalendarYears } = await import(${JSON.stringify(builtin)})
    const cal = new WorkingDayCalendar(builtinCalendarYears())
    const accepted = c.shanghaiDateOf(c.parseInstant('2026-02-12T16:30:00Z'))
    process.stdout.write(JSON.stringify({
      tz: Intl.DateTimeFormat().resolvedOptions().timeZone,
      beforeMidnight: c.shanghaiDateOf(new Date('2026-02-12T15:59:59.999Z')),
      atMidnight: c.shanghaiDateOf(new Date('2026-02-12T16:00:00.000Z')),
      accepted,
      deadline: cal.addWorkingDays(accepted, 2).date,
      endOfDay: c.formatShanghaiInstant(c.endOfShanghaiDay('2026-02-24')),
      endOfDayUtc: c.endOfShanghaiDay('2026-02-24').toISOString(),
      weekday: c.isoWeekday('2026-02-14'),
      addDays: c.addDays('2026-03-08', 1), // US DST starts that night
      parsed: c.parseInstant('2026-03-08T02:30:00-08:00').toISOString(),
    }))
  `
  const expected = {
    beforeMidnight: '2026-02-12',
    atMidnight: '2026-02-13',
    accepted: '2026-02-13',
    deadline: '2026-02-24',
    endOfDay: '2026-02-24T23:59:59.999+08:00',
    endOfDayUtc: '2026-02-24T15:59:59.999Z',
    weekday: 6,
    addDays: '2026-03-09',
    parsed: '2026-03-08T10:30:00.000Z',
  }
  const zones = ['America/Los_Angeles', 'Pacific/Kiritimati', 'UTC']
  // The three children run at once: each mostly waits for its own module loading.
  const outputs = await Promise.all(
    zones.map(
      async (tz) =>
        (await execFileAsync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repoRoot, env: { ...process.env, TZ: tz }, encoding: 'utf8' }))
          .stdout,
    ),
  )
  zones.forEach((tz, i) => {
    const { tz: seen, ...result } = JSON.parse(outputs[i] as string) as Record<string, unknown>
    t.equal(seen, tz, `child really ran in ${tz}`)
    t.same(result, expected, `same answers in ${tz}`)
  })
})

t.test('the fixed-offset fast path agrees with the ICU time-zone database on every hour of 1991–1993 and a sample since', async (t) => {
  const formatter = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  })
  const viaIntl = (ms: number) => {
    const p = Object.fromEntries(formatter.formatToParts(ms).map((x) => [x.type, x.value]))
    return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}`
  }
  let mismatches = 0
  const check = (ms: number) => {
    if (formatShanghaiInstant(new Date(ms)).slice(0, 19) !== viaIntl(ms)) mismatches++
  }
  for (let ms = Date.UTC(1991, 0, 1); ms < Date.UTC(1993, 0, 1); ms += 3_600_000) check(ms)
  for (let ms = Date.UTC(1993, 0, 1); ms < Date.UTC(2040, 0, 1); ms += 7 * 3_600_000 + 123_457) check(ms)
  t.equal(mismatches, 0)
})
