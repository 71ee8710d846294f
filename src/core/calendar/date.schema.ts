/**
 * The one schema for every date and instant the service takes from outside: request bodies, query
 * filters, approved and requested periods, rule-set effective dates and calendar years.
 *
 * Supported range: years 1990 to 2100 (Asia/Shanghai). It is the span for which the working-day calendar
 * accepts a State Council schedule (validateCalendarYear): outside it no schedule can ever be loaded, so
 * every deadline there would stay provisional forever, and nothing in the domain happens there (the first
 * rule set takes effect on 2019-11-01). Computed dates may run past 2100 (a deadline of up to
 * MAX_WORKING_DAYS working days after a supported date): they are provisional, and civil-date.ts formats
 * every date up to 9999-12-31.
 *
 * The arithmetic in civil-date.ts stays unbounded (it is exact for any proleptic Gregorian date); the
 * bound is enforced here, where input enters, so a value outside it is a 400 naming the field rather than
 * a RangeError deep inside the calendar.
 */
import { z } from 'zod'
import { type CivilDate, isCivilDate, parseInstant, shanghaiDateOf, yearOf } from './civil-date.ts'

export const FIRST_SUPPORTED_YEAR = 1990
export const LAST_SUPPORTED_YEAR = 2100
const FIRST_SUPPORTED_DATE: CivilDate = `${FIRST_SUPPORTED_YEAR}-01-01`
const LAST_SUPPORTED_DATE: CivilDate = `${LAST_SUPPORTED_YEAR}-12-31`

/** The most working days one count may span (about fourteen years): deadlines, due-date questions, time limits. */
export const MAX_WORKING_DAYS = 3650

/** For schema descriptions: the supported range in words. */
export const SUPPORTED_DATES = `from ${FIRST_SUPPORTED_DATE} to ${LAST_SUPPORTED_DATE} (Asia/Shanghai)`

const DATE_MESSAGE = 'must be a real calendar date written YYYY-MM-DD'
const RANGE_MESSAGE = `must be a date ${SUPPORTED_DATES}, the years the working-day calendar covers`
const INSTANT_MESSAGE = 'must be an ISO-8601 instant with an offset, e.g. 2026-02-12T10:00:00+08:00'
const INSTANT_RANGE_MESSAGE = `must be an instant whose Asia/Shanghai date lies ${SUPPORTED_DATES}`

export function isSupportedYear(year: number): boolean {
  return Number.isInteger(year) && year >= FIRST_SUPPORTED_YEAR && year <= LAST_SUPPORTED_YEAR
}

/** A real 'YYYY-MM-DD' date within the supported range. */
export function isSupportedCivilDate(value: unknown): value is CivilDate {
  return typeof value === 'string' && isCivilDate(value) && isSupportedYear(yearOf(value))
}

/** A little over the supported years, in UTC milliseconds: cheap to test before any time-zone lookup. */
const LOOSE_MIN_MS = Date.UTC(FIRST_SUPPORTED_YEAR - 1, 0, 1)
const LOOSE_MAX_MS = Date.UTC(LAST_SUPPORTED_YEAR + 2, 0, 1)

/**
 * An ISO-8601 instant with an offset whose Shanghai date lies in the supported range, or null. The loose
 * millisecond test first keeps instants near year 0 or 10000 (an offset can push '9999-12-31T23:59-23:59'
 * into year 10000) away from the wall-clock conversion, which only covers years 1 to 9999.
 */
export function parseSupportedInstant(value: unknown): Date | null {
  if (typeof value !== 'string') return null
  const instant = parseInstant(value)
  if (instant === null) return null
  const ms = instant.getTime()
  if (ms < LOOSE_MIN_MS || ms > LOOSE_MAX_MS) return null
  return isSupportedYear(yearOf(shanghaiDateOf(instant))) ? instant : null
}

/** A civil date 'YYYY-MM-DD' (Asia/Shanghai) within the supported range. */
export const civilDateSchema = z
  .string()
  .superRefine((value, ctx) => {
    if (!isCivilDate(value)) ctx.addIssue({ code: 'custom', message: DATE_MESSAGE })
    else if (!isSupportedYear(yearOf(value))) ctx.addIssue({ code: 'custom', message: RANGE_MESSAGE })
  })
  .meta({ type: 'string', format: 'date', example: '2026-02-12', description: `A date YYYY-MM-DD ${SUPPORTED_DATES}` })

/**
 * An ISO-8601 instant with an explicit offset (a local time without one is ambiguous across time zones),
 * whose Shanghai date lies within the supported range.
 */
export const instantSchema = z
  .string()
  .superRefine((value, ctx) => {
    if (parseInstant(value) === null) ctx.addIssue({ code: 'custom', message: INSTANT_MESSAGE })
    else if (parseSupportedInstant(value) === null) ctx.addIssue({ code: 'custom', message: INSTANT_RANGE_MESSAGE })
  })
  .meta({
    type: 'string',
    format: 'date-time',
    example: '2026-02-12T10:00:00+08:00',
    description: `An ISO-8601 instant with an offset; its Asia/Shanghai date ${SUPPORTED_DATES}`,
  })

/** A calendar year within the supported range (path parameters come as text, hence the coercion). */
export const calendarYearNumberSchema = z.coerce
  .number()
  .int('must be a whole year')
  .min(FIRST_SUPPORTED_YEAR, `must be a year from ${FIRST_SUPPORTED_YEAR} to ${LAST_SUPPORTED_YEAR}`)
  .max(LAST_SUPPORTED_YEAR, `must be a year from ${FIRST_SUPPORTED_YEAR} to ${LAST_SUPPORTED_YEAR}`)

/** A period of supported dates, both included, `to` not before `from`. */
export const periodSchema = z
  .strictObject({ from: civilDateSchema, to: civilDateSchema })
  .refine((p) => !isSupportedCivilDate(p.from) || !isSupportedCivilDate(p.to) || p.to >= p.from, {
    path: ['to'],
    message: 'must not be before from',
  })
