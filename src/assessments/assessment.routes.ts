import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { ROLES } from '../core/access/principal.ts'
import { parseInstant, shanghaiDateOf } from '../core/calendar/civil-date.ts'
import { commonProblemResponses } from '../platform/http/http-schemas.ts'
import { assess, presentAssessment } from '../core/rules/assessment.ts'
import { assessmentRequestSchema, assessmentResponseSchema } from './assessment.schema.ts'

export const assessmentRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/assessments',
    {
      config: { roles: ROLES },
      schema: {
        tags: ['assessments'],
        summary: 'What the rules decide for given works, without storing anything',
        description: 'Uses the rule-set version in force on the acceptance date and the loaded working-day calendar.',
        body: assessmentRequestSchema,
        response: { 200: assessmentResponseSchema, ...commonProblemResponses },
      },
    },
    async (request) => {
      const { acceptedAt: acceptedAtText, ...input } = request.body
      const acceptedAt = acceptedAtText ? (parseInstant(acceptedAtText) as Date) : app.clock.now()
      const [ruleSet, calendar] = await Promise.all([app.ruleSetService.inForce(shanghaiDateOf(acceptedAt)), app.calendarService.calendar()])
      return presentAssessment(assess(ruleSet, calendar, input, acceptedAt))
    },
  )
}
