import { sql, type Kysely } from 'kysely'
import type { CivilDate } from '../core/calendar/civil-date.ts'
import type { Database, SlaDailySummaryTable } from '../platform/database/database.types.ts'
import type { SummaryBucket } from '../core/reports/sla-statistics.ts'

export type SlaGroupBy = 'route' | 'month' | 'district' | 'organization' | 'jurisdiction'

export interface GroupedBucket extends SummaryBucket {
  /** Route, district, organization id, jurisdiction code, or 'YYYY-MM'. */
  groupKey: string
}

/** undefined: every jurisdiction; a code: that jurisdiction's rows only (a scoped key's, or a filter). */
type JurisdictionFilter = string | undefined

const inJurisdiction = (jurisdictionCode: JurisdictionFilter) => (jurisdictionCode === undefined ? sql`` : sql`and jurisdiction_code = ${jurisdictionCode}`)

/**
 * Decided cases with decision dates in [from, to], per group and number of working days, from the
 * summary (a range scan of one dimension; never the cases). Months and jurisdictions are read from the 'all'
 * dimension (every row carries its jurisdiction).
 */
export async function readDecidedBuckets(
  db: Kysely<Database>,
  groupBy: SlaGroupBy,
  from: CivilDate,
  to: CivilDate,
  jurisdictionCode: JurisdictionFilter,
): Promise<GroupedBucket[]> {
  const dimension = groupBy === 'month' || groupBy === 'jurisdiction' ? 'all' : groupBy
  const groupKey = groupBy === 'month' ? sql<string>`to_char(decided_on, 'YYYY-MM')` : groupBy === 'jurisdiction' ? sql<string>`jurisdiction_code` : sql<string>`group_key`
  const { rows } = await sql<Omit<SlaDailySummaryTable, 'dimension' | 'decided_on'>>`
    select ${groupKey} as group_key, working_days,
      sum(cases)::int8 as cases, sum(with_time_limit)::int8 as with_time_limit, sum(on_time)::int8 as on_time,
      sum(with_supplement)::int8 as with_supplement, sum(paused_working_days)::int8 as paused_working_days
    from sla_daily_summary
    where dimension = ${dimension} and decided_on between ${from}::date and ${to}::date ${inJurisdiction(jurisdictionCode)}
    group by 1, 2`.execute(db)
  return rows.map((row) => ({
    groupKey: row.group_key,
    workingDays: row.working_days,
    cases: row.cases,
    withTimeLimit: row.with_time_limit,
    onTime: row.on_time,
    withSupplement: row.with_supplement,
    pausedWorkingDays: row.paused_working_days,
  }))
}

/**
 * Open cases past a pending deadline (due_at: the clock's due date, or the emergency formalities,
 * set only while pending) whose deadline fell in [dueFrom, dueBefore), per group; months are the
 * Shanghai month of the deadline. An index-only scan of the pending cases.
 */
export async function countOverdueOpenCases(
  db: Kysely<Database>,
  groupBy: SlaGroupBy,
  dueFrom: Date,
  dueBefore: Date,
  jurisdictionCode: JurisdictionFilter,
): Promise<Map<string, number>> {
  if (dueBefore.getTime() <= dueFrom.getTime()) return new Map()
  const groupKey =
    groupBy === 'month'
      ? sql<string>`to_char(due_at at time zone 'Asia/Shanghai', 'YYYY-MM')`
      : groupBy === 'organization'
        ? sql<string>`organization_id::text`
        : groupBy === 'jurisdiction'
          ? sql<string>`jurisdiction_code`
          : sql<string>`${sql.ref(groupBy)}`
  const { rows } = await sql<{ group_key: string; overdue: number }>`
    select ${groupKey} as group_key, count(*)::int8 as overdue
    from "case"
    where due_at is not null and due_at >= ${dueFrom} and due_at < ${dueBefore} ${inJurisdiction(jurisdictionCode)}
    group by 1`.execute(db)
  return new Map(rows.map((row) => [row.group_key, row.overdue]))
}

export async function organizationCodes(db: Kysely<Database>, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map()
  const rows = await db
    .selectFrom('organization')
    .select(['id', 'code'])
    .where('id', 'in', [...ids])
    .execute()
  return new Map(rows.map((row) => [row.id, row.code]))
}

export interface DecidedCaseRow {
  id: string
  number: string
  organizationCode: string
  route: string
  district: string
  status: string
  decidedOn: CivilDate
  lifecycle: unknown
}

/** One keyset page of cases decided in [from, to], by decision date then id. */
export async function listDecidedCases(
  db: Kysely<Database>,
  range: { from: CivilDate; to: CivilDate },
  after: { decidedOn: CivilDate; id: string } | null,
  limit: number,
  jurisdictionCode?: string,
): Promise<DecidedCaseRow[]> {
  let query = db
    .selectFrom('case')
    .innerJoin('organization', 'organization.id', 'case.organization_id')
    .select(['case.id', 'case.number', 'organization.code as organization_code', 'case.route', 'case.district', 'case.status', 'case.sla_decided_on', 'case.lifecycle'])
    .where('case.sla_decided_on', '>=', range.from)
    .where('case.sla_decided_on', '<=', range.to)
  if (after !== null) query = query.where(sql<boolean>`("case".sla_decided_on, "case".id) > (${after.decidedOn}::date, ${after.id}::uuid)`)
  // A scoped key exports its own jurisdiction's cases only (core/access).
  if (jurisdictionCode) query = query.where('case.jurisdiction_code', '=', jurisdictionCode)
  const rows = await query.orderBy('case.sla_decided_on').orderBy('case.id').limit(limit).execute()
  return rows.map((row) => ({
    id: row.id,
    number: row.number,
    organizationCode: row.organization_code,
    route: row.route,
    district: row.district,
    status: row.status,
    decidedOn: row.sla_decided_on as string,
    lifecycle: row.lifecycle,
  }))
}
