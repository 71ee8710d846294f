import { sql, type Kysely, type Selectable } from 'kysely'
import type { CaseEventTable, Database } from '../platform/database/database.types.ts'
import { computeCaseEventHash, type HashableCaseEvent } from '../core/audit/case-event-hash.ts'

export interface NewCaseEvent {
  caseId: string
  /** The case's organization: the change feed and webhooks filter on it. */
  organizationId: string
  type: string
  fromStatus: string | null
  toStatus: string | null
  actor: { keyId: string | null; role: string | null; organizationId: string | null }
  requestId: string | null
  /** The caller's request-id header (request.clientRequestId), if any. */
  clientRequestId?: string | null
  occurredAt: Date
  payload: Record<string, unknown>
}

export interface CaseEvent extends HashableCaseEvent {
  id: number
  hash: string
}

/**
 * Appends the next event of a case's hash chain. The caller holds the case row lock in the same
 * transaction (the version-checked update), so no other writer can take the same `seq`; the unique
 * (case_id, seq) constraint backs that up.
 */
export async function appendCaseEvent(
  trx: Kysely<Database>,
  event: NewCaseEvent,
  /** The chain's last event when the caller knows it (null for a new case's first event): saves a read. */
  known?: { seq: number; hash: string } | null,
): Promise<CaseEvent> {
  const last =
    known !== undefined ? known : await trx.selectFrom('case_event').select(['seq', 'hash']).where('case_id', '=', event.caseId).orderBy('seq', 'desc').limit(1).executeTakeFirst()
  // canonicalJson follows JSON.stringify's rules, so the hash covers exactly what jsonb will hold.
  const payload = event.payload
  const hashable: HashableCaseEvent = {
    caseId: event.caseId,
    seq: (last?.seq ?? 0) + 1,
    type: event.type,
    fromStatus: event.fromStatus,
    toStatus: event.toStatus,
    actorKeyId: event.actor.keyId,
    actorRole: event.actor.role,
    actorOrganizationId: event.actor.organizationId,
    requestId: event.requestId,
    clientRequestId: event.clientRequestId ?? null,
    occurredAt: event.occurredAt,
    payload,
    prevHash: last?.hash ?? null,
  }
  const hash = computeCaseEventHash(hashable)
  // Written on every case write: a plain statement, no query builder.
  const { rows } = await sql<{ id: number }>`
    insert into case_event (case_id, organization_id, seq, type, from_status, to_status, actor_key_id, actor_role,
      actor_organization_id, request_id, client_request_id, occurred_at, payload, prev_hash, hash)
    values (${hashable.caseId}, ${event.organizationId}, ${hashable.seq}, ${hashable.type}, ${hashable.fromStatus},
      ${hashable.toStatus}, ${hashable.actorKeyId}, ${hashable.actorRole}, ${hashable.actorOrganizationId},
      ${hashable.requestId}, ${hashable.clientRequestId}, ${hashable.occurredAt}, ${JSON.stringify(payload)}, ${hashable.prevHash}, ${hash})
    returning id`.execute(trx)
  return { ...hashable, id: (rows[0] as { id: number }).id, hash }
}

/** Maps a case_event row to the domain event (camelCase). */
export function toCaseEvent(row: Selectable<CaseEventTable>): CaseEvent {
  return {
    id: row.id,
    caseId: row.case_id,
    seq: row.seq,
    type: row.type,
    fromStatus: row.from_status,
    toStatus: row.to_status,
    actorKeyId: row.actor_key_id,
    actorRole: row.actor_role,
    actorOrganizationId: row.actor_organization_id,
    requestId: row.request_id,
    clientRequestId: row.client_request_id,
    occurredAt: row.occurred_at,
    payload: row.payload,
    prevHash: row.prev_hash,
    hash: row.hash,
  }
}

export async function listCaseEvents(db: Kysely<Database>, caseId: string): Promise<CaseEvent[]> {
  const rows = await db.selectFrom('case_event').selectAll().where('case_id', '=', caseId).orderBy('seq').execute()
  return rows.map(toCaseEvent)
}
