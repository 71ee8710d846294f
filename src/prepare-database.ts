import { sql, type Kysely } from 'kysely'
import { CalendarService } from './calendar/calendar.service.ts'
import { RuleSetService } from './rule-sets/rule-set.service.ts'
import { systemClock } from './platform/clock.ts'
import { applyServingRoleGrants } from './platform/database/database-roles.ts'
import { createDatabase, type DatabaseHandle } from './platform/database/database.ts'
import type { Database } from './platform/database/database.types.ts'
import { migrateToLatest } from './platform/database/migrate.ts'

/**
 * Migrations, then the reference data every instance needs: the 2019 rule set and the official holiday
 * schedules bundled with the service. Both seeds only insert what is missing, so running them on every
 * start (and from several instances at once) is safe. With `servingRole` (another role than the one connected,
 * which owns the tables), the grants of database-roles.ts are (re)applied last, so tables added by the
 * migrations just run get theirs too.
 */
export async function prepareDatabase(db: Kysely<Database>, options: { servingRole?: string | undefined } = {}): Promise<string[]> {
  const applied = await migrateToLatest(db)
  await new RuleSetService(db, systemClock).seedDefault()
  await new CalendarService(db, systemClock).seedBuiltinYears()
  if (options.servingRole !== undefined && options.servingRole !== (await currentRole(db))) await applyServingRoleGrants(db, options.servingRole)
  return applied
}

const currentRole = async (db: Kysely<Database>) => (await sql<{ name: string }>`select current_user as name`.execute(db)).rows[0]?.name

/**
 * The server's and the CLI's way: migrations over `migrationConnectionString` (the owner), grants for the role
 * `serving` is connected as. The same URL for both (DATABASE_MIGRATION_URL unset) migrates over `serving` as before.
 */
export async function prepareDatabaseAs(serving: DatabaseHandle, urls: { connectionString: string; migrationConnectionString: string }): Promise<string[]> {
  if (urls.migrationConnectionString === urls.connectionString) return await prepareDatabase(serving.db)
  const servingRole = await currentRole(serving.db)
  const migrator = createDatabase({ connectionString: urls.migrationConnectionString, poolMax: 1, applicationName: 'green-channel-migrate' })
  try {
    return await prepareDatabase(migrator.db, { servingRole })
  } finally {
    await migrator.close()
  }
}
