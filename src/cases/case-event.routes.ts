import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { commonProblemResponses, problemSchema, uuidSchema } from '../platform/http/http-schemas.ts'
import { caseEventSchema, presentCaseEvent } from './case-event.presenter.ts'
import { caseHistoryFor, verifyCaseHistory } from './case-event.service.ts'

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

  app.get(
    '/cases/:id/events/verify',
    {
      config: { roles: ['office', 'auditor'] },
      schema: {
        tags: ['cases'],
        summary: "Recompute a case's hash chain and report the first break",
        description:
          "Each event stores the SHA-256 of its content and of the previous event's hash. Any row changed, removed or reordered behind the service's back breaks the chain from that event on.",
        params,
        response: {
          200: z.object({
            caseId: z.string(),
            valid: z.boolean(),
            events: z.number().int(),
            lastHash: z.string().nullable(),
            firstBreak: z.object({ seq: z.number().int(), reason: z.enum(['hash_mismatch', 'prev_hash_mismatch', 'seq_gap']), expected: z.string(), found: z.string() }).nullable(),
          }),
          404: problemSchema,
          ...commonProblemResponses,
        },
      },
    },
    async (request) => {
      return await verifyCaseHistory(app.db, request.principal, request.params.id)
    },
  )
}
