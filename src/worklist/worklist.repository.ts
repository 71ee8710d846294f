import { type Expression, type Kysely, type SqlBool, sql } from 'kysely'
import type { LifecycleState } from '../core/lifecycle/lifecycle.types.ts'
import type { Database } from '../platform/database/database.types.ts'

/** The statuses of the cases before a decision that wait on the office (or that it watches). */
const PRE_DECISION = ['submitted', 'accepted', 'supplement_requested'] as const
export type WorklistStatus = (typeof PRE_DECISION)[number]

/** An approved case whose holder asked for a change (move, enlarge, extend) that the office has not decided yet. */
const CHANGE_PENDING = sql<SqlBool>`jsonb_typeof("case".lifecycle->'pendingChange') = 'object'`

/**
 * The worklist's cases: exactly the predicate of the partial index case_worklist_idx (migration 2026-12-02T0200),
 * written the same way so that the planner uses it.
 */
const ON_WORKLIST = sql<SqlBool>`("case".status in ('submitted', 'accepted', 'supplement_requested') or ${CHANGE_PENDING})`

/** What every worklist query is restricted to: the visibility rule and the caller's filters (not the queue). */
export interface WorklistScope {
  jurisdictionCode?: string | undefined
  organizationId?: string | undefined
  district?: string | undefined
  route?: string | undefined
}

/** The queue part of a page query. */
export interface WorklistSelection {
  status?: WorklistStatus | undefined
  /** Only approved cases with a change request pending. */
  changePending?: boolean | undefined
  stage?: string | undefined
  /** due_soon: a running clock due between these Shanghai dates (inclusive). */
  dueBetween?: { from: string; to: string } | undefined
  /** yellow | red | overdue: the stored level where it is current, or one of these ids (levels computed now). */
  level?: { level: string; now: Date; liveIds: readonly string[] } | undefined
}

export interface WorklistKey {
  /** ISO instant of due_at, or null (no deadline: sorted last). */
  dueAt: string | null
  number: string
}

export interface WorklistRow {
  id: string
  number: string
  status: string
  route: string
  district: string
  organizationCode: string
  dueAt: Date | null
  lifecycle: LifecycleState
}

/** A case whose stored warning level may be out of date at `now` (the scheduler has not looked at it since). */
export interface StaleWorklistRow {
  id: string
  status: string
  currentStage: string | null
  lifecycle: LifecycleState
}

/** One group of the counts: cases by status, stage, stored level and "due soon". */
export interface WorklistCountRow {
  status: string
  currentStage: string | null
  warningLevel: string | null
  dueSoon: boolean
  cases: number
}

const SORT = sql<Date>`coalesce("case".due_at, 'infinity'::timestamptz)`

function scoped(db: Kysely<Database>, scope: WorklistScope) {
  let query = db.selectFrom('case').where(ON_WORKLIST)
  if (scope.jurisdictionCode) query = query.where('case.jurisdiction_code', '=', scope.jurisdictionCode)
  if (scope.organizationId) query = query.where('case.organization_id', '=', scope.organizationId)
  if (scope.district) query = query.where('case.district', '=', scope.district)
  if (scope.route) query = query.where('case.route', '=', scope.route)
  return query
}

/** The stored level is current while the scheduler's next look (supervision_due_at) is still ahead, or never due. */
const levelIsCurrent = (now: Date): Expression<SqlBool> => sql<SqlBool>`("case".supervision_due_at is null or "case".supervision_due_at > ${now})`

/**
 * The open cases in scope whose stored warning level may be stale at `now`: their levels are computed from the
 * lifecycle instead. The scheduler keeps this set small (it looks at each case when its level can change).
 */
export async function listStaleWorklistCases(db: Kysely<Database>, scope: WorklistScope, now: Date): Promise<StaleWorklistRow[]> {
  const rows = await scoped(db, scope).select(['case.id', 'case.status', 'case.current_stage', 'case.lifecycle']).where('case.supervision_due_at', '<=', now).execute()
  return rows.map((row) => ({ id: row.id, status: row.status, currentStage: row.current_stage, lifecycle: row.lifecycle as unknown as LifecycleState }))
}

/** The counts of the cases in scope whose stored level is current at `now`, grouped (a few dozen rows at most). */
export async function countCurrentWorklistCases(db: Kysely<Database>, scope: WorklistScope, now: Date, dueSoon: { from: string; to: string }): Promise<WorklistCountRow[]> {
  const dueSoonExpression = sql<boolean>`coalesce("case".due_at is not null and "case".due_date between ${dueSoon.from} and ${dueSoon.to}, false)`
  const rows = await scoped(db, scope)
    .where(levelIsCurrent(now))
    .select(['case.status', 'case.current_stage', 'case.warning_level', dueSoonExpression.as('due_soon'), sql<string>`count(*)`.as('cases')])
    .groupBy(['case.status', 'case.current_stage', 'case.warning_level', sql`4`])
    .execute()
  return rows.map((row) => ({
    status: row.status,
    currentStage: row.current_stage,
    warningLevel: row.warning_level,
    dueSoon: row.due_soon,
    cases: Number(row.cases),
  }))
}

/** One page of the worklist, soonest deadline first (none last), ties by case number; `limit` rows after `after`. */
export async function listWorklistPage(
  db: Kysely<Database>,
  scope: WorklistScope,
  selection: WorklistSelection,
  after: WorklistKey | undefined,
  limit: number,
): Promise<WorklistRow[]> {
  let query = scoped(db, scope).select(['case.id', 'case.number', 'case.status', 'case.route', 'case.district', 'case.organization_code', 'case.due_at', 'case.lifecycle'])
  if (selection.status) query = query.where('case.status', '=', selection.status)
  if (selection.changePending) query = query.where('case.status', 'not in', PRE_DECISION).where(CHANGE_PENDING)
  if (selection.stage) query = query.where('case.current_stage', '=', selection.stage)
  if (selection.dueBetween) {
    query = query.where('case.due_at', 'is not', null).where('case.due_date', '>=', selection.dueBetween.from).where('case.due_date', '<=', selection.dueBetween.to)
  }
  if (selection.level) {
    const { level, now, liveIds } = selection.level
    query = query.where((eb) => eb.or([eb.and([levelIsCurrent(now), eb('case.warning_level', '=', level)]), ...(liveIds.length > 0 ? [eb('case.id', 'in', [...liveIds])] : [])]))
  }
  if (after) query = query.where(sql<SqlBool>`(${SORT}, "case".number) > (${after.dueAt ?? 'infinity'}::timestamptz, ${after.number})`)
  const rows = await query.orderBy(SORT).orderBy('case.number').limit(limit).execute()
  return rows.map((row) => ({
    id: row.id,
    number: row.number,
    status: row.status,
    route: row.route,
    district: row.district,
    organizationCode: row.organization_code,
    dueAt: row.due_at,
    lifecycle: row.lifecycle as unknown as LifecycleState,
  }))
}
