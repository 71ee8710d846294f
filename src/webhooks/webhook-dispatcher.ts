import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import { CASE_READER_ROLES } from '../core/access/principal.ts'
import { formatShanghaiInstant } from '../core/calendar/civil-date.ts'
import type { Database } from '../platform/database/database.types.ts'
import { readFeed, type FeedEvent } from '../events/change-feed.repository.ts'
import type { Clock } from '../platform/clock.ts'
import { insertDeliveries, type NewWebhookDelivery } from './webhook-delivery.repository.ts'
import { listActiveEndpointsOf, type RelayEndpoint } from './webhook-endpoint.repository.ts'
import { advanceRelayCursor, caseContextsOf, lockRelayCursor } from './webhook-relay.repository.ts'

/**
 * The relay of the transactional outbox. Every case change writes its case_event in the same transaction, and
 * the change feed (readFeed: ordered by writing transaction, no gaps, no repeats) is the outbox. The relay keeps
 * its position in webhook_relay_cursor and, batch by batch, turns each event into one webhook_delivery per active
 * endpoint of the event's organization that asked for its type — inserting the deliveries and advancing the
 * cursor in one transaction, so an event is relayed exactly once (a crash rolls both back). The cursor row is
 * taken FOR UPDATE SKIP LOCKED: one relay at a time across instances, and the others simply skip their turn.
 */
export interface RelayDeps {
  db: Kysely<Database>
  clock: Clock
}

export interface RelayOptions {
  /** Events per transaction. */
  batchSize?: number
  /** Batches per call, so one call catches up after a pause without running unbounded. */
  maxBatches?: number
}

export interface RelayResult {
  events: number
  deliveries: number
  /** True when another instance held the cursor, so this call did nothing. */
  busy: boolean
}

function matchesEventType(eventTypes: readonly string[], type: string): boolean {
  return eventTypes.includes('*') || eventTypes.includes(type)
}

/**
 * pg_visible_in_snapshot, for the text form "xmin:xmax:xip,…" of a pg_snapshot (PostgreSQL manual, "Snapshot
 * Information Functions"): a transaction is visible when it is older than xmin, or older than xmax and not
 * listed as in progress.
 */
export function visibleInSnapshot(txId: string, snapshot: string): boolean {
  const [xmin, xmax, xip = ''] = snapshot.split(':')
  const tx = BigInt(txId)
  if (tx < BigInt(xmin as string)) return true
  if (tx >= BigInt(xmax as string)) return false
  return !xip
    .split(',')
    .filter(Boolean)
    .some((inProgress) => BigInt(inProgress) === tx)
}

/**
 * An endpoint gets the events written by transactions its registration could not see — those that committed
 * after it registered — and never earlier history, whatever the relay's lag.
 */
function endpointWantsEvent(endpoint: RelayEndpoint, event: FeedEvent): boolean {
  return endpoint.organizationId === event.organizationId && matchesEventType(endpoint.eventTypes, event.type) && !visibleInSnapshot(event.position.txId, endpoint.subscribedFrom)
}

/** The message body (Standard Webhooks: id, type, timestamp of the event, data), fixed once at relay time. */
function webhookMessage(messageId: string, event: FeedEvent, context: { number: string; organizationCode: string } | undefined): Record<string, unknown> {
  const occurredAt = formatShanghaiInstant(event.occurredAt)
  return {
    id: messageId,
    type: event.type,
    timestamp: occurredAt,
    data: {
      caseId: event.caseId,
      caseNumber: context?.number ?? null,
      organization: context?.organizationCode ?? null,
      seq: event.seq,
      fromStatus: event.fromStatus,
      toStatus: event.toStatus,
      occurredAt,
      payload: event.payload,
    },
  }
}

function newMessageId(): string {
  return `msg_${randomUUID().replaceAll('-', '')}`
}

async function relayBatch(deps: RelayDeps, batchSize: number): Promise<{ events: number; deliveries: number } | null> {
  return await deps.db.transaction().execute(async (trx) => {
    const cursor = await lockRelayCursor(trx)
    if (!cursor) return null
    const events = await readFeed(trx, { after: cursor, limit: batchSize })
    const last = events.at(-1)
    if (!last) return { events: 0, deliveries: 0 }
    const organizationIds = [...new Set(events.map((event) => event.organizationId).filter((id): id is string => id !== null))]
    const endpoints = await listActiveEndpointsOf(trx, organizationIds, CASE_READER_ROLES)
    const rows: NewWebhookDelivery[] = []
    if (endpoints.length > 0) {
      const contexts = await caseContextsOf(trx, [...new Set(events.map((event) => event.caseId))])
      const now = deps.clock.now()
      for (const event of events) {
        for (const endpoint of endpoints) {
          if (!endpointWantsEvent(endpoint, event)) continue
          const messageId = newMessageId()
          rows.push({
            messageId,
            endpointId: endpoint.id,
            eventId: event.id,
            eventType: event.type,
            caseId: event.caseId,
            eventSeq: event.seq,
            payload: webhookMessage(messageId, event, contexts.get(event.caseId)),
            createdAt: now,
          })
        }
      }
    }
    const inserted = await insertDeliveries(trx, rows)
    await advanceRelayCursor(trx, last.position, deps.clock.now())
    return { events: events.length, deliveries: inserted }
  })
}

/** Relays what the feed holds after the cursor, up to maxBatches × batchSize events. */
export async function relayWebhookEvents(deps: RelayDeps, options: RelayOptions = {}): Promise<RelayResult> {
  const batchSize = options.batchSize ?? 500
  const maxBatches = options.maxBatches ?? 20
  const total: RelayResult = { events: 0, deliveries: 0, busy: false }
  for (let batch = 0; batch < maxBatches; batch++) {
    const result = await relayBatch(deps, batchSize)
    if (!result) return { ...total, busy: true }
    total.events += result.events
    total.deliveries += result.deliveries
    if (result.events < batchSize) break
  }
  return total
}
