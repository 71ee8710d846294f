import { sql, type Kysely } from 'kysely'
import type { CivilDate } from '../core/calendar/civil-date.ts'
import type { Database } from '../platform/database/database.types.ts'

/** Cases that reached each level in the period (Shanghai dates of the sweep that recorded it), by clock and level. */
export async function countWarningLevels(
  db: Kysely<Database>,
  from: CivilDate,
  to: CivilDate,
  jurisdictionCode: string | undefined,
): Promise<Array<{ clock: string; level: string; cases: number; occurrences: number }>> {
  let query = db
    .selectFrom('case_warning')
    .select(['clock', 'level', sql<string>`count(distinct case_id)`.as('cases'), sql<string>`count(*)`.as('occurrences')])
    .where('reached_on', '>=', from)
    .where('reached_on', '<=', to)
  if (jurisdictionCode !== undefined) query = query.where('jurisdiction_code', '=', jurisdictionCode)
  const rows = await query.groupBy(['clock', 'level']).execute()
  return rows.map((r) => ({ clock: r.clock, level: r.level, cases: Number(r.cases), occurrences: Number(r.occurrences) }))
}

/** Cases per action and reason code given in the period. */
export async function countReasonCodes(
  db: Kysely<Database>,
  from: CivilDate,
  to: CivilDate,
  jurisdictionCode: string | undefined,
): Promise<Array<{ action: string; code: string; listVersion: number; cases: number }>> {
  let query = db
    .selectFrom('case_reason_code')
    .select(['action', 'code', 'list_version', sql<string>`count(distinct case_id)`.as('cases')])
    .where('recorded_on', '>=', from)
    .where('recorded_on', '<=', to)
  if (jurisdictionCode !== undefined) query = query.where('jurisdiction_code', '=', jurisdictionCode)
  const rows = await query.groupBy(['action', 'code', 'list_version']).orderBy('action').orderBy('code').orderBy('list_version').execute()
  return rows.map((r) => ({ action: r.action, code: r.code, listVersion: r.list_version, cases: Number(r.cases) }))
}
