import { ROLE_ZH } from '../core/lifecycle/terms-zh.ts'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Principal, Role } from '../core/access/principal.ts'
import { isFresh, type Clock } from '../platform/clock.ts'
import { hashApiKey, isWellFormedApiKey } from './api-key.ts'
import { principalByKeyHash } from './api-key.service.ts'
import { ForbiddenError, UnauthorizedError } from '../platform/errors/domain-errors.ts'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Health and docs: no API key needed. */
    public?: boolean
    /** Roles allowed on the route; every non-public route must say. */
    roles?: readonly Role[]
  }
  interface FastifyRequest {
    principal: Principal
  }
  interface FastifyInstance {
    /** Forget cached lookups of a key (after revocation). */
    forgetApiKey(keyId: string): void
    /** The operations ("GET /v1/cases/{id}") a role may call, read from the routes' own `roles` (one source). */
    operationsAllowedTo(role: Role): string[]
  }
}

interface CacheEntry {
  principal: Principal | null
  /** When the key was looked up, in ms on the app's clock. */
  loadedAt: number
}

const MAX_CACHE_ENTRIES = 10_000
/**
 * Unknown keys are remembered apart from known ones, in a smaller map: a flood of random bearer tokens evicts
 * only other random tokens, never a valid key (and a repeated wrong key costs one lookup per TTL).
 */
const MAX_UNKNOWN_ENTRIES = 1_000

/**
 * Resolves `Authorization: Bearer <key>` to a principal and enforces the route's roles.
 * Lookups are cached briefly (API_KEY_CACHE_TTL_MS, measured on the app's clock): a revocation takes
 * effect at once on the instance that revoked the key and, by NOTIFY, within a second on the others.
 */
async function authPlugin(app: FastifyInstance, options: { cacheTtlMs: number; clock: Clock }) {
  const cache = new Map<string, CacheEntry>()
  const unknown = new Map<string, CacheEntry>()

  app.decorateRequest('principal', null as unknown as Principal)

  // Every route states its roles (config.roles); the console asks GET /v1/api-keys/me which operations its key may
  // call, so what it shows follows the very rule this hook enforces. Paths are written as in the OpenAPI document.
  const operations: { operation: string; roles: readonly Role[] }[] = []
  app.addHook('onRoute', (route) => {
    const roles = route.config?.roles
    if (!roles || route.config?.public) return
    const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')
    for (const method of [route.method].flat()) if (method !== 'HEAD') operations.push({ operation: `${method} ${path}`, roles })
  })
  app.decorate('operationsAllowedTo', (role: Role) => [...new Set(operations.filter((entry) => entry.roles.includes(role)).map((entry) => entry.operation))].sort())
  app.decorate('forgetApiKey', (keyId: string) => {
    for (const [hash, entry] of cache) if (entry.principal?.keyId === keyId) cache.delete(hash)
  })

  // A revocation anywhere (this or another instance's API, the CLI, SQL) is announced by the database
  // (NOTIFY api_key_revoked, migration 2026-12-01T0200) and forgotten here at once. Notifications sent while
  // the listener was disconnected are lost: on every (re)connection the whole cache is dropped, and while it is
  // disconnected the cache is not trusted (every request looks its key up), so a revoked key never outlives a gap.
  const revocations = app.database.listen('api_key_revoked', {
    onNotification: (keyId) => app.forgetApiKey(keyId),
    onListening: () => {
      cache.clear()
      unknown.clear()
    },
  })
  await revocations.ready
  app.addHook('onClose', async () => revocations.close())

  /** The cached answer for a key's hash, if fresh: a principal, null (known to be unknown), or undefined (ask the database). */
  function cached(hash: string, now: number): Principal | null | undefined {
    if (!revocations.listening()) return undefined
    const entry = cache.get(hash) ?? unknown.get(hash)
    return entry && isFresh(entry.loadedAt, now, options.cacheTtlMs) ? entry.principal : undefined
  }

  async function lookup(hash: string, now: number): Promise<Principal | null> {
    const principal = await principalByKeyHash(app.db, hash)
    if (options.cacheTtlMs > 0) {
      const map = principal ? cache : unknown
      if (map.size >= (principal ? MAX_CACHE_ENTRIES : MAX_UNKNOWN_ENTRIES)) map.delete(map.keys().next().value as string)
      map.set(hash, { principal, loadedAt: now })
    }
    return principal
  }

  /** A failed authentication: counted against the client's address (429 once its budget is spent), then 401. */
  async function refuse(request: FastifyRequest, detail: string): Promise<never> {
    await app.rateLimits.countUnauthenticated(request)
    throw new UnauthorizedError(detail)
  }

  app.addHook('onRequest', async (request: FastifyRequest) => {
    const config = request.routeOptions.config
    // Unknown routes fall through to the 404 handler without asking for a key.
    if (config.public || request.is404) return
    const header = request.headers.authorization
    const key = header ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined
    const hash = key !== undefined && isWellFormedApiKey(key) ? hashApiKey(key) : undefined
    const now = options.clock.now().getTime()
    let principal = hash === undefined ? null : cached(hash, now)
    if (principal === undefined || principal === null) {
      // Not known from the cache: an address that spent its budget of failures gets 429 before any database lookup.
      await app.rateLimits.checkUnauthenticated(request)
      if (!header) return await refuse(request, 'Send an API key as "Authorization: Bearer <key>".')
      if (key === undefined) return await refuse(request, 'The Authorization header must be "Bearer <key>".')
      // The format is checked before any lookup: a token that cannot be a key costs no database query.
      if (hash === undefined) return await refuse(request, 'The API key is unknown or revoked.')
      if (principal === undefined) principal = await lookup(hash, now)
      if (!principal) return await refuse(request, 'The API key is unknown or revoked.')
    }
    request.principal = principal
    await app.rateLimits.countKeyRequest(request)
    const roles = config.roles
    if (!roles?.includes(principal.role)) {
      throw new ForbiddenError(
        `The ${principal.role} role may not call ${request.method} ${request.routeOptions.url}${roles ? ` (allowed: ${roles.join(', ')})` : ''}.`,
      ).withParams('route', {
        role: principal.role,
        roleZh: ROLE_ZH[principal.role],
        method: request.method,
        url: request.routeOptions.url ?? '',
      })
    }
  })
}

export default fp(authPlugin, { name: 'auth', dependencies: ['database', 'errors', 'rate-limits'] })
