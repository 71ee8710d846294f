import { sql, type Kysely } from 'kysely'

// Frozen in time: never edit a migration that has shipped; add a new one.
// Electronic supervision (docs/domain.md §5) and coded reasons (§6):
// - case.warning_level: the overall clock's warning level (null | yellow | red | overdue), kept by transitions and the
//   scheduler so GET /v1/cases?warningLevel=… uses an index; case.supervision_due_at: when the scheduler must look at
//   the case again (the next threshold, due date or timeout), so the sweep reads an index, never scans;
// - case_warning: each warning level, stage overrun and overdue reached, once per (case, clock, stage, level); the
//   primary key makes "once across instances" hold and the SLA report counts from it;
// - case_reason_code: the codes given with not_accept, refuse, refuse_change, revoke_filing and supplement items, for
//   reports grouped by reason;
// - calendar_year.holiday_names / makeup_workday_names: the names of the holidays (春节 Spring Festival) and of the
//   holiday a make-up workday makes up for, by date, for deadline explanations.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table "case" add column warning_level text check (warning_level in ('yellow', 'red', 'overdue')), add column supervision_due_at timestamptz`.execute(db)
  await sql`create index case_warning_level_idx on "case" (warning_level, submitted_at desc, id desc) where warning_level is not null`.execute(db)
  await sql`create index case_supervision_due_idx on "case" (supervision_due_at) where supervision_due_at is not null`.execute(db)
  // Cases open today are looked at by the first sweep.
  await sql`update "case" set supervision_due_at = now() where accepted_at is not null and decided_at is null and status in ('accepted', 'supplement_requested')`.execute(db)
  await sql`
    create table case_warning (
      case_id uuid not null references "case" (id),
      clock text not null check (clock in ('overall', 'stage')),
      -- '' for the overall clock (a key column cannot be null).
      stage text not null,
      level text not null check (level in ('yellow', 'red', 'overdue', 'overrun')),
      reached_at timestamptz not null,
      reached_on date not null,
      route text not null,
      district text not null,
      organization_id uuid not null,
      working_days_used integer not null,
      working_days_remaining integer not null,
      constraint case_warning_pkey primary key (case_id, clock, stage, level)
    )`.execute(db)
  await sql`create index case_warning_reached_idx on case_warning (reached_on, level)`.execute(db)
  await sql`
    create table case_reason_code (
      case_id uuid not null references "case" (id),
      action text not null,
      code text not null,
      list_version integer not null,
      recorded_at timestamptz not null,
      recorded_on date not null,
      route text not null,
      district text not null,
      organization_id uuid not null,
      constraint case_reason_code_pkey primary key (case_id, action, code, recorded_at)
    )`.execute(db)
  await sql`create index case_reason_code_recorded_idx on case_reason_code (recorded_on, action, code)`.execute(db)
  await sql`alter table calendar_year add column holiday_names jsonb not null default '{}'::jsonb, add column makeup_workday_names jsonb not null default '{}'::jsonb`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table calendar_year drop column holiday_names, drop column makeup_workday_names`.execute(db)
  await sql`drop table case_reason_code`.execute(db)
  await sql`drop table case_warning`.execute(db)
  await sql`drop index case_supervision_due_idx`.execute(db)
  await sql`drop index case_warning_level_idx`.execute(db)
  await sql`alter table "case" drop column warning_level, drop column supervision_due_at`.execute(db)
}
