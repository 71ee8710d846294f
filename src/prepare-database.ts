import type { Kysely } from 'kysely'
import { CalendarService } from './calendar/calendar.service.ts'
import { RuleSetService } from './rule-sets/rule-set.service.ts'
import { systemClock } from './platform/clock.ts'
import type { Database } from './platform/database/database.types.ts'
import { migrateToLatest } from './platform/database/migrate.ts'

/**
 * Migrations, then the reference data every instance needs: the 2019 rule set and the official holiday
 * schedules bundled with the service. Both seeds only insert what is missing, so running them on every
 * start (and from several instances at once) is safe.
 */
export async function prepareDatabase(db: Kysely<Database>): Promise<string[]> {
  const applied = await migrateToLatest(db)
  await new RuleSetService(db, systemClock).seedDefault()
  await new CalendarService(db, systemClock).seedBuiltinYears()
  return applied
}
