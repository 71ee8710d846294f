import helmet from '@fastify/helmet'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { ShuttingDownError } from '../errors/domain-errors.ts'

/**
 * Security headers for every answer (@fastify/helmet), `Cache-Control: no-store` on every API answer, and the
 * 503 while the instance shuts down as problem+json (SECURITY.md "Limits and timeouts").
 *
 * The API answers JSON and CSV only, so its Content-Security-Policy forbids everything (`default-src 'none'`,
 * OWASP REST Security Cheat Sheet): a response rendered by a browser by mistake cannot run or load anything.
 * The Swagger UI at /docs is an HTML page with its own scripts, styles and images from the same origin, SVG icons
 * as data: URIs and inline style attributes; it fetches /docs/json. Its routes get exactly that policy.
 * The web console at /console (src/console) is a single-page app of its own origin's scripts and styles only (no
 * inline script or style, no CDN, no external font), images also as data: and blob: URIs (charts, QR codes), and it
 * calls the API on the same origin: its policy allows exactly that and nothing else.
 */
const API_CSP = { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] } }
const DOCS_CSP = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"],
    baseUri: ["'self'"],
    connectSrc: ["'self'"],
    fontSrc: ["'self'", 'data:'],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    imgSrc: ["'self'", 'data:'],
    objectSrc: ["'none'"],
    scriptSrc: ["'self'"],
    scriptSrcAttr: ["'none'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
  },
}

const CONSOLE_CSP = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:', 'blob:'],
    connectSrc: ["'self'"],
    fontSrc: ["'self'"],
    manifestSrc: ["'self'"],
    baseUri: ["'none'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    objectSrc: ["'none'"],
  },
}

const isConsoleUrl = (url: string) => url === '/console' || url.startsWith('/console/')

async function httpEdgesPlugin(app: FastifyInstance) {
  // Before helmet's own onRoute hook: the docs routes carry their policy in their config.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/docs')) route.config = { ...(route.config ?? {}), helmet: { contentSecurityPolicy: DOCS_CSP } } as typeof route.config
    if (isConsoleUrl(route.url)) {
      route.config = { ...(route.config ?? {}), helmet: { contentSecurityPolicy: CONSOLE_CSP, referrerPolicy: { policy: 'no-referrer' } } } as typeof route.config
    }
  })
  await app.register(helmet, { contentSecurityPolicy: API_CSP, frameguard: { action: 'deny' } })

  // fastify's own answer while closing is a bare JSON 503 (return503OnClosing, off in app.ts); this one is a problem
  // document with Retry-After, and closes the connection so the client reconnects to another instance.
  let closing = false
  app.addHook('preClose', async () => {
    closing = true
  })
  app.addHook('onRequest', async () => {
    if (closing) throw new ShuttingDownError()
  })

  // Every API answer is for one API key: case data (names, phone numbers, locations), secrets shown once (a new
  // API key, a webhook secret), or what the key's role may see. None may be kept by a browser or a shared cache
  // (RFC 9111 §5.2.2.5). The documentation is the same for everyone and keeps its own caching.
  app.addHook('onSend', async (request, reply, payload) => {
    if (!reply.hasHeader('cache-control') && !request.url.startsWith('/docs')) reply.header('cache-control', 'no-store')
    return payload
  })
}

export default fp(httpEdgesPlugin, { name: 'http-edges', dependencies: ['errors'] })
