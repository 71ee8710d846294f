/**
 * INTERIM (lead's skeleton): serves the built console (console/dist) at /console/ so browser tests can run.
 * The real plugin (CSP, caching, SPA fallback, 503 when not built) replaces this file.
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'

export const CONSOLE_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../console/dist')

export async function consoleRoutes(app: FastifyInstance) {
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/console')) route.config = { ...(route.config ?? {}), public: true }
  })
  await app.register(fastifyStatic, {
    root: path.join(CONSOLE_DIST, 'assets'),
    prefix: '/console/assets/',
    decorateReply: false,
    schemaHide: true,
    index: false,
    serve: true,
    prefixAvoidTrailingSlash: true,
  })
  const index = () => readFileSync(path.join(CONSOLE_DIST, 'index.html'), 'utf8')
  app.get('/console', { schema: { hide: true } }, async (_request, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(index()))
}
