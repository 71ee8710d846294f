import type { Kysely } from 'kysely'
import type { Database } from '../platform/database/database.types.ts'

export interface NewCaseWarning {
  caseId: string
  clock: 'overall' | 'stage'
  stage: string | null
  level: 'yellow' | 'red' | 'overdue' | 'overrun'
  reachedAt: Date
  reachedOn: string
  route: string
  district: string
  organizationId: string
  workingDaysUsed: number
  workingDaysRemaining: number
}

/** Records a reached level once; false when it was recorded before (by this or another instance). */
export async function recordCaseWarning(db: Kysely<Database>, w: NewCaseWarning): Promise<boolean> {
  const inserted = await db
    .insertInto('case_warning')
    .values({
      case_id: w.caseId,
      clock: w.clock,
      stage: w.stage ?? '',
      level: w.level,
      reached_at: w.reachedAt,
      reached_on: w.reachedOn,
      route: w.route,
      district: w.district,
      organization_id: w.organizationId,
      working_days_used: w.workingDaysUsed,
      working_days_remaining: w.workingDaysRemaining,
    })
    .onConflict((oc) => oc.columns(['case_id', 'clock', 'stage', 'level', 'jurisdiction_code']).doNothing())
    .returning('case_id')
    .executeTakeFirst()
  return inserted !== undefined
}
