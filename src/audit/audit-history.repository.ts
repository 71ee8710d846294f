import type { Kysely } from 'kysely'
import { toCaseEvent, type CaseEvent } from '../cases/case-event.repository.ts'
import { initialLifecycleState, type LifecycleRouteDecision } from '../core/lifecycle/lifecycle-state.ts'
import type { LifecycleState } from '../core/lifecycle/lifecycle.types.ts'
import type { Database } from '../platform/database/database.types.ts'

/** What verification reads of a case row: the derived state it claims. */
export interface AuditedCase {
  id: string
  number: string
  status: string
  version: number
  lifecycle: LifecycleState
}

/** Up to `limit` cases after `after` in id order (the order of the checkpoint's leaves). */
export async function casesAfter(db: Kysely<Database>, after: string | null, limit: number): Promise<AuditedCase[]> {
  let query = db.selectFrom('case').select(['id', 'number', 'status', 'version', 'lifecycle', 'decision', 'submitted_at'])
  if (after !== null) query = query.where('id', '>', after)
  const rows = await query.orderBy('id').limit(limit).execute()
  return rows.map((row) => ({
    id: row.id,
    number: row.number,
    status: row.status,
    version: row.version,
    // As src/cases reads it: rows written before the lifecycle existed start from their submission.
    lifecycle: (row.lifecycle as unknown as LifecycleState | null) ?? initialLifecycleState(row.decision as unknown as LifecycleRouteDecision, row.submitted_at),
  }))
}

/** The events of the given cases, each case's in seq order. */
export async function eventsOfCases(db: Kysely<Database>, caseIds: readonly string[]): Promise<Map<string, CaseEvent[]>> {
  const byCase = new Map<string, CaseEvent[]>()
  if (caseIds.length === 0) return byCase
  const rows = await db.selectFrom('case_event').selectAll().where('case_id', 'in', caseIds).orderBy('case_id').orderBy('seq').execute()
  for (const row of rows) {
    const event = toCaseEvent(row)
    const list = byCase.get(row.case_id)
    if (list) list.push(event)
    else byCase.set(row.case_id, [event])
  }
  return byCase
}
