import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ROLES } from '../core/access/principal.ts'
import { NotFoundError } from '../platform/errors/domain-errors.ts'
import { civilDateSchema, commonProblemResponses, problemSchema } from '../platform/http/http-schemas.ts'
import { endOfShanghaiDay, formatShanghaiInstant } from '../core/calendar/civil-date.ts'
import type { StoredCalendarYear } from './calendar.repository.ts'
import { recomputeProvisionalDeadlines } from '../cases/case-transition.service.ts'

const calendarYearSchema = z
  .object({
    year: z.number().int(),
    holidays: z.array(z.string()),
    makeupWorkdays: z.array(z.string()),
    source: z.string(),
    fingerprint: z.string(),
    loadedAt: z.string(),
  })
  .meta({ id: 'CalendarYear' })

const yearParams = z.object({ year: z.coerce.number().int().min(1990).max(2100) })

const present = (year: StoredCalendarYear) => ({
  year: year.year,
  holidays: year.holidays,
  makeupWorkdays: year.makeupWorkdays,
  source: year.source,
  fingerprint: year.fingerprint,
  loadedAt: formatShanghaiInstant(year.loadedAt),
})

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
    async () => ({ items: (await app.calendarService.years()).map(present) }),
  )

  app.get(
    '/calendar/years/:year',
    {
      config: { roles: ROLES },
      schema: {
        tags: ['calendar'],
        summary: "One year's schedule",
        params: yearParams,
        response: { 200: calendarYearSchema, 404: problemSchema, ...commonProblemResponses },
      },
    },
    async (request) => {
      const year = (await app.calendarService.years()).find((y) => y.year === request.params.year)
      if (!year) throw new NotFoundError(`No schedule is loaded for ${request.params.year}; deadlines in it are provisional (weekends only).`)
      return present(year)
    },
  )

  app.put(
    '/calendar/years/:year',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['calendar'],
        summary: "Load or replace a year's schedule (State Council notice)",
        description:
          'Holidays are the statutory days off; make-up workdays are the weekend days worked in exchange (调休). Every date must lie in the year; make-up workdays must fall on a weekend. Provisional deadlines of open cases are recomputed with the new schedule (each changed case gets a case.deadlines_recomputed event).',
        params: yearParams,
        body: z.object({
          holidays: z.array(civilDateSchema).max(366),
          makeupWorkdays: z.array(civilDateSchema).max(120),
          source: z.string().trim().min(1).max(500).optional().meta({ description: 'Where the dates come from, e.g. the notice reference' }),
        }),
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
      const stored = await app.calendarService.replaceYear(
        {
          year,
          holidays: request.body.holidays,
          makeupWorkdays: request.body.makeupWorkdays,
          source: request.body.source ?? `loaded by API key ${request.principal.keyId}`,
        },
        request.principal.keyId,
      )
      // Deadlines that ran into this year on weekends alone are recomputed with the real schedule.
      const recomputedCases = await recomputeProvisionalDeadlines(
        { db: app.db, calendars: app.calendarService, clock: app.clock },
        { principal: request.principal, requestId: request.id },
        `calendar ${year} loaded (${stored.source})`,
      )
      request.log.info({ year, recomputedCases }, 'calendar year loaded')
      return { ...present(stored), recomputedCases }
    },
  )

  app.get(
    '/calendar/due-date',
    {
      config: { roles: ROLES },
      schema: {
        tags: ['calendar'],
        summary: 'The date N working days after a date (the start date itself not counted)',
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
      }
    },
  )
}
