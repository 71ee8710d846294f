import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { ROLES } from '../core/access/principal.ts'
import { commonProblemResponses, problemSchema } from '../platform/http/http-schemas.ts'
import { assessmentRequestSchema, assessmentResponseSchema } from './assessment.schema.ts'
import { assessWorks } from './assessment.service.ts'

export const assessmentRoutes: FastifyPluginAsyncZod = async (app) => {
  const deps = { db: app.db, ruleSets: app.ruleSetService, calendars: app.calendarService, clock: app.clock, jurisdictions: app.jurisdictionService }
  app.post(
    '/assessments',
    {
      config: { roles: ROLES, sideEffectFree: true, localized: true },
      schema: {
        tags: ['assessments'],
        summary: 'What the rules decide for given works, without storing anything',
        description:
          'Uses the rule-set version in force on the acceptance date and the loaded working-day calendar. With `geometry` the works are measured and matched to the road register as at intake (the larger of declared and measured length decides; a road protected on `plannedStartDate` forces special approval; a no-dig period overlapping the planned period is a 422 `road_restricted`).',
        body: assessmentRequestSchema,
        response: { 200: assessmentResponseSchema, 422: problemSchema, ...commonProblemResponses },
      },
    },
    async (request) => await assessWorks(deps, request.body, request.locale),
  )
}
