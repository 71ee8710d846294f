import { sql, type Kysely } from 'kysely'

// Frozen in time: never edit a migration that has shipped; add a new one.
// The earliest deadline still pending on a case (its clock, the current "4+2+1+1" stage, or the emergency
// formalities), kept beside the lifecycle document so the scheduler and the overdue filter use an index.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table "case" add column next_deadline_at timestamptz`.execute(db)
  await sql`create index case_next_deadline_idx on "case" (next_deadline_at) where next_deadline_at is not null`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index case_next_deadline_idx`.execute(db)
  await sql`alter table "case" drop column next_deadline_at`.execute(db)
}
