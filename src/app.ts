import { randomUUID } from 'node:crypto'
import Fastify, { LogController } from 'fastify'
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod'
import type { AppConfig } from './platform/config/config.ts'
import type { DatabaseHandle } from './platform/database/database.ts'
import { systemClock, type Clock } from './platform/clock.ts'
import localePlugin from './platform/i18n/locale.plugin.ts'
import errorsPlugin, { clientErrorHandler, frameworkErrorHandler } from './platform/errors/errors.plugin.ts'
import databasePlugin from './platform/database/database.plugin.ts'
import authPlugin from './api-keys/api-key-auth.plugin.ts'
import docsPlugin from './platform/http/docs.plugin.ts'
import idempotencyPlugin from './platform/idempotency/idempotency.plugin.ts'
import schedulerPlugin from './supervision/scheduler.plugin.ts'
import servicesPlugin from './services.plugin.ts'
import webhooksPlugin from './webhooks/webhook-workers.plugin.ts'
import httpEdgesPlugin from './platform/http/http-edges.plugin.ts'
import rateLimitPlugin from './platform/http/rate-limit.plugin.ts'
import { healthRoutes } from './health/health.routes.ts'
import { apiKeyRoutes } from './api-keys/api-key.routes.ts'
import { jurisdictionRoutes } from './jurisdictions/jurisdiction.routes.ts'
import { ruleSetRoutes } from './rule-sets/rule-set.routes.ts'
import { calendarRoutes } from './calendar/calendar.routes.ts'
import { assessmentRoutes } from './assessments/assessment.routes.ts'
import { caseRoutes } from './cases/case.routes.ts'
import { caseEventRoutes } from './cases/case-event.routes.ts'
import { caseDeadlineRoutes } from './cases/case-deadline.routes.ts'
import { caseCoordinationRoutes } from './cases/case-coordination.routes.ts'
import { worksFeedRoutes } from './works/works-feed.routes.ts'
import { changeFeedRoutes } from './events/change-feed.routes.ts'
import { reportRoutes } from './reports/report.routes.ts'
import { webhookRoutes } from './webhooks/webhook.routes.ts'
import auditPlugin from './audit/audit.plugin.ts'
import { auditRoutes } from './audit/audit.routes.ts'
import { roadRoutes } from './roads/road.routes.ts'
import { worklistRoutes } from './worklist/worklist.routes.ts'
import { permitRoutes } from './permits/permit.routes.ts'
import consolePlugin from './console/console.plugin.ts'
import { CONSOLE_DIST_DIR } from './console/console-paths.ts'

export interface BuildAppOptions {
  config: AppConfig
  database: DatabaseHandle
  clock?: Clock
  /** The app owns the pool and closes it on shutdown (the server); tests share one and close it themselves. */
  closeDatabaseOnShutdown?: boolean
  /** Where JSON log lines go (default stdout); tests capture them. */
  logStream?: { write(line: string): void }
  /** The built web console served at /console/ (default console/dist under the project root); tests pass their own. */
  consoleDistDir?: string
}

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller's own `request-id` header when it is sane (logged and recorded beside the server's id), else null. */
    clientRequestId: string | null
  }
}

function clientRequestIdOf(headers: Record<string, string | string[] | undefined>): string | null {
  const incoming = headers['request-id']
  return typeof incoming === 'string' && REQUEST_ID_PATTERN.test(incoming) ? incoming : null
}

/** Builds the whole service as one fastify instance; server.ts boots it and tests inject into it. */
export async function buildApp(options: BuildAppOptions) {
  const { config } = options
  const app = Fastify({
    logger: {
      level: config.LOG_LEVEL,
      // Never log secrets: API keys travel in Authorization.
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', '*.key', 'key'], censor: '[redacted]' },
      ...(options.logStream ? { stream: options.logStream } : {}),
    },
    bodyLimit: config.BODY_LIMIT_BYTES,
    // The request id is always the server's own: it is sealed into the audit chain, so a caller must not choose it
    // (nor reuse another request's). A caller's sane request-id is kept beside it as clientRequestId, in every log
    // line of the request and on the events it records, so one ID still follows a call across systems.
    requestIdHeader: false,
    genReqId: () => randomUUID(),
    childLoggerFactory: (logger, bindings, loggerOptions, rawRequest) => {
      const clientRequestId = clientRequestIdOf(rawRequest.headers)
      return logger.child(clientRequestId === null ? bindings : { ...bindings, clientRequestId }, loggerOptions)
    },
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    // Answered as problem+json by platform/http/http-edges.plugin.ts instead.
    return503OnClosing: false,
    // Timeouts (SECURITY.md "Limits and timeouts"): the whole request must arrive within HTTP_REQUEST_TIMEOUT_MS and
    // its headers within HTTP_HEADERS_TIMEOUT_MS (node answers 408 and closes), an idle keep-alive connection
    // is closed after HTTP_KEEP_ALIVE_TIMEOUT_MS and a silent socket after HTTP_CONNECTION_TIMEOUT_MS. Node checks
    // the first two every connectionsCheckingInterval (30 s by default): checked every second, or more often for
    // short limits, a trickled body is cut at most a second after its limit.
    requestTimeout: config.HTTP_REQUEST_TIMEOUT_MS,
    connectionTimeout: config.HTTP_CONNECTION_TIMEOUT_MS,
    keepAliveTimeout: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    http: {
      headersTimeout: config.HTTP_HEADERS_TIMEOUT_MS,
      connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(config.HTTP_HEADERS_TIMEOUT_MS / 4))),
    },
    trustProxy: config.TRUST_PROXY,
    // Malformed URLs are refused before routing: answer them as problem+json too.
    frameworkErrors: frameworkErrorHandler,
    // Timeouts and unparseable HTTP, before there is a request: problem+json as well.
    clientErrorHandler,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<ZodTypeProvider>()

  // The API speaks JSON only: a text/plain body is refused with 415 instead of failing validation.
  app.removeContentTypeParser('text/plain')
  app.setValidatorCompiler(validatorCompiler)
  // Responses are built by presenters typed against the same zod schemas. The test suite serializes through
  // zod, so a response that drifts from its schema fails a test; in production re-validating every response
  // cost ~13% of CPU on the hot routes (bench/README.md), so it is plain JSON.stringify there.
  if (config.NODE_ENV === 'test') app.setSerializerCompiler(serializerCompiler)
  else app.setSerializerCompiler(() => (data) => JSON.stringify(data))

  app.decorateRequest('clientRequestId', null)
  app.addHook('onRequest', async (request, reply) => {
    reply.header('request-id', request.id)
    request.clientRequestId = clientRequestIdOf(request.headers)
  })

  await app.register(localePlugin)
  await app.register(errorsPlugin)
  await app.register(httpEdgesPlugin)
  await app.register(rateLimitPlugin, {
    windowMs: config.RATE_LIMIT_WINDOW_MS,
    perKey: config.RATE_LIMIT_PER_KEY,
    unauthenticatedPerAddress: config.RATE_LIMIT_UNAUTHENTICATED_PER_ADDRESS,
    publicPerMinute: config.RATE_LIMIT_PUBLIC_PER_MINUTE,
  })
  await app.register(databasePlugin, { database: options.database, closeOnShutdown: options.closeDatabaseOnShutdown ?? false })
  const clock = options.clock ?? systemClock
  await app.register(servicesPlugin, { clock })
  await app.register(authPlugin, { cacheTtlMs: config.API_KEY_CACHE_TTL_MS, clock })
  await app.register(idempotencyPlugin, { retentionHours: config.IDEMPOTENCY_RETENTION_HOURS })
  await app.register(docsPlugin)
  await app.register(consolePlugin, { distDir: options.consoleDistDir ?? CONSOLE_DIST_DIR })
  await app.register(webhooksPlugin, { config })
  await app.register(auditPlugin, { config })
  // [background workers: register plugins here]
  await app.register(schedulerPlugin, { enabled: config.SCHEDULER_ENABLED, intervalMs: config.SCHEDULER_INTERVAL_MS })

  await app.register(healthRoutes)
  await app.register(
    async (v1) => {
      await v1.register(apiKeyRoutes)
      await v1.register(ruleSetRoutes)
      await v1.register(calendarRoutes)
      await v1.register(caseDeadlineRoutes)
      await v1.register(assessmentRoutes)
      await v1.register(caseRoutes)
      await v1.register(caseEventRoutes)
      await v1.register(caseCoordinationRoutes)
      await v1.register(worksFeedRoutes)
      await v1.register(changeFeedRoutes)
      await v1.register(webhookRoutes)
      await v1.register(reportRoutes)
      await v1.register(auditRoutes)
      await v1.register(jurisdictionRoutes)
      await v1.register(roadRoutes)
      await v1.register(worklistRoutes)
      await v1.register(permitRoutes)
      // [v1 routes: register here]
    },
    { prefix: '/v1' },
  )
  return app
}
