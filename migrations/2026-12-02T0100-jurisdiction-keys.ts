import { sql, type Kysely } from 'kysely'

// Frozen in time: never edit a migration that has shipped; add a new one.
// The jurisdiction in every case-owned table's keys (README "Scaling out"): on a distributed PostgreSQL such as Citus
// the case-owned tables are distributed by jurisdiction_code, which must then be part of every primary key and unique
// constraint of those tables and of every foreign key between them. The column goes LAST in each key, so every lookup
// by id alone (GET /v1/cases/{id}, the events of a case, a footprint) still uses a prefix of the same index: no index
// is added and no query plan changes.
// - works_footprint and works_clash get the column (backfilled from the case; the writers pass it). A clash is between
//   two cases of one jurisdiction (the clash search is scoped to the case's jurisdiction from now on; the shipped
//   jurisdictions' boxes do not overlap, so no clash across jurisdictions can exist: the migration refuses if one does).
// - sla_daily_summary gets the jurisdiction as a dimension of every row, rebuilt from the cases' SLA facts (the
//   summary is by definition the sum of those facts), so the report can be scoped and grouped by it.
// - case_event, case_warning, case_reason_code and webhook_delivery have the column already (migration
//   2026-12-01T0600, filled from the case by a trigger); rows that disagree with their case are corrected first (there
//   should be none). case_event is append-only: its trigger is disabled for that correction only, inside this
//   migration's transaction, and re-enabled before the transaction ends. jurisdiction_code is not hashed, so the hash
//   chains are unchanged.
// - idempotency_key (keyed by API key) and audit_checkpoint_leaf (one deployment-wide checkpoint over all cases) are
//   not case-owned: they stay local tables on the coordinator.

/** Foreign keys to "case" (id): dropped before the case's primary key changes, recreated on (…, jurisdiction_code). */
const CASE_FOREIGN_KEYS: Array<{ table: string; name: string; column: string; cascade: boolean }> = [
  { table: 'case_event', name: 'case_event_case_id_fkey', column: 'case_id', cascade: false },
  { table: 'case_warning', name: 'case_warning_case_id_fkey', column: 'case_id', cascade: false },
  { table: 'case_reason_code', name: 'case_reason_code_case_id_fkey', column: 'case_id', cascade: false },
  { table: 'works_footprint', name: 'works_footprint_case_id_fkey', column: 'case_id', cascade: true },
  { table: 'works_clash', name: 'works_clash_case_a_fkey', column: 'case_a', cascade: true },
  { table: 'works_clash', name: 'works_clash_case_b_fkey', column: 'case_b', cascade: true },
]

/** Primary keys and unique constraints of the case-owned tables: [table, constraint, kind, columns before]. */
const KEYS: Array<[string, string, 'primary key' | 'unique', string]> = [
  ['case', 'case_pkey', 'primary key', 'id'],
  ['case', 'case_number_key', 'unique', 'number'],
  ['case', 'case_filing_receipt_number_key', 'unique', 'filing_receipt_number'],
  ['case', 'case_external_reference_key', 'unique', 'organization_id, external_reference'],
  ['case_event', 'case_event_pkey', 'primary key', 'id'],
  ['case_event', 'case_event_case_seq_key', 'unique', 'case_id, seq'],
  ['case_warning', 'case_warning_pkey', 'primary key', 'case_id, clock, stage, level'],
  ['case_reason_code', 'case_reason_code_pkey', 'primary key', 'case_id, action, code, recorded_at'],
  ['webhook_delivery', 'webhook_delivery_pkey', 'primary key', 'id'],
  ['webhook_delivery', 'webhook_delivery_message_id_key', 'unique', 'message_id'],
  ['webhook_delivery', 'webhook_delivery_endpoint_event_key', 'unique', 'endpoint_id, event_id'],
  ['works_footprint', 'works_footprint_pkey', 'primary key', 'case_id'],
  ['works_clash', 'works_clash_pkey', 'primary key', 'case_a, case_b'],
]

const SUMMARY_INCLUDE = 'include (cases, with_time_limit, on_time, with_supplement, paused_working_days)'

export async function up(db: Kysely<any>): Promise<void> {
  // Backfills and index builds over whole tables: not bound by the pool's per-request timeout.
  await sql`set local statement_timeout = 0`.execute(db)

  // 1. The tables that lack the column.
  await sql`alter table works_footprint add column jurisdiction_code text`.execute(db)
  await sql`update works_footprint f set jurisdiction_code = c.jurisdiction_code from "case" c where c.id = f.case_id`.execute(db)
  await sql`alter table works_footprint alter column jurisdiction_code set not null`.execute(db)

  const { rows: across } = await sql<{ n: number }>`
    select count(*)::int as n from works_clash w join "case" a on a.id = w.case_a join "case" b on b.id = w.case_b
    where a.jurisdiction_code <> b.jurisdiction_code`.execute(db)
  if ((across[0]?.n ?? 0) > 0) {
    throw new Error(`works_clash holds ${across[0]?.n} clash(es) between cases of different jurisdictions; decide them and delete them before this migration.`)
  }
  await sql`alter table works_clash add column jurisdiction_code text`.execute(db)
  await sql`update works_clash w set jurisdiction_code = c.jurisdiction_code from "case" c where c.id = w.case_a`.execute(db)
  await sql`alter table works_clash alter column jurisdiction_code set not null`.execute(db)

  // 2. The tables that have it: rows that disagree with their case (none expected) take the case's.
  for (const table of ['case_warning', 'case_reason_code', 'webhook_delivery']) {
    await sql`update ${sql.table(table)} t set jurisdiction_code = c.jurisdiction_code from "case" c
      where c.id = t.case_id and t.jurisdiction_code <> c.jurisdiction_code`.execute(db)
  }
  const { rows: wrongEvents } = await sql<{ n: number }>`
    select count(*)::int as n from case_event e join "case" c on c.id = e.case_id where e.jurisdiction_code <> c.jurisdiction_code`.execute(db)
  if ((wrongEvents[0]?.n ?? 0) > 0) {
    // The owner may switch off its own append-only trigger; this transaction only, for this column only.
    await sql`alter table case_event disable trigger case_event_append_only`.execute(db)
    await sql`update case_event e set jurisdiction_code = c.jurisdiction_code from "case" c
      where c.id = e.case_id and e.jurisdiction_code <> c.jurisdiction_code`.execute(db)
    await sql`alter table case_event enable trigger case_event_append_only`.execute(db)
  }

  // 3. The SLA summary by jurisdiction: rebuilt from the cases' facts (as rebuildSlaSummary does).
  // The alter takes the table's exclusive lock first, for the rest of the migration's transaction: no decision
  // writes to the summary between the delete and the rebuild.
  await sql`alter table sla_daily_summary add column jurisdiction_code text references jurisdiction (code)`.execute(db)
  await sql`delete from sla_daily_summary`.execute(db)
  await sql`alter table sla_daily_summary alter column jurisdiction_code set not null`.execute(db)
  await sql`alter table sla_daily_summary drop constraint sla_daily_summary_pkey`.execute(db)
  await sql
    .raw(`alter table sla_daily_summary add constraint sla_daily_summary_pkey
    primary key (dimension, decided_on, group_key, working_days, jurisdiction_code) ${SUMMARY_INCLUDE}`)
    .execute(db)
  await sql`
    insert into sla_daily_summary (jurisdiction_code, dimension, group_key, decided_on, working_days, cases, with_time_limit, on_time, with_supplement, paused_working_days)
    select c.jurisdiction_code, g.dimension, g.group_key, c.sla_decided_on, c.sla_working_days, count(*),
      count(c.sla_within_limit), count(*) filter (where c.sla_within_limit), count(*) filter (where c.sla_had_supplement),
      sum(c.sla_paused_working_days)
    from "case" c
    cross join lateral (values ('all', ''), ('route', c.route), ('district', c.district), ('organization', c.organization_id::text)) as g(dimension, group_key)
    where c.sla_decided_on is not null
    group by c.jurisdiction_code, g.dimension, g.group_key, c.sla_decided_on, c.sla_working_days`.execute(db)

  // 4. Keys: foreign keys to the case go first, then every key takes the jurisdiction last, then the foreign keys
  // come back on (…, jurisdiction_code) → case (id, jurisdiction_code).
  for (const fk of CASE_FOREIGN_KEYS) await sql.raw(`alter table ${fk.table} drop constraint ${fk.name}`).execute(db)
  for (const [table, name, kind, columns] of KEYS) {
    await sql.raw(`alter table "${table}" drop constraint ${name}`).execute(db)
    await sql.raw(`alter table "${table}" add constraint ${name} ${kind} (${columns}, jurisdiction_code)`).execute(db)
  }
  for (const fk of CASE_FOREIGN_KEYS) {
    await sql
      .raw(
        `alter table ${fk.table} add constraint ${fk.name} foreign key (${fk.column}, jurisdiction_code) references "case" (id, jurisdiction_code)${fk.cascade ? ' on delete cascade' : ''}`,
      )
      .execute(db)
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const fk of CASE_FOREIGN_KEYS) await sql.raw(`alter table ${fk.table} drop constraint ${fk.name}`).execute(db)
  for (const [table, name, kind, columns] of [...KEYS].reverse()) {
    await sql.raw(`alter table "${table}" drop constraint ${name}`).execute(db)
    await sql.raw(`alter table "${table}" add constraint ${name} ${kind} (${columns})`).execute(db)
  }
  for (const fk of CASE_FOREIGN_KEYS) {
    await sql.raw(`alter table ${fk.table} add constraint ${fk.name} foreign key (${fk.column}) references "case" (id)${fk.cascade ? ' on delete cascade' : ''}`).execute(db)
  }
  // The summary without a jurisdiction: the rows of one key are summed.
  await sql`
    create temporary table sla_daily_summary_merged as
    select dimension, group_key, decided_on, working_days, sum(cases)::int as cases, sum(with_time_limit)::int as with_time_limit,
      sum(on_time)::int as on_time, sum(with_supplement)::int as with_supplement, sum(paused_working_days)::int8 as paused_working_days
    from sla_daily_summary group by dimension, group_key, decided_on, working_days`.execute(db)
  await sql`delete from sla_daily_summary`.execute(db)
  await sql`alter table sla_daily_summary drop constraint sla_daily_summary_pkey`.execute(db)
  await sql`alter table sla_daily_summary drop column jurisdiction_code`.execute(db)
  await sql.raw(`alter table sla_daily_summary add constraint sla_daily_summary_pkey primary key (dimension, decided_on, group_key, working_days) ${SUMMARY_INCLUDE}`).execute(db)
  await sql`insert into sla_daily_summary select * from sla_daily_summary_merged`.execute(db)
  await sql`drop table sla_daily_summary_merged`.execute(db)
  await sql`alter table works_clash drop column jurisdiction_code`.execute(db)
  await sql`alter table works_footprint drop column jurisdiction_code`.execute(db)
}
