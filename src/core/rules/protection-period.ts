/**
 * When a road is in its protection period (城市道路管理条例 art. 33: 5 years after a new, extended or
 * reconstructed road is put into use, 3 years after an overhaul), from the register's dates and the rule
 * set's periods (rule-set.schema.ts `protectionPeriods`).
 *
 * Boundary semantics (民法典 art. 201–202, the civil code's reckoning of periods in years): a period runs
 * from the register date (the road is protected on the day it is put into use) and its last day is the
 * anniversary, the corresponding day `years` later; a date of 29 February whose final year has none ends
 * on 28 February (art. 202: "没有对应日的，月末日为期间的最后一日"). A rule set may instead end a period the
 * day before the anniversary (`lastDay: 'day_before_anniversary'`). Built 2021-06-01, 5 years: protected
 * 2021-06-01 through 2026-06-01; on 2026-06-02 the road may be dug.
 */
import { addDays, type CivilDate } from '../calendar/civil-date.ts'
import type { ProtectionPeriod } from './rule-set.schema.ts'

export interface RoadDates {
  builtOn?: CivilDate | null | undefined
  reconstructedOn?: CivilDate | null | undefined
  overhauledOn?: CivilDate | null | undefined
}

export interface Protection {
  /** The rule-set period that applies (`new_or_reconstructed`, `overhauled`). */
  period: string
  /** Which register date starts it, and that date. */
  from: keyof RoadDates
  since: CivilDate
  /** The last protected day, inclusive. */
  until: CivilDate
  citation: string
}

const isLeap = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0

/** The corresponding day `years` later; 29 February → 28 February in a common year (民法典 art. 202). */
export function anniversary(date: CivilDate, years: number): CivilDate {
  const year = Number(date.slice(0, 4)) + years
  const monthDay = date.slice(5)
  const day = monthDay === '02-29' && !isLeap(year) ? '02-28' : monthDay
  return `${String(year).padStart(4, '0')}-${day}`
}

/** Each period the register dates start, latest date per period (a reconstruction restarts the 5 years). */
export function protectionsOf(road: RoadDates, periods: readonly ProtectionPeriod[]): Protection[] {
  const protections: Protection[] = []
  for (const period of periods) {
    let start: { from: keyof RoadDates; since: CivilDate } | undefined
    for (const from of period.from) {
      const since = road[from]
      if (since && (start === undefined || since > start.since)) start = { from, since }
    }
    if (start === undefined) continue
    const end = anniversary(start.since, period.years)
    protections.push({
      period: period.key,
      ...start,
      until: period.lastDay === 'anniversary' ? end : addDays(end, -1),
      citation: period.basis.citation,
    })
  }
  return protections
}

/** The last day the road is protected by any period (null: the register gives no date that starts one). */
export function protectedUntil(protections: readonly Protection[]): CivilDate | null {
  return protections.reduce<CivilDate | null>((latest, p) => (latest === null || p.until > latest ? p.until : latest), null)
}

/** The protection in force on a date, if any (the one lasting longest when several are). */
export function protectionOn(protections: readonly Protection[], date: CivilDate): Protection | undefined {
  return protections.filter((p) => p.since <= date && date <= p.until).sort((a, b) => (a.until < b.until ? 1 : -1))[0]
}
