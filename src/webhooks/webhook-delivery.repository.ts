import { sql, type Kysely } from 'kysely'
import type { Database } from '../platform/database/database.types.ts'
import type { DeliveryErrorClass } from './webhook-http-client.ts'
import { RELAY_CURSOR_NAME } from './webhook-relay.repository.ts'

export type WebhookDeliveryStatus = 'pending' | 'sending' | 'delivered' | 'failed'

export interface NewWebhookDelivery {
  messageId: string
  endpointId: string
  eventId: number
  eventType: string
  caseId: string
  eventSeq: number
  payload: Record<string, unknown>
  createdAt: Date
}

/** Inserts deliveries; an (endpoint, event) pair that already has one is left alone. Returns how many were new. */
export async function insertDeliveries(db: Kysely<Database>, deliveries: readonly NewWebhookDelivery[]): Promise<number> {
  if (deliveries.length === 0) return 0
  const inserted = await db
    .insertInto('webhook_delivery')
    .values(
      deliveries.map((delivery) => ({
        message_id: delivery.messageId,
        endpoint_id: delivery.endpointId,
        event_id: delivery.eventId,
        event_type: delivery.eventType,
        case_id: delivery.caseId,
        event_seq: delivery.eventSeq,
        status: 'pending' as const,
        attempts: 0,
        next_attempt_at: delivery.createdAt,
        payload: JSON.stringify(delivery.payload),
        created_at: delivery.createdAt,
      })),
    )
    .onConflict((oc) => oc.columns(['endpoint_id', 'event_id', 'jurisdiction_code']).doNothing())
    .returning('id')
    .execute()
  return inserted.length
}

/** An attempt this sender owns until `leaseUntil`; `attempts` (already counting this one) identifies the claim. */
export interface ClaimedDelivery {
  id: number
  messageId: string
  endpointId: string
  caseId: string
  eventSeq: number
  attempts: number
  giveUpAfter: Date
  payload: Record<string, unknown>
  url: string
  secret: string
}

export interface DeliveryClaim {
  now: Date
  leaseUntil: Date
  giveUpAfter: Date
  /** Attempts claimed at most by this call. */
  limit: number
  /** Attempts in flight at most per endpoint, across all instances (leases not yet ended count). */
  perEndpoint: number
  /** Attempts this sender has in flight: never claimed again by it while their request runs. */
  excludeIds: readonly number[]
}

/**
 * Claims due attempts and marks them `sending` until `leaseUntil`, committed before anything is sent:
 * `FOR UPDATE SKIP LOCKED` lets several instances claim side by side without waiting for or taking each
 * other's rows, so no attempt is sent twice concurrently; a sender that dies leaves a lease that expires, and
 * then the attempt is claimed again (at least once).
 *
 * Fair: the work is taken per endpoint — each active endpoint contributes at most `perEndpoint` minus what it
 * already has in flight (unexpired leases, on any instance), and the claim takes the first due attempt of every
 * endpoint before the second of any (round robin on the rank within the endpoint). So an endpoint that is slow,
 * failing or has a large backlog holds at most `perEndpoint` requests and never delays another endpoint's work.
 *
 * Due means: pending with `next_attempt_at` reached (or sending with an expired lease: the claim sets
 * next_attempt_at to the end of the lease), of an active endpoint, and first in line for its case — no earlier
 * event of the same case is still pending or sending for this endpoint, and none has yet to be relayed (a
 * transaction can take its id before an earlier event's transaction, so the feed may relay seq 3 of a case in an
 * earlier batch than seq 2).
 */
export async function claimDueDeliveries(db: Kysely<Database>, claim: DeliveryClaim): Promise<ClaimedDelivery[]> {
  const { rows } = await sql<{
    id: number
    message_id: string
    endpoint_id: string
    case_id: string
    event_seq: number
    attempts: number
    give_up_after: Date
    payload: Record<string, unknown>
    url: string
    secret: string
  }>`
    with relay as (
      select tx_id, event_id from webhook_relay_cursor where name = ${RELAY_CURSOR_NAME}
    ), in_flight as (
      select endpoint_id, count(*)::int as n from webhook_delivery
      where status = 'sending' and lease_until > ${claim.now}
      group by endpoint_id
    ), candidates as (
      select c.id, c.rank, c.next_attempt_at
      from webhook_endpoint e
      left join in_flight f on f.endpoint_id = e.id
      cross join lateral (
        select d.id, d.next_attempt_at, row_number() over (order by d.next_attempt_at, d.id) as rank
        from webhook_delivery d
        where d.endpoint_id = e.id
          and d.status in ('pending', 'sending') and d.next_attempt_at <= ${claim.now}
          and d.id <> all(${[...claim.excludeIds]}::bigint[])
          and not exists (
            select 1 from webhook_delivery earlier
            where earlier.endpoint_id = d.endpoint_id and earlier.case_id = d.case_id
              and earlier.event_seq < d.event_seq and earlier.status in ('pending', 'sending'))
          and not exists (
            select 1 from case_event ce cross join relay
            where ce.case_id = d.case_id and ce.seq < d.event_seq and (ce.tx_id, ce.id) > (relay.tx_id, relay.event_id))
        order by d.next_attempt_at, d.id
        limit greatest(${claim.perEndpoint}::int - coalesce(f.n, 0), 0)
      ) c
      where e.status = 'active'
      order by c.rank, c.next_attempt_at, c.id
      limit ${claim.limit}
    ), due as (
      -- Re-checked under the row lock: another instance may have claimed a candidate meanwhile.
      select d.id from webhook_delivery d
      where d.id in (select id from candidates) and d.status in ('pending', 'sending') and d.next_attempt_at <= ${claim.now}
      for update of d skip locked
    )
    update webhook_delivery d
    set status = 'sending',
        lease_until = ${claim.leaseUntil},
        -- A claimed attempt is due again when its lease ends: one indexed condition finds both kinds of due work.
        next_attempt_at = ${claim.leaseUntil},
        attempts = d.attempts + 1,
        first_attempt_at = coalesce(d.first_attempt_at, ${claim.now}),
        give_up_after = coalesce(d.give_up_after, ${claim.giveUpAfter}),
        last_attempt_at = ${claim.now}
    from due, webhook_endpoint e
    where d.id = due.id and e.id = d.endpoint_id
    returning d.id, d.message_id, d.endpoint_id, d.case_id, d.event_seq, d.attempts, d.give_up_after, d.payload, e.url, e.secret`.execute(db)
  return rows
    .filter((row) => row.secret !== null)
    .map((row) => ({
      id: Number(row.id),
      messageId: row.message_id,
      endpointId: row.endpoint_id,
      caseId: row.case_id,
      eventSeq: row.event_seq,
      attempts: row.attempts,
      giveUpAfter: row.give_up_after,
      payload: row.payload,
      url: row.url,
      secret: row.secret,
    }))
}

/** Locks a claimed attempt if this sender still owns it (its lease was not taken over by another instance). */
export async function lockOwnedAttempt(db: Kysely<Database>, claimed: Pick<ClaimedDelivery, 'id' | 'attempts'>): Promise<boolean> {
  const row = await db
    .selectFrom('webhook_delivery')
    .select('id')
    .where('id', '=', claimed.id)
    .where('status', '=', 'sending')
    .where('attempts', '=', claimed.attempts)
    .forUpdate()
    .executeTakeFirst()
  return row !== undefined
}

export async function markDelivered(db: Kysely<Database>, id: number, at: Date, statusCode: number): Promise<void> {
  await db
    .updateTable('webhook_delivery')
    .set({ status: 'delivered', delivered_at: at, lease_until: null, last_status_code: statusCode, last_error: null, last_error_class: null })
    .where('id', '=', id)
    .execute()
}

/** 'never': parked until the endpoint is re-enabled (kept at the far end of the due index, so polls skip it). */
export type NextAttempt = Date | 'never'

const nextAttemptValue = (next: NextAttempt) => (next === 'never' ? sql<Date>`'infinity'::timestamptz` : next)

export async function markAttemptFailed(
  db: Kysely<Database>,
  id: number,
  outcome: { statusCode: number | null; errorClass: DeliveryErrorClass; error: string },
  next: { status: 'pending'; nextAttemptAt: NextAttempt } | { status: 'failed'; at: Date },
): Promise<void> {
  await db
    .updateTable('webhook_delivery')
    .set({
      status: next.status,
      lease_until: null,
      last_status_code: outcome.statusCode,
      last_error: outcome.error.slice(0, 300),
      last_error_class: outcome.errorClass,
      ...(next.status === 'pending' ? { next_attempt_at: nextAttemptValue(next.nextAttemptAt) } : { failed_at: next.at }),
    })
    .where('id', '=', id)
    .execute()
}

/** A disabled endpoint's pending deliveries wait for it to be re-enabled. */
export async function parkDeliveries(db: Kysely<Database>, endpointId: string): Promise<void> {
  await db
    .updateTable('webhook_delivery')
    .set({ next_attempt_at: nextAttemptValue('never') })
    .where('endpoint_id', '=', endpointId)
    .where('status', '=', 'pending')
    .execute()
}

/** A deleted endpoint's undelivered messages are given up (an attempt in flight finishes on its own). */
export async function abandonDeliveries(db: Kysely<Database>, endpointId: string, at: Date, reason: string): Promise<void> {
  await db
    .updateTable('webhook_delivery')
    .set({ status: 'failed', failed_at: at, last_error: reason })
    .where('endpoint_id', '=', endpointId)
    .where('status', '=', 'pending')
    .execute()
}

/**
 * After an endpoint is re-enabled, the deliveries that waited are due at once and get a full retry period again
 * (give_up_after is set afresh at their next attempt).
 */
export async function resumeDeliveries(db: Kysely<Database>, endpointId: string, at: Date): Promise<number> {
  const result = await db
    .updateTable('webhook_delivery')
    .set({ next_attempt_at: at, give_up_after: null })
    .where('endpoint_id', '=', endpointId)
    .where('status', '=', 'pending')
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}

export interface WebhookDeliveryRecord {
  id: number
  messageId: string
  eventType: string
  caseId: string
  eventSeq: number
  status: WebhookDeliveryStatus
  attempts: number
  nextAttemptAt: Date | null
  firstAttemptAt: Date | null
  lastAttemptAt: Date | null
  deliveredAt: Date | null
  failedAt: Date | null
  lastStatusCode: number | null
  lastError: string | null
  lastErrorClass: DeliveryErrorClass | null
  createdAt: Date
}

/** An endpoint's delivery log, newest first; keyset on the delivery id (`before` = last id of the previous page). */
export async function listDeliveries(
  db: Kysely<Database>,
  endpointId: string,
  query: { before?: number | undefined; limit: number; status?: WebhookDeliveryStatus | undefined },
): Promise<WebhookDeliveryRecord[]> {
  let builder = db.selectFrom('webhook_delivery').selectAll().where('endpoint_id', '=', endpointId)
  if (query.before !== undefined) builder = builder.where('id', '<', query.before)
  if (query.status) builder = builder.where('status', '=', query.status)
  const rows = await builder.orderBy('id', 'desc').limit(query.limit).execute()
  return rows.map((row) => ({
    id: Number(row.id),
    messageId: row.message_id,
    eventType: row.event_type,
    caseId: row.case_id,
    eventSeq: row.event_seq,
    status: row.status,
    attempts: row.attempts,
    // pg returns infinity as a number: a parked delivery has no next attempt until the endpoint is re-enabled.
    nextAttemptAt: row.status === 'pending' && row.next_attempt_at instanceof Date ? row.next_attempt_at : null,
    firstAttemptAt: row.first_attempt_at,
    lastAttemptAt: row.last_attempt_at,
    deliveredAt: row.delivered_at,
    failedAt: row.failed_at,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    lastErrorClass: row.last_error_class as DeliveryErrorClass | null,
    createdAt: row.created_at,
  }))
}
