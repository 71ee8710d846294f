import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { commonProblemResponses, problemSchema, uuidSchema } from '../platform/http/http-schemas.ts'
import { sendWriteResponse } from '../platform/idempotency/unit-of-work.ts'
import { coordinationRequestSchema, coordinationSchema } from './case-coordination.schema.ts'
import { decideCoordination, readCoordination } from './case-coordination.service.ts'
import type { CaseServiceDeps } from './case.service.ts'

export const caseCoordinationRoutes: FastifyPluginAsyncZod = async (app) => {
  const deps: CaseServiceDeps = { db: app.db, ruleSets: app.ruleSetService, calendars: app.calendarService, clock: app.clock, jurisdictions: app.jurisdictionService }

  app.get(
    '/cases/:id/clashes',
    {
      config: { roles: ['dispatch', 'office', 'auditor'] },
      schema: {
        tags: ['cases'],
        summary: "A case's clashes with other works",
        description:
          "Other open works whose geometry comes within the rule set's `clashBufferMeters` (default 10 m) of this case's and whose periods (approved, else planned) share a day, found at intake, approval and every approved change. " +
          "A dispatch key sees another organization's clashing case only as its number, road and period.",
        params: z.object({ id: uuidSchema }),
        response: { 200: coordinationSchema, 404: problemSchema, ...commonProblemResponses },
      },
    },
    async (request) => await readCoordination(deps, request.principal, request.params.id),
  )

  app.post(
    '/cases/:id/coordination',
    {
      config: { roles: ['office'] },
      schema: {
        tags: ['cases'],
        summary: 'Decide a clash: link the works or dismiss the clash',
        description:
          '`link_works` (`{ otherCaseId, kind: joint_trench | sequenced, note }`) records a coordination decision on both cases (event `case.works_linked`); ' +
          '`dismiss_clash` (`{ otherCaseId, reason }`) closes the clash (event `case.clash_dismissed`). A clash is decided once: a decided one answers 409. ' +
          'These are decisions about a pair of cases, not steps of either lifecycle, so they are not `transitions` and need no If-Match; an Idempotency-Key makes a retry safe.',
        params: z.object({ id: uuidSchema }),
        body: coordinationRequestSchema,
        response: { 200: coordinationSchema, 404: problemSchema, 409: problemSchema, ...commonProblemResponses },
      },
    },
    async (request, reply) => {
      const { response } = await decideCoordination(deps, { principal: request.principal, requestId: request.id }, request.params.id, request.body, request.idempotency)
      request.log.info({ caseId: request.params.id, action: request.body.action, otherCaseId: request.body.otherCaseId }, 'clash decided')
      return sendWriteResponse(reply, response)
    },
  )
}
