import { formatShanghaiInstant } from '../core/calendar/civil-date.ts'
import type { StoredCalendarYear } from './calendar.repository.ts'

export function presentCalendarYear(year: StoredCalendarYear) {
  return {
    year: year.year,
    holidays: year.holidays,
    makeupWorkdays: year.makeupWorkdays,
    source: year.source,
    holidayNames: year.holidayNames ?? {},
    makeupWorkdayNames: year.makeupWorkdayNames ?? {},
    fingerprint: year.fingerprint,
    loadedAt: formatShanghaiInstant(year.loadedAt),
  }
}
