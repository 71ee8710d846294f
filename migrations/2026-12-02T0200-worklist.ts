import { sql, type Kysely } from 'kysely'

// Frozen in time: never edit a migration that has shipped; add a new one.
// The office's worklist (src/worklist, GET /v1/worklist): the open cases that wait on the office (submitted, in
// review, supplement pending, or an approved case with a change request pending), soonest deadline first (cases
// without a deadline last), ties by case number. A partial index over exactly those cases in exactly
// that order: the first page is an index range scan, and the counts read this small index instead of the table's
// mostly decided cases. The sort expression and the predicate are written the same way in the queries (worklist.repository.ts), so the
// planner matches them.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create index case_worklist_idx on "case" ((coalesce(due_at, 'infinity'::timestamptz)), number)
    include (jurisdiction_code, organization_id, status, route, district, current_stage, due_date, warning_level, supervision_due_at)
    where (status in ('submitted', 'accepted', 'supplement_requested') or jsonb_typeof(lifecycle->'pendingChange') = 'object')`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index case_worklist_idx`.execute(db)
}
