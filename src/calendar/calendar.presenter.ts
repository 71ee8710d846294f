import { formatShanghaiInstant } from '../core/calendar/civil-date.ts'
import type { StoredCalendarYear } from './calendar.repository.ts'

export function presentCalendarYear(year: StoredCalendarYear) {
  return {
    year: year.year,
    holidays: year.holidays,
    makeupWorkdays: year.makeupWorkdays,
    source: year.source,
    fingerprint: year.fingerprint,
    loadedAt: formatShanghaiInstant(year.loadedAt),
  }
}
