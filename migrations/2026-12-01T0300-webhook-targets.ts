import { sql, type Kysely } from 'kysely'

// Frozen in time: never edit a migration that has shipped; add a new one.
// Webhooks that cannot be turned against the network (issue 9):
// - the delivery log keeps an error class (timeout, connection_refused, http_status, target_refused, …) beside the
//   status code, and no longer anything the target answered: the bodies already stored in last_error (up to 512
//   bytes) and quoted in disabled_reason are removed, so the log cannot be used to read what an address returns;
// - fair delivery claims due work per endpoint (a bounded number in flight for each), which walks this index.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table webhook_delivery add column last_error_class text`.execute(db)
  await sql`
    update webhook_delivery set
      last_error_class = case
        when last_status_code is not null then 'http_status'
        when last_error like 'no response within%' then 'timeout'
        when last_error like 'refused by the webhook URL policy%' then 'target_refused'
        when last_error like '%ECONNREFUSED%' then 'connection_refused'
        when last_error like '%ECONNRESET%' then 'connection_reset'
        when last_error like '%ENOTFOUND%' or last_error like '%EAI_AGAIN%' then 'dns_error'
        else 'network_error' end,
      last_error = case
        when last_status_code is not null then 'HTTP ' || last_status_code
        when last_error like 'no response within%' then last_error
        when last_error like 'refused by the webhook URL policy%' then 'refused by the webhook target policy'
        when last_error like '%ECONNREFUSED%' then 'connection refused (ECONNREFUSED)'
        else 'network error' end
    where last_error is not null and last_error <> 'the endpoint was deleted'`.execute(db)
  await sql`
    update webhook_endpoint set disabled_reason = regexp_replace(disabled_reason, '; the last: .*$', ').')
    where disabled_reason is not null`.execute(db)
  await sql`create index webhook_delivery_endpoint_due_idx on webhook_delivery (endpoint_id, next_attempt_at, id) where status in ('pending', 'sending')`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index webhook_delivery_endpoint_due_idx`.execute(db)
  await sql`alter table webhook_delivery drop column last_error_class`.execute(db)
}
