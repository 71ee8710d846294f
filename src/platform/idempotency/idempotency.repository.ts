import { sql, type Kysely } from 'kysely'
import type { Database } from '../database/database.types.ts'
import { HOUR_MS } from '../../core/time.ts'

export interface StoredResponse {
  status: number
  headers: Record<string, string>
  body: string
}

export type ClaimOutcome =
  | { outcome: 'claimed' }
  | { outcome: 'replay'; response: StoredResponse }
  | { outcome: 'in_progress' }
  | { outcome: 'mismatch'; method: string; path: string }

export interface ClaimInput {
  apiKeyId: string
  key: string
  requestHash: string
  method: string
  path: string
  now: Date
  /** How long a claim holds before a retry may take it over (the first attempt died). */
  lockMs: number
  retentionHours: number
}

/**
 * Claims an Idempotency-Key for one API key. The claim is committed at once so a concurrent duplicate can
 * see it ("still running": 409); the response is stored later, by the transaction that does the work.
 */
export async function claimIdempotencyKey(db: Kysely<Database>, input: ClaimInput): Promise<ClaimOutcome> {
  const lockedUntil = new Date(input.now.getTime() + input.lockMs)
  const expiresAt = new Date(input.now.getTime() + input.retentionHours * HOUR_MS)
  for (let attempt = 0; attempt < 3; attempt++) {
    const inserted = await db
      .insertInto('idempotency_key')
      .values({
        api_key_id: input.apiKeyId,
        key: input.key,
        request_hash: input.requestHash,
        method: input.method,
        path: input.path,
        state: 'in_progress',
        locked_until: lockedUntil,
        expires_at: expiresAt,
      })
      .onConflict((oc) => oc.columns(['api_key_id', 'key']).doNothing())
      .returning('key')
      .executeTakeFirst()
    if (inserted) return { outcome: 'claimed' }

    const existing = await db.selectFrom('idempotency_key').selectAll().where('api_key_id', '=', input.apiKeyId).where('key', '=', input.key).executeTakeFirst()
    if (!existing) continue // released or purged in between: try again
    if (existing.expires_at <= input.now) {
      await db.deleteFrom('idempotency_key').where('api_key_id', '=', input.apiKeyId).where('key', '=', input.key).where('expires_at', '<=', input.now).execute()
      continue
    }
    if (existing.request_hash !== input.requestHash) return { outcome: 'mismatch', method: existing.method, path: existing.path }
    if (existing.state === 'completed') {
      return {
        outcome: 'replay',
        response: { status: existing.response_status as number, headers: existing.response_headers ?? {}, body: existing.response_body ?? '' },
      }
    }
    if (existing.locked_until && existing.locked_until > input.now) return { outcome: 'in_progress' }
    // The first attempt's claim lapsed without a response (its process died): take it over.
    const taken = await db
      .updateTable('idempotency_key')
      .set({ locked_until: lockedUntil })
      .where('api_key_id', '=', input.apiKeyId)
      .where('key', '=', input.key)
      .where('state', '=', 'in_progress')
      .where('locked_until', '<=', input.now)
      .returning('key')
      .executeTakeFirst()
    if (taken) return { outcome: 'claimed' }
  }
  return { outcome: 'in_progress' }
}

export async function storeIdempotentResponse(db: Kysely<Database>, apiKeyId: string, key: string, response: StoredResponse): Promise<void> {
  await db
    .updateTable('idempotency_key')
    .set({
      state: 'completed',
      locked_until: null,
      response_status: response.status,
      response_headers: JSON.stringify(response.headers),
      response_body: response.body,
    })
    .where('api_key_id', '=', apiKeyId)
    .where('key', '=', key)
    .execute()
}

/** A request that failed on our side (5xx) gives its key back so the client's retry can do the work. */
export async function releaseIdempotencyKey(db: Kysely<Database>, apiKeyId: string, key: string): Promise<void> {
  await db.deleteFrom('idempotency_key').where('api_key_id', '=', apiKeyId).where('key', '=', key).where('state', '=', 'in_progress').execute()
}

export async function purgeExpiredIdempotencyKeys(db: Kysely<Database>, now: Date): Promise<number> {
  const result = await sql`delete from idempotency_key where expires_at < ${now}`.execute(db)
  return Number(result.numAffectedRows ?? 0)
}
