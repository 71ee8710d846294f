import { createHash } from 'node:crypto'

/** The fields of a case event that its hash seals; anything else (the row id) is bookkeeping. */
export interface HashableCaseEvent {
  caseId: string
  seq: number
  type: string
  fromStatus: string | null
  toStatus: string | null
  actorKeyId: string | null
  actorRole: string | null
  actorOrganizationId: string | null
  requestId: string | null
  /**
   * The caller's own request-id header, beside the server's requestId. Sealed only when present: events without
   * one (all events written before it existed) hash exactly as before.
   */
  clientRequestId?: string | null
  occurredAt: Date
  payload: unknown
  prevHash: string | null
}

/**
 * JSON with object keys sorted at every depth, so the same content always hashes the same (jsonb reorders keys).
 * It follows JSON.stringify's rules (toJSON, e.g. a Date's; undefined properties dropped, undefined array items
 * null), so a value and its JSON round trip — what jsonb stores — give the same string.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return canonicalJson((value as { toJSON: () => unknown }).toJSON())
  if (Array.isArray(value)) {
    let out = '['
    for (let index = 0; index < value.length; index++) out += (index === 0 ? '' : ',') + canonicalJson(value[index])
    return `${out}]`
  }
  const object = value as Record<string, unknown>
  // Array.prototype.sort compares UTF-16 code units, the order the hash has always used.
  const keys = Object.keys(object).sort()
  let out = '{'
  for (const key of keys) {
    const item = object[key]
    if (item === undefined) continue
    out += `${out.length === 1 ? '' : ','}${JSON.stringify(key)}:${canonicalJson(item)}`
  }
  return `${out}}`
}

/**
 * SHA-256 over the event's content and the previous event's hash: altering, removing or reordering
 * any earlier event changes every later hash, so `verify` finds the first break.
 */
export function computeCaseEventHash(event: HashableCaseEvent): string {
  return createHash('sha256')
    .update(canonicalJson(sealedCaseEvent(event)))
    .digest('hex')
}

/** The object whose canonical JSON an event's hash is taken over (docs/audit.md: what an auditor recomputes). */
export function sealedCaseEvent(event: HashableCaseEvent): Record<string, unknown> {
  return {
    caseId: event.caseId,
    seq: event.seq,
    type: event.type,
    fromStatus: event.fromStatus,
    toStatus: event.toStatus,
    actorKeyId: event.actorKeyId,
    actorRole: event.actorRole,
    actorOrganizationId: event.actorOrganizationId,
    requestId: event.requestId,
    // Absent (not null) when there is none: canonicalJson drops undefined members, so older chains still verify.
    clientRequestId: event.clientRequestId ?? undefined,
    occurredAt: event.occurredAt.toISOString(),
    payload: event.payload,
    prevHash: event.prevHash,
  }
}

export interface ChainBreak {
  seq: number
  reason: 'hash_mismatch' | 'prev_hash_mismatch' | 'seq_gap'
  expected: string
  found: string
}

/** Recomputes a case's chain in order and reports the first event that does not fit. */
export function verifyCaseEventChain(events: ReadonlyArray<HashableCaseEvent & { hash: string }>): ChainBreak | null {
  let prevHash: string | null = null
  let expectedSeq = 1
  for (const event of events) {
    if (event.seq !== expectedSeq) return { seq: event.seq, reason: 'seq_gap', expected: String(expectedSeq), found: String(event.seq) }
    if (event.prevHash !== prevHash) return { seq: event.seq, reason: 'prev_hash_mismatch', expected: String(prevHash), found: String(event.prevHash) }
    const recomputed = computeCaseEventHash(event)
    if (recomputed !== event.hash) return { seq: event.seq, reason: 'hash_mismatch', expected: recomputed, found: event.hash }
    prevHash = event.hash
    expectedSeq++
  }
  return null
}
