import { sql, type Kysely } from 'kysely'

// Frozen in time: never edit a migration that has shipped; add a new one.
// Webhooks. case_event, written in the same transaction as every case change, is the
// transactional outbox; the relay copies it into webhook_delivery (one row per event × subscribed
// endpoint) and the deliverer sends those rows. See src/webhooks/.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('webhook_endpoint')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'uuid', (col) => col.notNull().references('organization.id'))
    .addColumn('url', 'text', (col) => col.notNull())
    .addColumn('event_types', sql`text[]`, (col) => col.notNull())
    .addColumn('description', 'text')
    // The signing secret (whsec_…) in clear: the service must produce HMACs with it, so a one-way hash
    // cannot work; encryption at rest would only move the problem to a key kept beside it. Wiped on delete.
    .addColumn('secret', 'text')
    .addColumn('status', 'text', (col) => col.notNull().defaultTo('active').check(sql`status in ('active', 'disabled', 'deleted')`))
    // Which transactions the endpoint "saw" at registration: it receives the events of every transaction
    // not visible in this snapshot (committed after it registered), never earlier history.
    .addColumn('subscribed_from', sql`pg_snapshot`, (col) => col.notNull().defaultTo(sql`pg_current_snapshot()`))
    .addColumn('consecutive_failures', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('failing_since', 'timestamptz')
    .addColumn('last_success_at', 'timestamptz')
    .addColumn('last_failure_at', 'timestamptz')
    .addColumn('disabled_at', 'timestamptz')
    .addColumn('disabled_reason', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull())
    .addColumn('created_by_key_id', 'uuid')
    .addColumn('deleted_at', 'timestamptz')
    .execute()
  // The relay asks "which active endpoints of this organization?" for every batch.
  await sql`create index webhook_endpoint_org_idx on webhook_endpoint (organization_id) where status <> 'deleted'`.execute(db)

  await db.schema
    .createTable('webhook_delivery')
    // Insert order = relay order = feed order; the delivery log pages on it.
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    // Standard Webhooks `webhook-id`: stable across retries, so receivers can deduplicate.
    .addColumn('message_id', 'text', (col) => col.notNull().unique())
    .addColumn('endpoint_id', 'uuid', (col) => col.notNull().references('webhook_endpoint.id'))
    .addColumn('event_id', 'bigint', (col) => col.notNull())
    .addColumn('event_type', 'text', (col) => col.notNull())
    .addColumn('case_id', 'uuid', (col) => col.notNull())
    .addColumn('event_seq', 'integer', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull().check(sql`status in ('pending', 'sending', 'delivered', 'failed')`))
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz', (col) => col.notNull())
    // A claimed attempt ('sending') belongs to its sender until then; after it, another instance may retry.
    .addColumn('lease_until', 'timestamptz')
    .addColumn('first_attempt_at', 'timestamptz')
    // Set at the first attempt to first attempt + WEBHOOK_RETRY_HOURS; a failure after it gives up. Re-enabling
    // a disabled endpoint clears it, so the deliveries that waited get a full retry period again.
    .addColumn('give_up_after', 'timestamptz')
    .addColumn('last_attempt_at', 'timestamptz')
    .addColumn('delivered_at', 'timestamptz')
    .addColumn('failed_at', 'timestamptz')
    .addColumn('last_status_code', 'integer')
    .addColumn('last_error', 'text')
    // The request body, fixed when the event is relayed: every retry sends the same message.
    .addColumn('payload', 'jsonb', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull())
    // An event reaches an endpoint once, whatever the relay does (a second insert is ignored).
    .addUniqueConstraint('webhook_delivery_endpoint_event_key', ['endpoint_id', 'event_id'])
    .execute()
  // Due work: the deliverer's claim walks this partial index.
  await sql`create index webhook_delivery_due_idx on webhook_delivery (next_attempt_at, id) where status in ('pending', 'sending')`.execute(db)
  // In order per case: "is an earlier event of this case still undelivered for this endpoint?"
  await sql`create index webhook_delivery_order_idx on webhook_delivery (endpoint_id, case_id, event_seq) where status in ('pending', 'sending')`.execute(db)
  // The delivery log of one endpoint, newest first.
  await sql`create index webhook_delivery_log_idx on webhook_delivery (endpoint_id, id desc)`.execute(db)

  // The relay's position in the change feed (one row). Started at the current end of the feed: no endpoint
  // exists yet, so nothing before this point could be owed to anyone.
  await db.schema
    .createTable('webhook_relay_cursor')
    .addColumn('name', 'text', (col) => col.primaryKey())
    .addColumn('tx_id', sql`xid8`, (col) => col.notNull())
    .addColumn('event_id', 'bigint', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute()
  await sql`
    insert into webhook_relay_cursor (name, tx_id, event_id)
    select 'webhooks', coalesce(last.tx_id, '0'::xid8), coalesce(last.id, 0)
    from (select 1) as one
    left join (select tx_id, id from case_event order by tx_id desc, id desc limit 1) as last on true`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('webhook_relay_cursor').execute()
  await db.schema.dropTable('webhook_delivery').execute()
  await db.schema.dropTable('webhook_endpoint').execute()
}
