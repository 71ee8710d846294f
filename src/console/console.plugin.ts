import { existsSync, statSync } from 'node:fs'
import path from 'node:path'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { DomainError } from '../platform/errors/domain-errors.ts'

/** 503 while console/dist has no index.html: the service runs, its console was not built. */
class ConsoleNotBuiltError extends DomainError {
  constructor() {
    super(503, 'console_not_built', 'Console not built', 'The web console has not been built on this server: run `npm run build:console` (it writes console/dist), then reload.')
  }
}

/** Vite's hashed file names never change content: a year, immutable (RFC 8246). */
const ASSET_CACHE = 'public, max-age=31536000, immutable'
/** index.html names the current hashed assets: revalidated on every load, so a new build is picked up at once. */
const INDEX_CACHE = 'no-cache'
/** Other files at the top of dist (favicon, manifest): not hashed, cached briefly. */
const FILE_CACHE = 'public, max-age=300'

export interface ConsolePluginOptions {
  /** The built console (default CONSOLE_DIST_DIR, console/dist); tests pass a folder of their own. */
  distDir: string
}

/**
 * The web console at /console/ (issue 12): the static files Vite built, with no second server. `/console/assets/*`
 * are hashed and cached for good, `index.html` is revalidated, and any other GET under /console/ that is no file
 * answers index.html (the console routes with the URL hash, but a deep link or a reload of a path still opens it).
 * No API key: the console signs in with one itself. Its Content-Security-Policy is set in http-edges.plugin.ts.
 * The routes are left out of the OpenAPI document (they are not API).
 */
async function consolePlugin(app: FastifyInstance, options: ConsolePluginOptions) {
  const root = path.resolve(options.distDir)
  // sendFile only (serve: false): the routes below decide what a path answers.
  await app.register(fastifyStatic, { root, serve: false, decorateReply: true, dotfiles: 'deny', index: false, etag: true, lastModified: true })

  const fileOf = (relative: string): string | null => {
    const full = path.resolve(root, relative)
    if (full !== root && !full.startsWith(root + path.sep)) return null
    try {
      return statSync(full).isFile() ? path.relative(root, full) : null
    } catch {
      return null
    }
  }

  function sendIndex(reply: FastifyReply) {
    if (!existsSync(path.join(root, 'index.html'))) throw new ConsoleNotBuiltError()
    return reply.header('cache-control', INDEX_CACHE).sendFile('index.html', { cacheControl: false })
  }

  const config = { public: true }
  const schema = { hide: true }

  app.get('/console', { config, schema }, async (request: FastifyRequest, reply) => {
    // ignoreTrailingSlash routes /console/ here too: only the bare /console is redirected.
    const [pathname, query] = request.url.split('?', 2) as [string, string | undefined]
    if (!pathname.endsWith('/')) return reply.redirect(`/console/${query === undefined ? '' : `?${query}`}`, 301)
    return sendIndex(reply)
  })

  app.get('/console/*', { config, schema }, async (request: FastifyRequest<{ Params: { '*': string } }>, reply) => {
    let wanted: string
    try {
      wanted = decodeURIComponent(request.params['*'] ?? '')
    } catch {
      wanted = ''
    }
    const file = wanted === '' || wanted.includes('\0') ? null : fileOf(wanted)
    if (file === null || file === 'index.html') return sendIndex(reply)
    const cache = file.startsWith(`assets${path.sep}`) ? ASSET_CACHE : FILE_CACHE
    return reply.header('cache-control', cache).sendFile(file, { cacheControl: false })
  })
}

export default fp(consolePlugin, { name: 'console', dependencies: ['errors', 'http-edges'] })
