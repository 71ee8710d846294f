import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { commonProblemResponses, problemSchema, uuidSchema } from '../platform/http/http-schemas.ts'
import { caseEventSchema, presentCaseEvent } from './case-event.presenter.ts'
import { caseHistoryFor } from './case-event.service.ts'

// GET /cases/{id}/events/verify lives in src/audit (audit.routes.ts): it checks the case against the signed checkpoints too.
const params = z.object({ id: uuidSchema })

export const caseEventRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/cases/:id/events',
    {
      config: { roles: ['dispatch', 'office', 'auditor'] },
      schema: {
        tags: ['cases'],
        summary: "A case's history, oldest first (append-only, hash-chained)",
        params,
        response: { 200: z.object({ items: z.array(caseEventSchema) }), 404: problemSchema, ...commonProblemResponses },
      },
    },
    async (request) => {
      return { items: (await caseHistoryFor(app.db, request.principal, request.params.id)).map(presentCaseEvent) }
    },
  )
}
