import type { Kysely } from 'kysely'
import type { Database } from '../platform/database/database.types.ts'
import type { CalendarYearSchedule } from '../core/calendar/working-day-calendar.ts'

export interface StoredCalendarYear extends CalendarYearSchedule {
  fingerprint: string
  loadedAt: Date
  loadedByKeyId: string | null
}

export async function listCalendarYears(db: Kysely<Database>): Promise<StoredCalendarYear[]> {
  const rows = await db.selectFrom('calendar_year').selectAll().orderBy('year').execute()
  return rows.map((row) => ({
    year: row.year,
    holidays: [...row.holidays].sort(),
    makeupWorkdays: [...row.makeup_workdays].sort(),
    source: row.source,
    holidayNames: row.holiday_names ?? {},
    makeupWorkdayNames: row.makeup_workday_names ?? {},
    fingerprint: row.fingerprint,
    loadedAt: row.loaded_at,
    loadedByKeyId: row.loaded_by_key_id,
  }))
}

/** Inserts the bundled schedules for years not yet loaded; a year an admin replaced is left alone. */
export async function insertMissingCalendarYears(db: Kysely<Database>, schedules: ReadonlyArray<CalendarYearSchedule & { fingerprint: string }>, loadedAt: Date): Promise<void> {
  if (schedules.length === 0) return
  await db
    .insertInto('calendar_year')
    .values(
      schedules.map((s) => ({
        year: s.year,
        holidays: [...s.holidays],
        makeup_workdays: [...s.makeupWorkdays],
        source: s.source,
        holiday_names: JSON.stringify(s.holidayNames ?? {}),
        makeup_workday_names: JSON.stringify(s.makeupWorkdayNames ?? {}),
        fingerprint: s.fingerprint,
        loaded_at: loadedAt,
      })),
    )
    .onConflict((oc) => oc.column('year').doNothing())
    .execute()
}

export async function upsertCalendarYear(
  db: Kysely<Database>,
  schedule: CalendarYearSchedule & { fingerprint: string },
  loadedAt: Date,
  loadedByKeyId: string | null,
): Promise<void> {
  const values = {
    holidays: [...schedule.holidays],
    makeup_workdays: [...schedule.makeupWorkdays],
    source: schedule.source,
    holiday_names: JSON.stringify(schedule.holidayNames ?? {}),
    makeup_workday_names: JSON.stringify(schedule.makeupWorkdayNames ?? {}),
    fingerprint: schedule.fingerprint,
    loaded_at: loadedAt,
    loaded_by_key_id: loadedByKeyId,
  }
  await db
    .insertInto('calendar_year')
    .values({ year: schedule.year, ...values })
    .onConflict((oc) => oc.column('year').doUpdateSet(values))
    .execute()
}
