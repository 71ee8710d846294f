import type { Kysely } from 'kysely'
import { shanghaiDateOf } from '../core/calendar/civil-date.ts'
import type { Database } from '../platform/database/database.types.ts'
import type { CaseRecord } from './case.repository.ts'

/** Records the codes a transition gave (for reports grouped by reason), in the transition's transaction. */
export async function recordReasonCodes(db: Kysely<Database>, record: CaseRecord, action: string, codes: readonly string[], listVersion: number, at: Date): Promise<void> {
  if (codes.length === 0) return
  await db
    .insertInto('case_reason_code')
    .values(
      [...new Set(codes)].map((code) => ({
        case_id: record.id,
        action,
        code,
        list_version: listVersion,
        recorded_at: at,
        recorded_on: shanghaiDateOf(at),
        route: record.route,
        district: record.location.district,
        organization_id: record.organizationId,
      })),
    )
    .onConflict((oc) => oc.doNothing())
    .execute()
}
