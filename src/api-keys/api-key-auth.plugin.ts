import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Principal, Role } from '../core/access/principal.ts'
import { isFresh, type Clock } from '../platform/clock.ts'
import { hashApiKey } from './api-key.ts'
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
  }
}

interface CacheEntry {
  principal: Principal | null
  /** When the key was looked up, in ms on the app's clock. */
  loadedAt: number
}

const MAX_CACHE_ENTRIES = 10_000

/**
 * Resolves `Authorization: Bearer <key>` to a principal and enforces the route's roles.
 * Lookups are cached briefly (API_KEY_CACHE_TTL_MS, measured on the app's clock): a revocation takes
 * effect at once on the instance that revoked the key and within the TTL on the others.
 */
async function authPlugin(app: FastifyInstance, options: { cacheTtlMs: number; clock: Clock }) {
  const cache = new Map<string, CacheEntry>()

  app.decorateRequest('principal', null as unknown as Principal)
  app.decorate('forgetApiKey', (keyId: string) => {
    for (const [hash, entry] of cache) if (entry.principal?.keyId === keyId) cache.delete(hash)
  })

  async function resolve(key: string): Promise<Principal | null> {
    const hash = hashApiKey(key)
    const now = options.clock.now().getTime()
    const cached = cache.get(hash)
    if (cached && isFresh(cached.loadedAt, now, options.cacheTtlMs)) return cached.principal
    const principal = await principalByKeyHash(app.db, hash)
    if (options.cacheTtlMs > 0) {
      if (cache.size >= MAX_CACHE_ENTRIES) cache.delete(cache.keys().next().value as string)
      cache.set(hash, { principal, loadedAt: now })
    }
    return principal
  }

  app.addHook('onRequest', async (request: FastifyRequest) => {
    const config = request.routeOptions.config
    // Unknown routes fall through to the 404 handler without asking for a key.
    if (config.public || request.is404) return
    const header = request.headers.authorization
    if (!header) throw new UnauthorizedError('Send an API key as "Authorization: Bearer <key>".')
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
    if (!match) throw new UnauthorizedError('The Authorization header must be "Bearer <key>".')
    const principal = await resolve(match[1] as string)
    if (!principal) throw new UnauthorizedError('The API key is unknown or revoked.')
    request.principal = principal
    const roles = config.roles
    if (!roles?.includes(principal.role)) {
      throw new ForbiddenError(`The ${principal.role} role may not call ${request.method} ${request.routeOptions.url}${roles ? ` (allowed: ${roles.join(', ')})` : ''}.`)
    }
  })
}

export default fp(authPlugin, { name: 'auth', dependencies: ['database', 'errors'] })
