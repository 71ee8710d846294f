import { sql, type Kysely } from 'kysely'

// Frozen in time: never edit a migration that has shipped; add a new one.
export async function up(db: Kysely<any>): Promise<void> {
  // The change feed orders events by the transaction that wrote them (tx_id) and then by id. A reader only
  // sees events of transactions older than every transaction still running (pg_snapshot_xmin), so an event
  // can never appear behind a position already handed out: no gaps, no repeats, however commits interleave.
  await sql`alter table case_event add column tx_id xid8 not null default pg_current_xact_id()`.execute(db)
  await sql`alter table case_event add column organization_id uuid references organization (id)`.execute(db)
  // Backfill the owning organization of existing events (the only sanctioned rewrite of the history).
  await sql`alter table case_event disable trigger case_event_append_only`.execute(db)
  await sql`update case_event e set organization_id = c.organization_id from "case" c where c.id = e.case_id`.execute(db)
  await sql`alter table case_event enable trigger case_event_append_only`.execute(db)
  await sql`create index case_event_feed_idx on case_event (tx_id, id)`.execute(db)
  await sql`create index case_event_org_feed_idx on case_event (organization_id, tx_id, id)`.execute(db)

  // Idempotency-Key records (per API key): the first request claims the key, the transaction that does the
  // work stores the response, and a retry within the retention period gets that response back.
  await db.schema
    .createTable('idempotency_key')
    .addColumn('api_key_id', 'uuid', (col) => col.notNull())
    .addColumn('key', 'text', (col) => col.notNull())
    .addColumn('request_hash', 'text', (col) => col.notNull())
    .addColumn('method', 'text', (col) => col.notNull())
    .addColumn('path', 'text', (col) => col.notNull())
    .addColumn('state', 'text', (col) => col.notNull().check(sql`state in ('in_progress', 'completed')`))
    .addColumn('locked_until', 'timestamptz')
    .addColumn('response_status', 'integer')
    .addColumn('response_headers', 'jsonb')
    .addColumn('response_body', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (col) => col.notNull())
    .addPrimaryKeyConstraint('idempotency_key_pkey', ['api_key_id', 'key'])
    .execute()
  await sql`create index idempotency_key_expires_idx on idempotency_key (expires_at)`.execute(db)

  // Supervision: when the scheduler last reported the case overdue (once per deadline).
  await sql`alter table "case" add column overdue_marked_at timestamptz`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table "case" drop column overdue_marked_at`.execute(db)
  await db.schema.dropTable('idempotency_key').execute()
  await sql`drop index case_event_org_feed_idx`.execute(db)
  await sql`drop index case_event_feed_idx`.execute(db)
  await sql`alter table case_event drop column organization_id`.execute(db)
  await sql`alter table case_event drop column tx_id`.execute(db)
}
