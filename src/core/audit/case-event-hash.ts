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
  occurredAt: Date
  payload: unknown
  prevHash: string | null
}

/** JSON with object keys sorted at every depth, so the same content always hashes the same (jsonb reorders keys). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
}

/**
 * SHA-256 over the event's content and the previous event's hash: altering, removing or reordering
 * any earlier event changes every later hash, so `verify` finds the first break.
 */
export function computeCaseEventHash(event: HashableCaseEvent): string {
  const sealed = canonicalJson({
    caseId: event.caseId,
    seq: event.seq,
    type: event.type,
    fromStatus: event.fromStatus,
    toStatus: event.toStatus,
    actorKeyId: event.actorKeyId,
    actorRole: event.actorRole,
    actorOrganizationId: event.actorOrganizationId,
    requestId: event.requestId,
    occurredAt: event.occurredAt.toISOString(),
    payload: event.payload,
    prevHash: event.prevHash,
  })
  return createHash('sha256').update(sealed).digest('hex')
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
