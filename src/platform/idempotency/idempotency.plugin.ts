import { createHash } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Kysely } from 'kysely'
import { safeEncode, type $ZodType } from 'zod/v4/core'
import type { Database } from '../database/database.types.ts'
import { BadRequestError, DomainError } from '../errors/domain-errors.ts'
import { canonicalJson } from '../../core/audit/case-event-hash.ts'
import type { WriteResponse } from './unit-of-work.ts'
import { MINUTE_MS } from '../../core/time.ts'
import { claimIdempotencyKey, releaseIdempotencyKey, storeIdempotentResponse, type StoredResponse } from './idempotency.repository.ts'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Top-level response fields never stored for replay (secrets shown once). */
    idempotencyRedact?: readonly string[]
    /** A POST without side effects (an assessment): nothing is claimed or stored; every call is simply answered. */
    sideEffectFree?: boolean
  }
  interface FastifyRequest {
    idempotency: IdempotencyHandle | null
  }
}

export interface IdempotencyHandle {
  key: string
  /** Stores the response inside the transaction that does the work (see unit-of-work.ts). */
  storeInTransaction(trx: Kysely<Database>, response: WriteResponse<unknown>): Promise<void>
}

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/
const STORED_HEADERS = ['content-type', 'location', 'etag']
/**
 * Answers that depend on the state of the resource or on the request's preconditions, not on its body: 409 (the
 * state does not allow it now), 412 (If-Match is stale) and 428 (If-Match missing). They are not stored for replay —
 * the claim is given back — so a client that fixes its If-Match or waits for the state to change can retry under the
 * same Idempotency-Key and be answered afresh (If-Match is therefore not part of the fingerprint).
 */
const NOT_REPLAYED = new Set([409, 412, 428])

/** How often a claim that could not be given back (the database was unreachable) is tried again. */
const RELEASE_RETRY_MS = 200

class IdempotencyError extends DomainError {}

/**
 * Idempotency-Key for every POST (draft-ietf-httpapi-idempotency-key-header): per API key, the same key and
 * body replay the first response; the same key with another body is 422; a duplicate that arrives while the
 * first is still running gets 409 with Retry-After. Keys are kept IDEMPOTENCY_RETENTION_HOURS.
 */
async function idempotencyPlugin(app: FastifyInstance, options: { retentionHours: number; lockMs?: number }) {
  const lockMs = options.lockMs ?? MINUTE_MS
  const states = new WeakMap<FastifyRequest, { apiKeyId: string; key: string; stored: boolean }>()

  app.decorateRequest('idempotency', null)

  // A request whose database died mid-request (503) cannot give its claim back then and there: the DELETE fails
  // as well. Such claims are kept here and given back as soon as the database answers again — retried every
  // RELEASE_RETRY_MS and before this instance claims any key — instead of holding the client's retry off for
  // lockMs. After lockMs the claim has lapsed by itself (a retry takes it over) and is forgotten here.
  const unreleased = new Map<string, { apiKeyId: string; key: string; giveUpAt: number }>()
  let retryTimer: NodeJS.Timeout | null = null
  async function releaseUnreleased(): Promise<void> {
    for (const [id, claim] of unreleased) {
      if (Date.now() >= claim.giveUpAt) {
        unreleased.delete(id)
        continue
      }
      try {
        await releaseIdempotencyKey(app.db, claim.apiKeyId, claim.key)
        unreleased.delete(id)
      } catch {
        return // still unreachable: the next attempt comes
      }
    }
  }
  function scheduleRelease(): void {
    if (retryTimer || unreleased.size === 0) return
    retryTimer = setTimeout(() => {
      retryTimer = null
      void releaseUnreleased().finally(scheduleRelease)
    }, RELEASE_RETRY_MS)
    retryTimer.unref()
  }
  async function release(apiKeyId: string, key: string): Promise<void> {
    try {
      await releaseIdempotencyKey(app.db, apiKeyId, key)
    } catch (error) {
      unreleased.set(`${apiKeyId}\n${key}`, { apiKeyId, key, giveUpAt: Date.now() + lockMs })
      scheduleRelease()
      throw error
    }
  }
  app.addHook('onClose', async () => {
    if (retryTimer) clearTimeout(retryTimer)
    retryTimer = null
  })

  function redact(request: FastifyRequest, body: string, contentType: string): string {
    const fields = request.routeOptions.config.idempotencyRedact
    if (!fields || !contentType.includes('json')) return body
    try {
      const parsed = JSON.parse(body) as Record<string, unknown>
      for (const field of fields) if (field in parsed) parsed[field] = '[shown once; not stored]'
      return JSON.stringify(parsed)
    } catch {
      return body
    }
  }

  app.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    // An unknown route (404) has no principal (auth lets it through to the not-found answer): nothing to claim.
    if (request.method !== 'POST' || !request.principal || request.routeOptions.config.sideEffectFree) return
    const header = request.headers['idempotency-key']
    if (header === undefined) return
    const key = Array.isArray(header) ? header[0] : header
    if (!key || !KEY_PATTERN.test(key)) {
      throw new BadRequestError(
        'Idempotency-Key must be 1 to 255 visible ASCII characters (a UUID is ideal).',
        [{ path: 'header.idempotency-key', message: 'must be 1–255 visible ASCII characters' }],
        'invalid_idempotency_key',
      )
    }
    const apiKeyId = request.principal.keyId
    const path = request.url.split('?')[0] as string
    const requestHash = createHash('sha256')
      .update(`${request.method} ${request.url}\n${canonicalJson(request.body ?? null)}`)
      .digest('hex')
    if (unreleased.size > 0) await releaseUnreleased()
    const claim = await claimIdempotencyKey(app.db, {
      apiKeyId,
      key,
      requestHash,
      method: request.method,
      path,
      now: app.clock.now(),
      lockMs,
      retentionHours: options.retentionHours,
    })

    if (claim.outcome === 'replay') {
      const { status, headers, body } = claim.response
      return reply
        .status(status)
        .headers({ ...headers, 'idempotent-replayed': 'true' })
        .serializer((payload: unknown) => payload as string)
        .send(body)
    }
    if (claim.outcome === 'in_progress') {
      throw new IdempotencyError(
        409,
        'idempotency_key_in_progress',
        'Request in progress',
        `A request with Idempotency-Key ${key} is still being processed; retry after it finishes.`,
        {},
        { 'retry-after': '1' },
      ).withParams('key', { key })
    }
    if (claim.outcome === 'mismatch') {
      throw new IdempotencyError(
        422,
        'idempotency_key_reused',
        'Idempotency-Key reused',
        `Idempotency-Key ${key} was already used with a different request (${claim.method} ${claim.path}); use a new key for a new request.`,
      ).withParams('key', { key, method: claim.method, path: claim.path })
    }

    const state = { apiKeyId, key, stored: false }
    states.set(request, state)
    request.idempotency = {
      key,
      async storeInTransaction(trx, response) {
        const encoded = safeEncode(response.schema as $ZodType, response.body)
        const body = JSON.stringify(encoded.success ? encoded.data : response.body)
        const contentType = 'application/json; charset=utf-8'
        await storeIdempotentResponse(trx, apiKeyId, key, {
          status: response.status,
          headers: { ...response.headers, 'content-type': contentType },
          body: redact(request, body, contentType),
        })
        state.stored = true
      },
    }
  })

  // Responses not stored by a transaction (no database work, or a 4xx) are stored now; a 5xx gives the key
  // back, since nothing was done and the client should retry; so do 409/412/428 (NOT_REPLAYED).
  app.addHook('onSend', async (request, reply, payload) => {
    const state = states.get(request)
    if (!state || state.stored) return payload
    state.stored = true
    try {
      if (reply.statusCode >= 500 || NOT_REPLAYED.has(reply.statusCode)) {
        await release(state.apiKeyId, state.key)
        return payload
      }
      const headers: Record<string, string> = {}
      for (const name of STORED_HEADERS) {
        const value = reply.getHeader(name)
        if (value !== undefined) headers[name] = String(value)
      }
      const body = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : ''
      const stored: StoredResponse = { status: reply.statusCode, headers, body: redact(request, body, headers['content-type'] ?? '') }
      await storeIdempotentResponse(app.db, state.apiKeyId, state.key, stored)
    } catch (error) {
      request.log.warn({ err: error }, 'could not store the idempotent response')
    }
    return payload
  })
}

export default fp(idempotencyPlugin, { name: 'idempotency', dependencies: ['database', 'auth', 'services'] })
