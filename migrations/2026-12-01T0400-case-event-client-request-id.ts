import { sql, type Kysely } from 'kysely'

// Frozen in time: never edit a migration that has shipped; add a new one.
// The request id on an event is the server's own (a UUID it generated); a caller's `request-id` header is kept
// beside it, for correlation only. Existing events keep null: their sealed form (core/audit/case-event-hash.ts)
// has no clientRequestId member, so every existing chain verifies unchanged.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table case_event add column client_request_id text`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table case_event drop column client_request_id`.execute(db)
}
