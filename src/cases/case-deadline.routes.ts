import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { presentCalendarYear } from '../calendar/calendar.presenter.ts'
import { calendarYearParamsSchema, calendarYearRequestSchema, calendarYearSchema } from '../calendar/calendar.schema.ts'
import { commonProblemResponses, problemSchema } from '../platform/http/http-schemas.ts'
import { loadCalendarYear } from './case-deadline.service.ts'
import type { CaseServiceDeps } from './case.service.ts'

/**
 * PUT /v1/calendar/years/{year} is registered by the cases area: loading a year rewrites the provisional
 * deadlines of open cases, and the calendar area must not depend on the cases (the house rule: no folder cycle).
 */
export const caseDeadlineRoutes: FastifyPluginAsyncZod = async (app) => {
  const deps: CaseServiceDeps = { db: app.db, ruleSets: app.ruleSetService, calendars: app.calendarService, clock: app.clock, jurisdictions: app.jurisdictionService }

  app.put(
    '/calendar/years/:year',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['calendar'],
        summary: "Load or replace a year's schedule (State Council notice)",
        description:
          'Holidays are the statutory days off; make-up workdays are the weekend days worked in exchange (调休). Every date must lie in the year; make-up workdays must fall on a weekend. Provisional deadlines of open cases are recomputed with the new schedule (each changed case gets a case.deadlines_recomputed event).',
        params: calendarYearParamsSchema,
        body: calendarYearRequestSchema,
        response: {
          200: calendarYearSchema.extend({
            recomputedCases: z.number().int().meta({ description: 'Cases whose provisional deadlines were recomputed with this schedule' }),
          }),
          422: problemSchema,
          ...commonProblemResponses,
        },
      },
    },
    async (request) => {
      const { year } = request.params
      // Deadlines that ran into this year on weekends alone are recomputed with the real schedule.
      const { stored, recomputedCases } = await loadCalendarYear(
        deps,
        { principal: request.principal, requestId: request.id, clientRequestId: request.clientRequestId },
        {
          year,
          holidays: request.body.holidays,
          makeupWorkdays: request.body.makeupWorkdays,
          source: request.body.source ?? `loaded by API key ${request.principal.keyId}`,
          ...(request.body.holidayNames ? { holidayNames: request.body.holidayNames } : {}),
          ...(request.body.makeupWorkdayNames ? { makeupWorkdayNames: request.body.makeupWorkdayNames } : {}),
        },
      )
      request.log.info({ year, recomputedCases }, 'calendar year loaded')
      return { ...presentCalendarYear(stored), recomputedCases }
    },
  )
}
