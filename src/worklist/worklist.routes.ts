import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { commonProblemResponses } from '../platform/http/http-schemas.ts'
import { worklistQuerySchema, worklistResponseSchema } from './worklist.schema.ts'
import { worklistFor, type WorklistDeps } from './worklist.service.ts'

export const worklistRoutes: FastifyPluginAsyncZod = async (app) => {
  const deps: WorklistDeps = { db: app.db, calendars: app.calendarService, clock: app.clock }

  app.get(
    '/worklist',
    {
      config: { roles: ['office', 'admin'] },
      schema: {
        tags: ['cases'],
        summary: "The office's worklist: open cases that wait on the office, soonest deadline first, with queue counts",
        description:
          'Queues: awaiting_acceptance (submitted), in_review (accepted, per current stage), supplement_pending (supplement requested, clock paused); ' +
          'due_soon (running clock with 0 to dueSoonDays working days remaining), yellow, red and overdue (the warning level as GET /v1/cases/{id} shows it now) are views across them. ' +
          'Ordered by dueAt (cases without a deadline last), then case number; keyset pagination (pass nextCursor as cursor). ' +
          '`counts` apply the same district, route and organization filters but not queue, stage or cursor. An office key sees its own jurisdiction only.',
        querystring: worklistQuerySchema,
        response: { 200: worklistResponseSchema, ...commonProblemResponses },
      },
    },
    async (request) => worklistFor(deps, request.principal, request.query),
  )
}
