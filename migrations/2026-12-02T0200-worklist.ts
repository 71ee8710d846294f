import { sql, type Kysely } from 'kysely'

// Frozen in time: never edit a migration that has shipped; add a new one.
// The office's worklist (src/worklist, GET /v1/worklist): the open cases that wait on the office, soonest deadline
// first (cases without a deadline last), ties by case number. A partial index over exactly those cases in exactly
// that order: the first page is an index range scan, and the counts read this small index instead of the table's
// mostly decided cases. The expression must be written the same way in the queries (worklist.repository.ts).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create index case_worklist_idx on "case" ((coalesce(due_at, 'infinity'::timestamptz)), number)
    include (jurisdiction_code, organization_id, status, route, district, current_stage, due_date, warning_level, supervision_due_at)
    where status in ('submitted', 'accepted', 'supplement_requested')`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index case_worklist_idx`.execute(db)
}
