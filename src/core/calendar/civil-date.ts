/**
 * Civil (wall-calendar) dates and Asia/Shanghai instants.
 *
 * Every date in the domain is a date in Asia/Shanghai (docs/domain.md §3). A civil date is therefore kept
 * as a plain 'YYYY-MM-DD' string and all arithmetic on it is integer arithmetic on a day number
 * (days since 1970-01-01 in the proleptic Gregorian calendar). Nothing here reads the process time
 * zone: `new Date(y, m, d)`, `getDate()`, `toDateString()` and friends are deliberately never used,
 * because the service must give the same answer on a server in UTC, in California or in Kiribati.
 */
import { DAY_MS, HOUR_MS } from '../time.ts'

/** A calendar date 'YYYY-MM-DD' (year 0000..9999), with no time and no zone attached. */
export type CivilDate = string

const SHANGHAI = 'Asia/Shanghai'

const CIVIL_DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/
/** Smallest and largest day numbers that still format as a 4-digit-year CivilDate. */
const MIN_DAY_NUMBER = dayNumberFromParts(0, 1, 1)
const MAX_DAY_NUMBER = dayNumberFromParts(9999, 12, 31)

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31
}

function floorDiv(a: number, b: number): number {
  return Math.floor(a / b)
}

/**
 * Day number of a (year, month 1..12, day 1..31) triple. Pure integer arithmetic (H. Hinnant's
 * days_from_civil), valid for any proleptic Gregorian date; the caller is responsible for passing
 * a real date.
 */
export function dayNumberFromParts(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year
  const era = floorDiv(y, 400)
  const yoe = y - era * 400
  const doy = floorDiv(153 * (month > 2 ? month - 3 : month + 9) + 2, 5) + day - 1
  const doe = yoe * 365 + floorDiv(yoe, 4) - floorDiv(yoe, 100) + doy
  return era * 146_097 + doe - 719_468
}

/** Inverse of dayNumberFromParts (H. Hinnant's civil_from_days). */
function partsFromDayNumber(n: number): [year: number, month: number, day: number] {
  const z = n + 719_468
  const era = floorDiv(z, 146_097)
  const doe = z - era * 146_097
  const yoe = floorDiv(doe - floorDiv(doe, 1460) + floorDiv(doe, 36_524) - floorDiv(doe, 146_096), 365)
  const doy = doe - (365 * yoe + floorDiv(yoe, 4) - floorDiv(yoe, 100))
  const mp = floorDiv(5 * doy + 2, 153)
  const day = doy - floorDiv(153 * mp + 2, 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day]
}

/** The calendar year a day number falls in. */
export function yearOfDayNumber(n: number): number {
  return partsFromDayNumber(n)[0]
}

/** ISO weekday of a day number: Monday = 1 … Sunday = 7 (day 0, 1970-01-01, was a Thursday). */
export function isoWeekdayOfDayNumber(n: number): number {
  return ((((n + 3) % 7) + 7) % 7) + 1
}

function parseCivilDate(value: string): [year: number, month: number, day: number] | null {
  const m = CIVIL_DATE_RE.exec(value)
  if (m === null) return null
  const year = Number(m[1])
  const month = Number(m[2])
  const day = Number(m[3])
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null
  return [year, month, day]
}

function requireCivilDate(value: CivilDate): [year: number, month: number, day: number] {
  const parts = typeof value === 'string' ? parseCivilDate(value) : null
  if (parts === null) throw new RangeError(`${JSON.stringify(value)} is not a valid date in YYYY-MM-DD form`)
  return parts
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0')
}

/** True for a strictly formatted 'YYYY-MM-DD' string that names a real date (2026-02-30 is false). */
export function isCivilDate(value: string): boolean {
  return typeof value === 'string' && parseCivilDate(value) !== null
}

/** Days since 1970-01-01 (negative before). Throws RangeError for a malformed or impossible date. */
export function toDayNumber(date: CivilDate): number {
  const [year, month, day] = requireCivilDate(date)
  return dayNumberFromParts(year, month, day)
}

/** The civil date of a day number. Throws RangeError outside 0000-01-01..9999-12-31. */
export function fromDayNumber(n: number): CivilDate {
  if (!Number.isInteger(n) || n < MIN_DAY_NUMBER || n > MAX_DAY_NUMBER) {
    throw new RangeError(`day number ${n} is not an integer between ${MIN_DAY_NUMBER} and ${MAX_DAY_NUMBER}`)
  }
  const [year, month, day] = partsFromDayNumber(n)
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`
}

/** `date` plus `n` calendar days (n may be negative). */
export function addDays(date: CivilDate, n: number): CivilDate {
  if (!Number.isInteger(n)) throw new RangeError(`cannot add ${n} days: the number of days must be an integer`)
  return fromDayNumber(toDayNumber(date) + n)
}

/** ISO weekday: Monday = 1 … Sunday = 7. */
export function isoWeekday(date: CivilDate): 1 | 2 | 3 | 4 | 5 | 6 | 7 {
  return isoWeekdayOfDayNumber(toDayNumber(date)) as 1 | 2 | 3 | 4 | 5 | 6 | 7
}

/** Negative, zero or positive as a is before, equal to or after b. Throws for invalid dates. */
export function compareCivilDates(a: CivilDate, b: CivilDate): -1 | 0 | 1 {
  const diff = toDayNumber(a) - toDayNumber(b)
  return diff < 0 ? -1 : diff > 0 ? 1 : 0
}

/** The year of a civil date. */
export function yearOf(date: CivilDate): number {
  return requireCivilDate(date)[0]
}

// ---------------------------------------------------------------------------------------------
// Asia/Shanghai instants
//
// Shanghai has kept UTC+08:00 without DST since 1991, so a constant would be right for every date
// this service handles. The offset is nevertheless read from the ICU time-zone database via Intl:
// it costs little, it is right for historic dates too (DST 1986–1991, LMT before 1901), and it
// keeps the code honest if it is ever reused for another zone.
// ---------------------------------------------------------------------------------------------

let shanghaiFormatter: Intl.DateTimeFormat | undefined

function getShanghaiFormatter(): Intl.DateTimeFormat {
  shanghaiFormatter ??= new Intl.DateTimeFormat('en-US', {
    timeZone: SHANGHAI,
    calendar: 'gregory',
    numberingSystem: 'latn',
    era: 'short',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
    hourCycle: 'h23',
  })
  return shanghaiFormatter
}

interface WallClock {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
}

function requireInstant(instant: Date): number {
  const ms = instant instanceof Date ? instant.getTime() : Number.NaN
  if (Number.isNaN(ms)) throw new RangeError('expected a valid Date instant')
  return ms
}

/**
 * Fast path: from 1992 on, tzdata has Asia/Shanghai at a constant UTC+08:00 (the last DST period ended
 * in September 1991), so the wall clock is UTC + 8 h. Intl formatting is the service's hottest date
 * operation (every instant in every response), so instants in that range skip it — but only after the
 * ICU database on this machine has been checked to agree, so a future tzdata change would switch the
 * fast path off rather than be overridden by it.
 */
const FIXED_OFFSET_FROM_MS = Date.UTC(1992, 0, 1)
const FIXED_OFFSET_MS = 8 * HOUR_MS
let fixedOffsetConfirmed: boolean | undefined

/** Whether the fast path applies on this machine; the ICU check runs once, on first use. */
function fixedOffsetHolds(): boolean {
  if (fixedOffsetConfirmed === undefined) fixedOffsetConfirmed = confirmFixedOffset()
  return fixedOffsetConfirmed
}

function confirmFixedOffset(): boolean {
  const probes = [FIXED_OFFSET_FROM_MS, Date.UTC(2019, 10, 1, 16), Date.UTC(2026, 1, 12, 16, 30), Date.UTC(2026, 6, 1), Date.UTC(2040, 11, 31, 23)]
  return probes.every((ms) => intlWallClockOffset(ms) === FIXED_OFFSET_MS)
}

function intlWallClockOffset(ms: number): number {
  const wall = intlWallClock(ms)
  return dayNumberFromParts(wall.year, wall.month, wall.day) * DAY_MS + ((wall.hour * 60 + wall.minute) * 60 + wall.second) * 1000 + (((ms % 1000) + 1000) % 1000) - ms
}

/** Shanghai wall-clock fields of an instant (whole seconds; milliseconds never shift with the zone). */
function shanghaiWallClock(ms: number): WallClock {
  if (ms >= FIXED_OFFSET_FROM_MS && fixedOffsetHolds()) {
    const shifted = new Date(ms + FIXED_OFFSET_MS)
    const wall = {
      year: shifted.getUTCFullYear(),
      month: shifted.getUTCMonth() + 1,
      day: shifted.getUTCDate(),
      hour: shifted.getUTCHours(),
      minute: shifted.getUTCMinutes(),
      second: shifted.getUTCSeconds(),
    }
    if (wall.year > 9999) throw new RangeError(`instant ${ms} falls outside years 0001..9999 in ${SHANGHAI}`)
    return wall
  }
  return intlWallClock(ms)
}

function intlWallClock(ms: number): WallClock {
  const wall: WallClock = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 }
  let bc = false
  for (const part of getShanghaiFormatter().formatToParts(ms)) {
    switch (part.type) {
      case 'era':
        bc = part.value.startsWith('B')
        break
      case 'year':
      case 'month':
      case 'day':
      case 'minute':
      case 'second':
        wall[part.type] = Number(part.value)
        break
      case 'hour':
        // Some ICU versions print midnight as "24" even with h23; it is hour 0 of the same day.
        wall.hour = Number(part.value) % 24
        break
    }
  }
  if (bc || wall.year > 9999) throw new RangeError(`instant ${ms} falls outside years 0001..9999 in ${SHANGHAI}`)
  return wall
}

/** Shanghai's UTC offset, in milliseconds, at the given instant. */
function shanghaiOffsetMs(ms: number): number {
  const wall = shanghaiWallClock(ms)
  const wallMs = dayNumberFromParts(wall.year, wall.month, wall.day) * DAY_MS + ((wall.hour * 60 + wall.minute) * 60 + wall.second) * 1000 + (((ms % 1000) + 1000) % 1000)
  return wallMs - ms
}

/** The civil date of an instant in Asia/Shanghai (e.g. 2026-02-12T16:30:00Z is 2026-02-13). */
export function shanghaiDateOf(instant: Date): CivilDate {
  const wall = shanghaiWallClock(requireInstant(instant))
  return `${pad(wall.year, 4)}-${pad(wall.month, 2)}-${pad(wall.day, 2)}`
}

/**
 * The last millisecond of `date` in Shanghai, 23:59:59.999 local time: the moment a deadline
 * "at the end of the N-th working day" (docs/domain.md §3) expires.
 */
export function endOfShanghaiDay(date: CivilDate): Date {
  const localMs = (toDayNumber(date) + 1) * DAY_MS - 1
  // In the fixed-offset era the answer is the wall time minus 8 h. Taking it directly also keeps the last
  // representable day working: the guess below would read the wall clock of 9999-12-31T23:59:59.999Z,
  // which is already year 10000 in Shanghai.
  if (localMs - FIXED_OFFSET_MS >= FIXED_OFFSET_FROM_MS && fixedOffsetHolds()) {
    return new Date(localMs - FIXED_OFFSET_MS)
  }
  // Guess with the offset in force at the wall time read as UTC, then correct once with the offset
  // at the guessed instant; two steps always suffice when the offset changes by at most a few hours.
  let ms = localMs - shanghaiOffsetMs(localMs)
  const corrected = localMs - shanghaiOffsetMs(ms)
  if (corrected !== ms) ms = corrected
  return new Date(ms)
}

function formatOffset(offsetMs: number): string {
  const sign = offsetMs < 0 ? '-' : '+'
  const total = Math.abs(offsetMs) / 1000
  const hours = Math.floor(total / 3600)
  const minutes = Math.floor((total % 3600) / 60)
  const seconds = total % 60
  // Seconds appear only for pre-1901 local mean time (+08:05:43), as Temporal prints it.
  return `${sign}${pad(hours, 2)}:${pad(minutes, 2)}${seconds === 0 ? '' : `:${pad(seconds, 2)}`}`
}

/** ISO-8601 with Shanghai's offset, e.g. `2026-02-14T23:59:59.999+08:00`. */
export function formatShanghaiInstant(instant: Date): string {
  const ms = requireInstant(instant)
  const wall = shanghaiWallClock(ms)
  const millis = ((ms % 1000) + 1000) % 1000
  return (
    `${pad(wall.year, 4)}-${pad(wall.month, 2)}-${pad(wall.day, 2)}` +
    `T${pad(wall.hour, 2)}:${pad(wall.minute, 2)}:${pad(wall.second, 2)}.${pad(millis, 3)}` +
    formatOffset(shanghaiOffsetMs(ms))
  )
}

const INSTANT_RE = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:(Z)|([+-])(\d{2}):(\d{2}))$/

/**
 * Parses an ISO-8601 / RFC 3339 instant that carries its own offset ('Z' or ±HH:MM), with optional
 * fractional seconds (truncated to milliseconds). Returns null for anything else: a wall time
 * without an offset is ambiguous (whose zone?), and `Date.parse` would silently read it in the
 * process time zone, which is exactly the bug this function exists to prevent.
 */
export function parseInstant(value: string): Date | null {
  if (typeof value !== 'string') return null
  const m = INSTANT_RE.exec(value)
  if (m === null) return null
  const [, date, hh, mi, ss, fraction, zulu, sign, offH, offM] = m
  const parts = parseCivilDate(date as string)
  if (parts === null) return null
  const hour = Number(hh)
  const minute = Number(mi)
  const second = Number(ss)
  // Leap second 60 and hour 24 are rejected: a JS Date cannot represent the former, and the
  // latter is an alternative spelling nobody sends on purpose.
  if (hour > 23 || minute > 59 || second > 59) return null
  let offsetMinutes = 0
  if (zulu === undefined) {
    const oh = Number(offH)
    const om = Number(offM)
    if (oh > 23 || om > 59) return null
    offsetMinutes = (sign === '-' ? -1 : 1) * (oh * 60 + om)
  }
  const millis = fraction === undefined ? 0 : Number(fraction.padEnd(3, '0').slice(0, 3))
  const ms = dayNumberFromParts(...parts) * DAY_MS + ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 + millis
  const instant = new Date(ms)
  return Number.isNaN(instant.getTime()) ? null : instant
}
