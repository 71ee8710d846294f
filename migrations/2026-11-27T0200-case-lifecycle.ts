import { sql, type Kysely } from 'kysely'

// Frozen in time: never edit a migration that has shipped; add a new one.
// The lifecycle state (clock ledger, stages, supplements, decision, works, inspections, changes) lives
// in one jsonb document written with the case row; the columns beside it are derived copies kept for
// filtering and reporting (due dates, paused, current stage), updated in the same statement.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('case')
    .addColumn('lifecycle', 'jsonb')
    .addColumn('accepted_at', 'timestamptz')
    .addColumn('decided_at', 'timestamptz')
    .addColumn('due_date', 'date')
    .addColumn('due_at', 'timestamptz')
    .addColumn('paused', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('clock_provisional', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('current_stage', 'text')
    .execute()
  // Open cases by deadline: supervision lists what is due or overdue.
  await sql`create index case_due_at_open_idx on "case" (due_at) where due_at is not null and decided_at is null`.execute(db)
  await sql`create index case_provisional_idx on "case" (id) where clock_provisional`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index case_provisional_idx`.execute(db)
  await sql`drop index case_due_at_open_idx`.execute(db)
  await db.schema
    .alterTable('case')
    .dropColumn('lifecycle')
    .dropColumn('accepted_at')
    .dropColumn('decided_at')
    .dropColumn('due_date')
    .dropColumn('due_at')
    .dropColumn('paused')
    .dropColumn('clock_provisional')
    .dropColumn('current_stage')
    .execute()
}
