import { sql, type Kysely } from 'kysely'
import type { Database } from '../platform/database/database.types.ts'
import type { FeedPosition } from '../events/change-feed.repository.ts'

/** The one row of webhook_relay_cursor (created by the migration). */
export const RELAY_CURSOR_NAME = 'webhooks'

/**
 * Takes the relay cursor for this transaction, or undefined when another instance holds it right now:
 * `FOR UPDATE SKIP LOCKED` makes the relay a single writer across instances without anyone waiting.
 */
export async function lockRelayCursor(trx: Kysely<Database>): Promise<FeedPosition | undefined> {
  const row = await trx
    .selectFrom('webhook_relay_cursor')
    .select([sql<string>`tx_id::text`.as('tx_id'), 'event_id'])
    .where('name', '=', RELAY_CURSOR_NAME)
    .forUpdate()
    .skipLocked()
    .executeTakeFirst()
  return row ? { txId: row.tx_id, id: Number(row.event_id) } : undefined
}

export async function advanceRelayCursor(trx: Kysely<Database>, position: FeedPosition, at: Date): Promise<void> {
  await trx
    .updateTable('webhook_relay_cursor')
    .set({ tx_id: sql`${position.txId}::xid8`, event_id: position.id, updated_at: at })
    .where('name', '=', RELAY_CURSOR_NAME)
    .execute()
}

/** Case numbers and organization codes for the payloads of a batch of events. */
export async function caseContextsOf(db: Kysely<Database>, caseIds: readonly string[]): Promise<Map<string, { number: string; organizationCode: string }>> {
  if (caseIds.length === 0) return new Map()
  const rows = await db
    .selectFrom('case as c')
    .innerJoin('organization as o', 'o.id', 'c.organization_id')
    .select(['c.id', 'c.number', 'o.code'])
    .where('c.id', 'in', [...caseIds])
    .execute()
  return new Map(rows.map((row) => [row.id, { number: row.number, organizationCode: row.code }]))
}
