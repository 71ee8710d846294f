import { sql, type Kysely } from 'kysely'
import type { Database } from '../platform/database/database.types.ts'
import { toCaseEvent, type CaseEvent } from '../cases/case-event.repository.ts'

/** A position in the change feed: the writing transaction's xid8 (decimal) and the event id within it. */
export interface FeedPosition {
  txId: string
  id: number
}

export interface FeedEvent extends CaseEvent {
  position: FeedPosition
  organizationId: string | null
}

/** Before every event: xid8 values start above 0 and event ids at 1. */
export const FEED_START: FeedPosition = Object.freeze({ txId: '0', id: 0 })

export interface FeedQuery {
  after?: FeedPosition | undefined
  limit: number
  organizationId?: string | undefined
  jurisdictionCode?: string | undefined
  types?: readonly string[] | undefined
}

/**
 * Reads the feed in (tx_id, id) order, up to the oldest transaction still running. Transaction ids are
 * handed out when a transaction starts, not when it commits, so a later id can commit first; stopping at
 * pg_snapshot_xmin (every older transaction has ended) means nothing can later appear behind a position
 * already returned. A long transaction delays the feed; it never makes it skip. The horizon is server-wide
 * (transaction ids are shared by every database of a PostgreSQL server), so keep long-running transactions
 * off the service's server. (A per-database horizon read from pg_stat_activity was tried and lost events
 * under concurrent writers; the server-wide xmin is the one that is provably safe.)
 */
export async function readFeed(db: Kysely<Database>, query: FeedQuery): Promise<FeedEvent[]> {
  let builder = db.selectFrom('case_event').selectAll().select(sql<string>`tx_id::text`.as('tx_text')).where(sql<boolean>`tx_id < pg_snapshot_xmin(pg_current_snapshot())`)
  if (query.after) builder = builder.where(sql<boolean>`(tx_id, id) > (${query.after.txId}::xid8, ${query.after.id}::bigint)`)
  if (query.organizationId) builder = builder.where('organization_id', '=', query.organizationId)
  if (query.jurisdictionCode) builder = builder.where('jurisdiction_code', '=', query.jurisdictionCode)
  if (query.types && query.types.length > 0) builder = builder.where('type', 'in', [...query.types])
  const rows = await builder.orderBy(sql`tx_id`).orderBy('id').limit(query.limit).execute()
  return rows.map((row) => ({ ...toCaseEvent(row), organizationId: row.organization_id, position: { txId: row.tx_text, id: row.id } }))
}
