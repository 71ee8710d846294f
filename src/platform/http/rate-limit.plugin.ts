import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { TooManyRequestsError } from '../errors/domain-errors.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** The rate limits the auth plugin applies (SECURITY.md "Limits and timeouts"). */
    rateLimits: RateLimits
  }
}

export interface RateLimits {
  /** Counts one request of the authenticated API key (request.principal); 429 over RATE_LIMIT_PER_KEY per window. */
  countKeyRequest(request: FastifyRequest): Promise<void>
  /**
   * 429 when the client's address has used up its budget of unauthenticated attempts; counts nothing. Called
   * before a key is looked up in the database, so an exhausted address costs no lookup.
   */
  checkUnauthenticated(request: FastifyRequest): Promise<void>
  /** Counts one failed authentication (no key, malformed, unknown or revoked) of the client's address. */
  countUnauthenticated(request: FastifyRequest): Promise<void>
  /** Counts one request of a public, keyless route (permit verification) of the client's address; 429 over publicPerMinute. */
  countPublic(request: FastifyRequest): Promise<void>
}

export interface RateLimitOptions {
  windowMs: number
  /** 0: no limit per key. */
  perKey: number
  unauthenticatedPerAddress: number
  /** Requests per minute and client address to the public routes; 0: no limit. */
  publicPerMinute: number
}

const MINUTE_MS = 60_000

/**
 * Two limits with @fastify/rate-limit's in-memory store (per instance; several instances each allow this much):
 * - per API key, counted on every authenticated request, so one client cannot take the whole service;
 * - per client address, counted on failed authentications only, so guessing keys is slow and cheap for us, while
 *   a client with a valid (cached) key is never slowed by others behind the same address.
 * - per client address, counted on every request of a public route (no key: a permit's QR code is scanned by anyone),
 *   so the keyless routes cannot be used to walk the case numbers quickly.
 * The client address is the socket's, or X-Forwarded-For's when TRUST_PROXY says which proxies to believe.
 */
async function rateLimitPlugin(app: FastifyInstance, options: RateLimitOptions) {
  await app.register(rateLimit, { global: false, timeWindow: options.windowMs })

  const perKey =
    options.perKey > 0 ? app.createRateLimit({ max: options.perKey, timeWindow: options.windowMs, keyGenerator: (request) => `key:${request.principal?.keyId}` }) : null
  const perAddress = app.createRateLimit({
    max: options.unauthenticatedPerAddress,
    timeWindow: options.windowMs,
    // IPv4-mapped IPv6 addresses count as IPv4 and an IPv6 client as its /64 (the plugin's normalizeIP).
    keyGenerator: (request) => `address:${rateLimit.normalizeIP(request.ip)}`,
  })

  const publicPerAddress =
    options.publicPerMinute > 0
      ? app.createRateLimit({ max: options.publicPerMinute, timeWindow: MINUTE_MS, keyGenerator: (request) => `public:${rateLimit.normalizeIP(request.ip)}` })
      : null

  const refuse = (what: string, max: number, ttlInSeconds: number, windowMs = options.windowMs) =>
    new TooManyRequestsError(`Too many ${what} (at most ${max} per ${Math.round(windowMs / 1000)} s); retry after ${Math.max(1, ttlInSeconds)} s.`, ttlInSeconds, {
      limit: max,
      windowSeconds: Math.round(windowMs / 1000),
    }).withParams('window', { limit: max, windowSeconds: Math.round(windowMs / 1000), retryAfterSeconds: Math.max(1, Math.ceil(ttlInSeconds)) })

  app.decorate('rateLimits', {
    async countKeyRequest(request) {
      if (!perKey) return
      const status = await perKey(request)
      if (!status.isAllowed && status.isExceeded) throw refuse('requests with this API key', status.max, status.ttlInSeconds)
    },
    async checkUnauthenticated(request) {
      const status = await perAddress(request, { increment: false })
      if (!status.isAllowed && status.remaining === 0) throw refuse('requests without a valid API key from this address', status.max, status.ttlInSeconds)
    },
    async countUnauthenticated(request) {
      await perAddress(request)
    },
    async countPublic(request) {
      if (!publicPerAddress) return
      const status = await publicPerAddress(request)
      if (!status.isAllowed && status.isExceeded) throw refuse('public requests from this address', status.max, status.ttlInSeconds, MINUTE_MS)
    },
  } satisfies RateLimits)
}

export default fp(rateLimitPlugin, { name: 'rate-limits' })
