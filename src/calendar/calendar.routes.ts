import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ROLES } from '../core/access/principal.ts'
import { civilDateSchema, commonProblemResponses, problemSchema } from '../platform/http/http-schemas.ts'
import { endOfShanghaiDay, formatShanghaiInstant } from '../core/calendar/civil-date.ts'
import { presentCalendarYear } from './calendar.presenter.ts'
import { calendarYearParamsSchema, calendarYearSchema, deadlineExplanationSchema } from './calendar.schema.ts'
import { explainDeadline } from '../core/calendar/deadline-explanation.ts'

export const calendarRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/calendar/years',
    {
      config: { roles: ROLES },
      schema: {
        tags: ['calendar'],
        summary: 'The loaded years, with their holidays, make-up workdays and source',
        response: { 200: z.object({ items: z.array(calendarYearSchema) }), ...commonProblemResponses },
      },
    },
    async () => ({ items: (await app.calendarService.years()).map(presentCalendarYear) }),
  )

  app.get(
    '/calendar/years/:year',
    {
      config: { roles: ROLES },
      schema: {
        tags: ['calendar'],
        summary: "One year's schedule",
        params: calendarYearParamsSchema,
        response: { 200: calendarYearSchema, 404: problemSchema, ...commonProblemResponses },
      },
    },
    async (request) => {
      return presentCalendarYear(await app.calendarService.year(request.params.year))
    },
  )

  app.get(
    '/calendar/due-date',
    {
      config: { roles: ROLES, localized: true },
      schema: {
        tags: ['calendar'],
        summary: 'The date N working days after a date (the start date itself not counted), explained day by day',
        querystring: z.object({
          from: civilDateSchema,
          workingDays: z.coerce.number().int().min(0).max(3650),
        }),
        response: {
          200: z.object({
            from: z.string(),
            workingDays: z.number().int(),
            dueDate: z.string(),
            dueAt: z.string(),
            provisional: z.boolean(),
            calendarFingerprint: z.string(),
            explanation: deadlineExplanationSchema,
          }),
          ...commonProblemResponses,
        },
      },
    },
    async (request) => {
      const calendar = await app.calendarService.calendar()
      const { from, workingDays } = request.query
      const result = calendar.addWorkingDays(from, workingDays)
      return {
        from,
        workingDays,
        dueDate: result.date,
        dueAt: formatShanghaiInstant(endOfShanghaiDay(result.date)),
        provisional: result.provisional,
        calendarFingerprint: calendar.fingerprint(),
        explanation: explainDeadline(calendar, from, workingDays, [], request.locale),
      }
    },
  )
}
