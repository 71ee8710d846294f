import { sql, type Kysely } from 'kysely'

// Frozen in time: never edit a migration that has shipped; add a new one.
//
// SLA reporting for auditors. The report must answer in well under a second over a million
// cases, so it never scans cases for its decided-case figures:
// - each case carries its SLA facts, written with the lifecycle document by the same statement
//   (sla_decided_on is the Shanghai date the statutory clock stopped by a decision: approve or refuse,
//   or for a joint review approval the issuance of the permit);
// - sla_daily_summary holds, per decision date and group, the number of cases for each whole number of
//   working days taken (an exact histogram: medians and 90th percentiles come out exact) with the counts
//   the report needs. The transition that stops a clock updates it in its own transaction, so the report
//   always agrees with the cases.
// Each case is counted once per dimension: 'all' (key ''), 'route', 'district', 'organization' (its id).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('case')
    .addColumn('sla_decided_on', 'date')
    .addColumn('sla_working_days', 'integer')
    .addColumn('sla_paused_working_days', 'integer')
    .addColumn('sla_within_limit', 'boolean')
    .addColumn('sla_had_supplement', 'boolean')
    .execute()
  // All or nothing: a case is either decided (its facts known; within_limit null when the route has no
  // working-day limit) or not.
  await sql`
    alter table "case" add constraint case_sla_facts_check check (
      (sla_decided_on is null and sla_working_days is null and sla_paused_working_days is null
        and sla_within_limit is null and sla_had_supplement is null)
      or (sla_decided_on is not null and sla_working_days >= 0 and sla_paused_working_days >= 0
        and sla_had_supplement is not null))`.execute(db)

  await sql`
    create table sla_daily_summary (
      dimension text not null check (dimension in ('all', 'route', 'district', 'organization')),
      group_key text not null,
      decided_on date not null,
      working_days integer not null check (working_days >= 0),
      cases integer not null,
      with_time_limit integer not null,
      on_time integer not null,
      with_supplement integer not null,
      paused_working_days bigint not null,
      -- The report reads a date range of one dimension: the key leads with them, and the counts ride along
      -- in the index so the scan can be index-only.
      constraint sla_daily_summary_pkey primary key (dimension, decided_on, group_key, working_days)
        include (cases, with_time_limit, on_time, with_supplement, paused_working_days)
    )`.execute(db)

  // The per-case timeline export walks decided cases by decision date (keyset on (date, id)).
  await sql`create index case_sla_decided_idx on "case" (sla_decided_on, id) where sla_decided_on is not null`.execute(db)
  // Overdue open cases: due_at is set only while a deadline is pending, so "due_at < now" is overdue. The
  // grouping columns are included so the count is an index-only scan of the (few) pending cases.
  await sql`create index case_pending_due_idx on "case" (due_at) include (route, district, organization_id) where due_at is not null`.execute(db)

  await backfill(db)
}

/**
 * Facts of cases decided before this migration, derived from their lifecycle documents with the stored
 * calendar (working day: a make-up workday, or Monday to Friday and not a holiday; a year without a
 * schedule counts weekends only, like the service). Paused working days are those d with
 * pause date < d <= resume date, as the clock counts them.
 */
async function backfill(db: Kysely<any>): Promise<void> {
  // Migrations run in one transaction: the backfill of a large table must not hit the pool's per-request
  // statement timeout.
  await sql`set local statement_timeout = 0`.execute(db)
  // One pass over the cases, every fact computed from the row's own document (no self-join to plan badly).
  await sql`
    update "case" c set
      sla_decided_on = (c.lifecycle -> 'clock' -> 'ledger' -> -1 ->> 'date')::date,
      sla_working_days = (c.lifecycle -> 'clock' -> 'ledger' -> -1 ->> 'workingDaysUsed')::int,
      sla_paused_working_days = (
        select coalesce(sum((
          select count(*) from generate_series((span.from_date + 1)::timestamp, span.to_date::timestamp, interval '1 day') as g(day)
          where exists (select 1 from calendar_year y where y.year = extract(year from g.day) and g.day::date = any (y.makeup_workdays))
             or (extract(isodow from g.day) < 6
                 and not exists (select 1 from calendar_year y where y.year = extract(year from g.day) and g.day::date = any (y.holidays)))
        )), 0)::int
        from (
          select e.value ->> 'kind' as kind, (e.value ->> 'date')::date as from_date,
            lead((e.value ->> 'date')::date) over (order by e.ord) as to_date
          from jsonb_array_elements(c.lifecycle -> 'clock' -> 'ledger') with ordinality as e(value, ord)
          where e.value ->> 'kind' in ('pause', 'resume', 'stop')
        ) as span
        where span.kind = 'pause' and span.to_date is not null
      ),
      sla_within_limit = case when c.lifecycle -> 'clock' -> 'ledger' -> -1 ->> 'dueDate' is null then null
        else (c.lifecycle -> 'clock' -> 'ledger' -> -1 ->> 'date')::date <= (c.lifecycle -> 'clock' -> 'ledger' -> -1 ->> 'dueDate')::date end,
      sla_had_supplement = jsonb_array_length(c.lifecycle -> 'supplements') > 0
    where c.lifecycle -> 'clock' ->> 'status' = 'stopped'
      and jsonb_typeof(c.lifecycle -> 'decision') = 'object'
      and jsonb_typeof(c.lifecycle -> 'withdrawal') is distinct from 'object'`.execute(db)

  await sql`
    insert into sla_daily_summary (dimension, group_key, decided_on, working_days, cases, with_time_limit, on_time, with_supplement, paused_working_days)
    select g.dimension, g.group_key, c.sla_decided_on, c.sla_working_days, count(*),
      count(c.sla_within_limit), count(*) filter (where c.sla_within_limit), count(*) filter (where c.sla_had_supplement),
      sum(c.sla_paused_working_days)
    from "case" c
    cross join lateral (values ('all', ''), ('route', c.route), ('district', c.district), ('organization', c.organization_id::text)) as g(dimension, group_key)
    where c.sla_decided_on is not null
    group by g.dimension, g.group_key, c.sla_decided_on, c.sla_working_days`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index case_pending_due_idx`.execute(db)
  await sql`drop index case_sla_decided_idx`.execute(db)
  await sql`drop table sla_daily_summary`.execute(db)
  await sql`alter table "case" drop constraint case_sla_facts_check`.execute(db)
  await db.schema
    .alterTable('case')
    .dropColumn('sla_decided_on')
    .dropColumn('sla_working_days')
    .dropColumn('sla_paused_working_days')
    .dropColumn('sla_within_limit')
    .dropColumn('sla_had_supplement')
    .execute()
}
