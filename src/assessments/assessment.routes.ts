import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { ROLES } from '../core/access/principal.ts'
import { commonProblemResponses } from '../platform/http/http-schemas.ts'
import { assessmentRequestSchema, assessmentResponseSchema } from './assessment.schema.ts'
import { assessWorks } from './assessment.service.ts'

export const assessmentRoutes: FastifyPluginAsyncZod = async (app) => {
  const deps = { ruleSets: app.ruleSetService, calendars: app.calendarService, clock: app.clock, jurisdictions: app.jurisdictionService }
  app.post(
    '/assessments',
    {
      config: { roles: ROLES, sideEffectFree: true },
      schema: {
        tags: ['assessments'],
        summary: 'What the rules decide for given works, without storing anything',
        description: 'Uses the rule-set version in force on the acceptance date and the loaded working-day calendar.',
        body: assessmentRequestSchema,
        response: { 200: assessmentResponseSchema, ...commonProblemResponses },
      },
    },
    async (request) => await assessWorks(deps, request.body),
  )
}
