/**
 * The working-day calendar (docs/domain.md §3).
 *
 * A working day is Monday to Friday, minus the statutory holidays, plus the weekend make-up
 * workdays (调休) that the State Council announces each year (usually in November for the next
 * year). Both lists come from a per-year schedule; a year whose schedule is not loaded is answered
 * with weekends only and flagged `provisional`, so a deadline can be recomputed once the official
 * notice is loaded.
 *
 * Everything here is pure: plain data in, plain data out, no clock, no I/O.
 */
import { createHash } from 'node:crypto'

import { type CivilDate, dayNumberFromParts, fromDayNumber, isCivilDate, isoWeekday, isoWeekdayOfDayNumber, toDayNumber, yearOf, yearOfDayNumber } from './civil-date.ts'
import { FIRST_SUPPORTED_YEAR, isSupportedYear, LAST_SUPPORTED_YEAR } from './date.schema.ts'
import type { FieldIssue } from '../validation/field-issue.ts'

export interface CalendarYearSchedule {
  year: number
  /** Days off under the State Council notice, weekend days inside a holiday span included. */
  holidays: CivilDate[]
  /** Saturdays or Sundays that are worked to make up for a bridged weekday (调休). */
  makeupWorkdays: CivilDate[]
  /** Where the schedule came from, e.g. "chinese-days@1.5.7" or "State Council notice 2025-11-04". */
  source: string
  /** Optional names by date, for explanations only (not in the fingerprint): "春节 Spring Festival". */
  holidayNames?: Record<CivilDate, string>
  /** Optional: the holiday each make-up workday makes up for, by date. */
  makeupWorkdayNames?: Record<CivilDate, string>
}

const WEEKDAY_NAMES = ['', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']

/**
 * Checks one year's schedule; issue paths are relative to it (`year`, `holidays.3`, `makeupWorkdays.0`).
 * Returns every problem found (an empty array means valid), so an
 * operator importing a year sees all mistakes at once rather than one per attempt.
 */
export function validateCalendarYear(schedule: CalendarYearSchedule): FieldIssue[] {
  const issues: FieldIssue[] = []
  if (typeof schedule !== 'object' || schedule === null) {
    return [{ path: '', message: 'a calendar year schedule must be an object with year, holidays, makeupWorkdays and source' }]
  }
  const { year } = schedule
  // A schedule may be loaded for the supported years only (date.schema.ts).
  const yearValid = isSupportedYear(year)
  if (!yearValid) {
    issues.push({
      path: 'year',
      message: `year ${JSON.stringify(year)} must be a whole number between ${FIRST_SUPPORTED_YEAR} and ${LAST_SUPPORTED_YEAR}`,
    })
  }
  if (typeof schedule.source !== 'string' || schedule.source.trim() === '') {
    issues.push({ path: 'source', message: 'source must say where the schedule came from (e.g. the State Council notice)' })
  }

  const checkList = (key: 'holidays' | 'makeupWorkdays'): Map<CivilDate, number> => {
    const seen = new Map<CivilDate, number>()
    const list: unknown = schedule[key]
    if (!Array.isArray(list)) {
      issues.push({ path: key, message: `${key} must be a list of dates in YYYY-MM-DD form (use [] for none)` })
      return seen
    }
    list.forEach((date: unknown, index) => {
      const path = `${key}.${index}`
      if (typeof date !== 'string' || !isCivilDate(date)) {
        issues.push({ path, message: `${JSON.stringify(date)} is not a real date in YYYY-MM-DD form` })
        return
      }
      const first = seen.get(date)
      if (first !== undefined) {
        issues.push({ path, message: `${date} is listed twice in ${key} (also at ${key}.${first}); remove one` })
        return
      }
      seen.set(date, index)
      if (yearValid && yearOf(date) !== year) {
        issues.push({ path, message: `${date} is outside ${year}; each year's schedule may only list dates of that year` })
      }
      if (key === 'makeupWorkdays') {
        const weekday = isoWeekday(date)
        if (weekday < 6) {
          issues.push({
            path,
            message: `${date} is a ${WEEKDAY_NAMES[weekday]}; a make-up workday must fall on a Saturday or Sunday`,
          })
        }
      }
    })
    return seen
  }

  const holidays = checkList('holidays')
  const makeups = checkList('makeupWorkdays')
  const checkNames = (key: 'holidayNames' | 'makeupWorkdayNames', listed: Map<CivilDate, number>, list: string): void => {
    const names: unknown = schedule[key]
    if (names === undefined) return
    if (typeof names !== 'object' || names === null || Array.isArray(names)) {
      issues.push({ path: key, message: `${key} must map dates to names, e.g. {"2026-02-17": "春节 Spring Festival"}` })
      return
    }
    for (const [date, name] of Object.entries(names)) {
      if (!listed.has(date)) issues.push({ path: `${key}.${date}`, message: `${date} is not in ${list}; a name can only be given to a listed date` })
      else if (typeof name !== 'string' || name.trim() === '') issues.push({ path: `${key}.${date}`, message: 'a name must be a non-empty text' })
    }
  }
  checkNames('holidayNames', holidays, 'holidays')
  checkNames('makeupWorkdayNames', makeups, 'makeupWorkdays')
  for (const [date, index] of makeups) {
    const holidayIndex = holidays.get(date)
    if (holidayIndex !== undefined) {
      issues.push({
        path: `makeupWorkdays.${index}`,
        message: `${date} is both a holiday (holidays.${holidayIndex}) and a make-up workday; it must be only one of them`,
      })
    }
  }
  return issues
}

/** Thrown when a schedule handed to WorkingDayCalendar is invalid; `issues` lists every problem. */
export class CalendarValidationError extends Error {
  readonly issues: readonly FieldIssue[]

  constructor(issues: FieldIssue[]) {
    super(`invalid calendar schedule: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`)
    this.name = 'CalendarValidationError'
    this.issues = Object.freeze(issues.map((i) => Object.freeze({ ...i })))
  }
}

export interface WorkingDayAnswer {
  working: boolean
  /** True when the date's year has no loaded schedule and only weekends were considered. */
  provisional: boolean
}

export interface WorkingDayResult {
  date: CivilDate
  provisional: boolean
}

export interface WorkingDayCount {
  count: number
  provisional: boolean
}

interface LoadedYear {
  schedule: Readonly<CalendarYearSchedule>
  /** Day number of 1 January. */
  start: number
  /** working[dn - start] === 1 when day dn is a working day; precomputed so the hot loop only indexes. */
  working: Uint8Array
  fingerprint: string
}

/** The span of one calendar year during a scan; `working` is null when the year is not loaded. */
interface YearSegment {
  start: number
  end: number
  working: Uint8Array | null
}

const FINGERPRINT_VERSION = 'wdc1'

function sha256Short(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16)
}

function freezeSchedule(schedule: CalendarYearSchedule): Readonly<CalendarYearSchedule> {
  // Sorted copies: the order of an import file carries no meaning, and sorted lists make the
  // fingerprint independent of it.
  return Object.freeze({
    year: schedule.year,
    holidays: Object.freeze([...schedule.holidays].sort()) as CivilDate[],
    makeupWorkdays: Object.freeze([...schedule.makeupWorkdays].sort()) as CivilDate[],
    source: schedule.source,
    ...(schedule.holidayNames ? { holidayNames: Object.freeze({ ...schedule.holidayNames }) } : {}),
    ...(schedule.makeupWorkdayNames ? { makeupWorkdayNames: Object.freeze({ ...schedule.makeupWorkdayNames }) } : {}),
  })
}

function loadYear(schedule: CalendarYearSchedule): LoadedYear {
  const frozen = freezeSchedule(schedule)
  const start = dayNumberFromParts(frozen.year, 1, 1)
  const length = dayNumberFromParts(frozen.year + 1, 1, 1) - start
  const working = new Uint8Array(length)
  for (let i = 0; i < length; i++) working[i] = isoWeekdayOfDayNumber(start + i) <= 5 ? 1 : 0
  for (const date of frozen.holidays) working[toDayNumber(date) - start] = 0
  for (const date of frozen.makeupWorkdays) working[toDayNumber(date) - start] = 1
  // The source is provenance, not data: the same dates imported from another source answer every
  // question identically, so they must not make a deadline look stale.
  const fingerprint = sha256Short(JSON.stringify([FINGERPRINT_VERSION, frozen.year, frozen.holidays, frozen.makeupWorkdays]))
  return { schedule: frozen, start, working, fingerprint }
}

function requireWorkingDayCount(n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`the number of working days must be a non-negative whole number, got ${n}`)
  }
}

/**
 * An immutable set of loaded year schedules answering working-day questions.
 * Construct it once per calendar version and share it; `withYear` returns a new instance.
 */
export class WorkingDayCalendar {
  readonly #years: ReadonlyMap<number, LoadedYear>
  #fingerprint: string | undefined

  constructor(schedules: readonly CalendarYearSchedule[]) {
    if (!Array.isArray(schedules)) throw new TypeError('WorkingDayCalendar expects a list of year schedules')
    const issues: FieldIssue[] = []
    const firstIndexOfYear = new Map<number, number>()
    schedules.forEach((schedule, index) => {
      for (const issue of validateCalendarYear(schedule)) {
        issues.push({ path: `${index}.${issue.path}`, message: issue.message })
      }
      const year = schedule?.year
      const first = firstIndexOfYear.get(year)
      if (first !== undefined) {
        issues.push({ path: `${index}.year`, message: `year ${year} is given twice (also at ${first}); give each year once` })
      } else {
        firstIndexOfYear.set(year, index)
      }
    })
    if (issues.length > 0) throw new CalendarValidationError(issues)

    const years = new Map<number, LoadedYear>()
    for (const schedule of [...schedules].sort((a, b) => a.year - b.year)) years.set(schedule.year, loadYear(schedule))
    this.#years = years
  }

  /** Loaded years, ascending. */
  loadedYears(): number[] {
    return [...this.#years.keys()]
  }

  isLoaded(year: number): boolean {
    return this.#years.has(year)
  }

  /** The loaded schedule of a year (frozen; dates sorted), or undefined when not loaded. */
  schedule(year: number): CalendarYearSchedule | undefined {
    return this.#years.get(year)?.schedule
  }

  isWorkingDay(date: CivilDate): WorkingDayAnswer {
    const dn = toDayNumber(date)
    const loaded = this.#years.get(yearOf(date))
    if (loaded === undefined) return { working: isoWeekdayOfDayNumber(dn) <= 5, provisional: true }
    return { working: loaded.working[dn - loaded.start] === 1, provisional: false }
  }

  /**
   * The n-th working day strictly after `from`. The day of `from` itself is never counted
   * (民法典 art. 201: a period in days starts on the following day), whether or not it is a
   * working day, so a case accepted on a holiday or weekend simply counts from the next working
   * day. n = 0 returns `from` unchanged (and not provisional: no day was examined).
   */
  addWorkingDays(from: CivilDate, n: number): WorkingDayResult {
    requireWorkingDayCount(n)
    let dn = toDayNumber(from)
    let remaining = n
    let provisional = false
    let segment: YearSegment | undefined
    while (remaining > 0) {
      dn++
      if (segment === undefined || dn > segment.end) {
        segment = this.#segmentAt(dn)
        if (segment.working === null) provisional = true
      }
      const working = segment.working === null ? isoWeekdayOfDayNumber(dn) <= 5 : segment.working[dn - segment.start] === 1
      if (working) remaining--
    }
    return { date: fromDayNumber(dn), provisional }
  }

  /**
   * The number of working days d with fromExclusive < d <= toInclusive (0 when to <= from).
   * The inverse of addWorkingDays: countWorkingDays(from, addWorkingDays(from, n).date).count === n.
   */
  countWorkingDays(fromExclusive: CivilDate, toInclusive: CivilDate): WorkingDayCount {
    const first = toDayNumber(fromExclusive) + 1
    const last = toDayNumber(toInclusive)
    let count = 0
    let provisional = false
    let dn = first
    while (dn <= last) {
      const segment = this.#segmentAt(dn)
      const stop = Math.min(last, segment.end)
      if (segment.working === null) {
        provisional = true
        for (; dn <= stop; dn++) if (isoWeekdayOfDayNumber(dn) <= 5) count++
      } else {
        for (; dn <= stop; dn++) count += segment.working[dn - segment.start] as number
      }
    }
    return { count, provisional }
  }

  /** A new calendar with `schedule`'s year added, or replaced if already loaded. */
  withYear(schedule: CalendarYearSchedule): WorkingDayCalendar {
    const issues = validateCalendarYear(schedule)
    if (issues.length > 0) throw new CalendarValidationError(issues)
    const others = [...this.#years.values()].map((y) => y.schedule).filter((s) => s.year !== schedule.year)
    return new WorkingDayCalendar([...others, schedule])
  }

  /**
   * A short stable hash of the loaded data (years and their dates, not their sources), recorded
   * with a deadline so it is known which calendar produced it and whether a recomputation is due.
   */
  fingerprint(): string {
    this.#fingerprint ??= sha256Short(JSON.stringify([FINGERPRINT_VERSION, [...this.#years.values()].map((y) => [y.schedule.year, y.fingerprint])]))
    return this.#fingerprint
  }

  /** The fingerprint of one year's data, or undefined when the year is not loaded. */
  yearFingerprint(year: number): string | undefined {
    return this.#years.get(year)?.fingerprint
  }

  #segmentAt(dn: number): YearSegment {
    const year = yearOfDayNumber(dn)
    const loaded = this.#years.get(year)
    if (loaded !== undefined) {
      return { start: loaded.start, end: loaded.start + loaded.working.length - 1, working: loaded.working }
    }
    // fromDayNumber rejects years past 9999 anyway; stopping here keeps a huge n from looping for long.
    if (year > 9999) throw new RangeError('working-day arithmetic ran past 9999-12-31')
    return { start: dayNumberFromParts(year, 1, 1), end: dayNumberFromParts(year + 1, 1, 1) - 1, working: null }
  }
}
