import { sql } from 'kysely'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'

const healthSchema = z.object({ status: z.enum(['ok', 'unavailable']), checks: z.record(z.string(), z.string()).optional() })

/** Liveness does no I/O (the process answers); readiness proves the database answers. */
export const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/health/live', { config: { public: true }, schema: { tags: ['health'], security: [], summary: 'The process is up', response: { 200: healthSchema } } }, async () => ({
    status: 'ok' as const,
  }))

  app.get(
    '/health/ready',
    {
      config: { public: true },
      schema: { tags: ['health'], security: [], summary: 'The database is reachable', response: { 200: healthSchema, 503: healthSchema } },
    },
    async (request, reply) => {
      try {
        await sql`select 1`.execute(app.db)
        return { status: 'ok' as const, checks: { database: 'ok' } }
      } catch (error) {
        request.log.warn({ err: error }, 'readiness check failed')
        return reply
          .status(503)
          .header('retry-after', '2')
          .send({ status: 'unavailable' as const, checks: { database: 'unreachable' } })
      }
    },
  )
}
