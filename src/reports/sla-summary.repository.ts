import { sql, type Kysely } from 'kysely'
import type { Database, SlaDailySummaryTable } from '../platform/database/database.types.ts'
import type { SlaColumns } from '../core/reports/sla-facts.ts'

/** What places a case in the report's groups; fixed at submission. */
export interface SlaGroupOf {
  route: string
  district: string
  organizationId: string
  /** The case's jurisdiction: every summary row counts one jurisdiction's cases (the report is scoped by it). */
  jurisdictionCode: string
}

type Dimension = SlaDailySummaryTable['dimension']
type SummaryRow = SlaDailySummaryTable

/** The summary rows one decided case contributes to, one per dimension, each counting it once. */
function contributions(group: SlaGroupOf, columns: SlaColumns, sign: 1 | -1): SummaryRow[] {
  if (columns.sla_decided_on === null) return []
  const keys: [Dimension, string][] = [
    ['all', ''],
    ['route', group.route],
    ['district', group.district],
    ['organization', group.organizationId],
  ]
  return keys.map(([dimension, groupKey]) => ({
    dimension,
    group_key: groupKey,
    jurisdiction_code: group.jurisdictionCode,
    decided_on: columns.sla_decided_on as string,
    working_days: columns.sla_working_days as number,
    cases: sign,
    with_time_limit: columns.sla_within_limit === null ? 0 : sign,
    on_time: columns.sla_within_limit === true ? sign : 0,
    with_supplement: columns.sla_had_supplement ? sign : 0,
    paused_working_days: sign * (columns.sla_paused_working_days as number),
  }))
}

const keyOf = (row: SummaryRow) => JSON.stringify([row.dimension, row.decided_on, row.group_key, row.working_days, row.jurisdiction_code])

/**
 * Moves a case's contribution in the summary from `before` to `after` (its SLA columns before and after
 * the write), inside the caller's transaction, so the summary commits or rolls back with the case.
 * Nothing is written when the facts did not change (every transition that decides nothing, and every
 * one after the decision). Facts change when a clock stops by a decision, and when a provisional
 * deadline is recomputed after a year's holiday schedule is loaded.
 *
 * The net change per summary row is applied in one statement in key order, so two transactions never
 * lock the same summary rows in opposite orders (no deadlock between concurrent decisions).
 */
export async function recordSlaChange(db: Kysely<Database>, group: SlaGroupOf, before: SlaColumns, after: SlaColumns): Promise<void> {
  const net = new Map<string, SummaryRow>()
  for (const row of [...contributions(group, before, -1), ...contributions(group, after, 1)]) {
    const key = keyOf(row)
    const seen = net.get(key)
    if (seen === undefined) {
      net.set(key, row)
      continue
    }
    seen.cases += row.cases
    seen.with_time_limit += row.with_time_limit
    seen.on_time += row.on_time
    seen.with_supplement += row.with_supplement
    seen.paused_working_days += row.paused_working_days
  }
  const changes = [...net.entries()]
    .filter(([, row]) => row.cases !== 0 || row.with_time_limit !== 0 || row.on_time !== 0 || row.with_supplement !== 0 || row.paused_working_days !== 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, row]) => row)
  if (changes.length === 0) return
  await db
    .insertInto('sla_daily_summary')
    .values(changes)
    .onConflict((oc) =>
      oc.columns(['dimension', 'decided_on', 'group_key', 'working_days', 'jurisdiction_code']).doUpdateSet((eb) => ({
        cases: eb('sla_daily_summary.cases', '+', eb.ref('excluded.cases')),
        with_time_limit: eb('sla_daily_summary.with_time_limit', '+', eb.ref('excluded.with_time_limit')),
        on_time: eb('sla_daily_summary.on_time', '+', eb.ref('excluded.on_time')),
        with_supplement: eb('sla_daily_summary.with_supplement', '+', eb.ref('excluded.with_supplement')),
        paused_working_days: eb('sla_daily_summary.paused_working_days', '+', eb.ref('excluded.paused_working_days')),
      })),
    )
    .execute()
  if (changes.some((row) => row.cases < 0)) {
    // A row a case left may now count nobody: drop it so the table only holds what exists.
    await db
      .deleteFrom('sla_daily_summary')
      .where('cases', '=', 0)
      .where((eb) =>
        eb.or(
          changes
            .filter((row) => row.cases < 0)
            .map((row) =>
              eb.and([
                eb('dimension', '=', row.dimension),
                eb('decided_on', '=', row.decided_on),
                eb('group_key', '=', row.group_key),
                eb('working_days', '=', row.working_days),
                eb('jurisdiction_code', '=', row.jurisdiction_code),
              ]),
            ),
        ),
      )
      .execute()
  }
}

/**
 * Rebuilds the whole summary from the cases' SLA columns in one transaction (after a bulk load, or to
 * prove the maintained summary right). Writers wait on the table lock rather than interleave: a
 * transition that committed before the lock is in the rebuild, one that commits after applies its change
 * on top of it. Readers keep reading the previous summary until the rebuild commits.
 */
export async function rebuildSlaSummary(db: Kysely<Database>): Promise<number> {
  return await db.transaction().execute(async (trx) => {
    // A maintenance statement over every decided case: not bound by the pool's per-request timeout.
    await sql`set local statement_timeout = 0`.execute(trx)
    await sql`lock table sla_daily_summary in exclusive mode`.execute(trx)
    await trx.deleteFrom('sla_daily_summary').execute()
    const result = await sql`
      insert into sla_daily_summary (jurisdiction_code, dimension, group_key, decided_on, working_days, cases, with_time_limit, on_time, with_supplement, paused_working_days)
      select c.jurisdiction_code, g.dimension, g.group_key, c.sla_decided_on, c.sla_working_days, count(*),
        count(c.sla_within_limit), count(*) filter (where c.sla_within_limit), count(*) filter (where c.sla_had_supplement),
        sum(c.sla_paused_working_days)
      from "case" c
      cross join lateral (values ('all', ''), ('route', c.route), ('district', c.district), ('organization', c.organization_id::text)) as g(dimension, group_key)
      where c.sla_decided_on is not null
      group by c.jurisdiction_code, g.dimension, g.group_key, c.sla_decided_on, c.sla_working_days`.execute(trx)
    return Number(result.numAffectedRows ?? 0)
  })
}
