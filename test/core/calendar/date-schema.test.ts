import t from 'tap'
import { calendarYearNumberSchema, civilDateSchema, instantSchema, isSupportedCivilDate, parseSupportedInstant, periodSchema } from '../../../src/core/calendar/date.schema.ts'
import { endOfShanghaiDay, formatShanghaiInstant } from '../../../src/core/calendar/civil-date.ts'

const messages = (result: { success: boolean; error?: { issues: Array<{ message: string }> } }) => result.error?.issues.map((i) => i.message) ?? []

t.test('civil dates: real dates from 1990-01-01 to 2100-12-31', async (t) => {
  const table: Array<[unknown, 'ok' | 'format' | 'range']> = [
    ['2026-02-12', 'ok'],
    ['1990-01-01', 'ok'],
    ['2100-12-31', 'ok'],
    ['2024-02-29', 'ok'],
    ['1989-12-31', 'range'],
    ['2101-01-01', 'range'],
    ['0001-01-01', 'range'],
    ['0000-01-01', 'format'], // month 1 day 1 of year 0 is a real proleptic date, but out of range
    ['9999-12-31', 'range'],
    ['2026-02-30', 'format'],
    ['2100-02-29', 'format'], // 2100 is not a leap year
    ['2026-2-12', 'format'],
    ['2026-02-12T00:00:00Z', 'format'],
    ['', 'format'],
    [' 2026-02-12', 'format'],
  ]
  for (const [value, expected] of table) {
    const result = civilDateSchema.safeParse(value)
    t.equal(result.success, expected === 'ok', `${JSON.stringify(value)}: ${expected}`)
    t.equal(isSupportedCivilDate(value), expected === 'ok')
    if (expected === 'range') t.match(messages(result), [/from 1990-01-01 to 2100-12-31/], `${value}: says the range`)
    if (expected === 'format' && value !== '0000-01-01') t.match(messages(result), [/YYYY-MM-DD/], `${value}: says the format`)
  }
  t.notOk(civilDateSchema.safeParse(20260212).success, 'a number is not a date')
})

t.test('instants: an offset, and a Shanghai date in the supported range', async (t) => {
  const table: Array<[string, string | null]> = [
    ['2026-02-12T10:00:00+08:00', '2026-02-12T02:00:00.000Z'],
    ['2026-02-12T10:00:00.123456789Z', '2026-02-12T10:00:00.123Z'],
    ['1989-12-31T16:00:00Z', '1989-12-31T16:00:00.000Z'], // 1990-01-01 00:00 in Shanghai
    ['1989-12-31T15:59:59.999Z', null], // still 1989 in Shanghai
    ['2100-12-31T15:59:59.999Z', '2100-12-31T15:59:59.999Z'],
    ['2100-12-31T16:00:00Z', null], // 2101 in Shanghai
    ['2100-12-31T23:59:59+23:59', '2100-12-31T00:00:59.000Z'],
    ['9999-12-31T23:59:59-23:59', null], // year 10000 in UTC
    ['0000-01-01T00:00:00+23:59', null],
    ['0001-01-01T00:00:00Z', null],
    ['2026-02-12T10:00:00', null], // no offset
    ['2026-02-30T10:00:00Z', null],
    ['2026-02-12T24:00:00Z', null],
  ]
  for (const [value, iso] of table) {
    t.equal(parseSupportedInstant(value)?.toISOString() ?? null, iso, value)
    t.equal(instantSchema.safeParse(value).success, iso !== null, `${value}: schema agrees`)
  }
  t.match(messages(instantSchema.safeParse('9999-12-31T23:59:59Z')), [/Asia\/Shanghai date lies from 1990-01-01 to 2100-12-31/])
  t.match(messages(instantSchema.safeParse('2026-02-12T10:00:00')), [/with an offset/])
})

t.test('periods and calendar years', async (t) => {
  t.ok(periodSchema.safeParse({ from: '2026-03-02', to: '2026-03-02' }).success, 'one day')
  t.same(
    periodSchema.safeParse({ from: '2026-03-02', to: '2026-03-01' }).error?.issues.map((i) => [i.path.join('.'), i.message]),
    [['to', 'must not be before from']],
  )
  t.same(
    periodSchema.safeParse({ from: '2026-03-02', to: '9999-12-31' }).error?.issues.map((i) => i.path.join('.')),
    ['to'],
    'a far end is refused at its own path, once',
  )
  t.notOk(periodSchema.safeParse({ from: '2026-03-02', to: '2026-03-03', extra: 1 }).success, 'strict')
  for (const [year, ok] of [
    ['1990', true],
    ['2100', true],
    ['1989', false],
    ['2101', false],
    ['2026.5', false],
    ['99999999999999999999', false],
    ['NaN', false],
  ] as const) {
    t.equal(calendarYearNumberSchema.safeParse(year).success, ok, `year ${year}`)
  }
  t.equal(formatShanghaiInstant(endOfShanghaiDay('9999-12-31')), '9999-12-31T23:59:59.999+08:00', 'the last representable day still has an end')
})
