import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { addDays, endOfShanghaiDay, shanghaiDateOf } from '../core/calendar/civil-date.ts'
import { findOrganizationByCode } from '../organizations/organization.repository.ts'
import { commonProblemResponses, problemSchema, uuidSchema } from '../platform/http/http-schemas.ts'
import { decodeCaseCursor, encodeCaseCursor } from '../platform/http/keyset-cursor.ts'
import { etagOf, presentCase } from './case.presenter.ts'
import { listCases, type CaseRecord } from './case.repository.ts'
import { caseListQuerySchema, caseResponseSchema, createCaseRequestSchema } from './case.schema.ts'
import { getCaseForPrincipal, submitCase } from './case.service.ts'
import { transitionCase } from './case-transition.service.ts'
import type { Role } from '../core/access/principal.ts'
import { transitionRequestSchema } from '../core/lifecycle/transition.schema.ts'
import { buildTimeline } from '../core/lifecycle/timeline.ts'
import type { PresentationContext } from './case.presenter.ts'

const READERS = ['dispatch', 'office', 'auditor'] as const

export const caseRoutes: FastifyPluginAsyncZod = async (app) => {
  const deps = { db: app.db, ruleSets: app.ruleSetService, clock: app.clock }
  const transitionDeps = { db: app.db, calendars: app.calendarService, clock: app.clock }
  const presentationFor = async (role: Role): Promise<PresentationContext> => ({ calendar: await app.calendarService.calendar(), now: app.clock.now(), role })

  app.post(
    '/cases',
    {
      config: { roles: ['dispatch', 'office'] },
      schema: {
        tags: ['cases'],
        summary: 'Submit an excavation case',
        description:
          'The route is decided at submission under the rule set in force that day. A commitment filing is `filed` at once with a receipt number; an emergency repair is `notified` with formalities due in 24 hours; every other case is `submitted`.',
        body: createCaseRequestSchema,
        response: { 201: caseResponseSchema, 409: problemSchema, 422: problemSchema, ...commonProblemResponses },
      },
    },
    async (request, reply) => {
      const presentation = await presentationFor(request.principal.role)
      const respond = (record: CaseRecord) => ({
        status: 201 as const,
        headers: { location: `/v1/cases/${record.id}`, etag: etagOf(record) },
        body: presentCase(record, presentation),
        schema: caseResponseSchema,
      })
      const record = await submitCase(
        deps,
        { principal: request.principal, requestId: request.id, beforeCommit: async (trx, created) => request.idempotency?.storeInTransaction(trx, respond(created)) },
        request.body,
      )
      request.log.info({ caseId: record.id, caseNumber: record.number, route: record.route }, 'case submitted')
      const response = respond(record)
      return reply.status(response.status).headers(response.headers).send(response.body)
    },
  )

  app.get(
    '/cases/:id',
    {
      config: { roles: READERS },
      schema: {
        tags: ['cases'],
        summary: 'Read a case',
        params: z.object({ id: uuidSchema }),
        response: { 200: caseResponseSchema, 404: problemSchema, ...commonProblemResponses },
      },
    },
    async (request, reply) => {
      const record = await getCaseForPrincipal(app.db, request.principal, request.params.id)
      return reply.header('etag', etagOf(record)).send(presentCase(record, await presentationFor(request.principal.role)))
    },
  )

  app.get(
    '/cases',
    {
      config: { roles: READERS },
      schema: {
        tags: ['cases'],
        summary: 'List cases, newest first (keyset pagination)',
        description: 'A dispatch key lists its own organization\'s cases only. Pass `nextCursor` as `cursor` for the next page.',
        querystring: caseListQuerySchema,
        response: { 200: z.object({ items: z.array(caseResponseSchema), nextCursor: z.string().nullable() }), ...commonProblemResponses },
      },
    },
    async (request) => {
      const { query, principal } = request
      let organizationId: string | undefined
      if (principal.role === 'dispatch') {
        // Asking for another organization's cases simply finds none: no existence leak.
        if (query.organization && query.organization !== principal.organizationCode) return { items: [], nextCursor: null }
        organizationId = principal.organizationId as string
      } else if (query.organization) {
        const organization = await findOrganizationByCode(app.db, query.organization)
        if (!organization) return { items: [], nextCursor: null }
        organizationId = organization.id
      }
      const now = app.clock.now()
      const dueBy =
        query.dueWithinWorkingDays === undefined
          ? undefined
          : { date: (await app.calendarService.calendar()).addWorkingDays(shanghaiDateOf(now), query.dueWithinWorkingDays).date, now }
      const records = await listCases(app.db, {
        overdue: query.overdue === undefined ? undefined : { value: query.overdue, now },
        dueBy,
        organizationId,
        status: query.status,
        route: query.route,
        district: query.district,
        submittedFrom: query.submittedFrom ? new Date(endOfShanghaiDay(addDays(query.submittedFrom, -1)).getTime() + 1) : undefined,
        submittedBefore: query.submittedTo ? new Date(endOfShanghaiDay(query.submittedTo).getTime() + 1) : undefined,
        after: query.cursor ? decodeCaseCursor(query.cursor) : undefined,
        limit: query.limit + 1,
      })
      const page = records.slice(0, query.limit)
      const last = page.at(-1)
      const context = await presentationFor(principal.role)
      return {
        items: page.map((record) => presentCase(record, context)),
        nextCursor: records.length > query.limit && last ? encodeCaseCursor({ submittedAt: last.submittedAt, id: last.id }) : null,
      }
    },
  )

  app.post(
    '/cases/:id/transitions',
    {
      config: { roles: ['dispatch', 'office'] },
      schema: {
        tags: ['cases'],
        summary: 'Move a case through its lifecycle',
        description:
          'The body is `{ "action", ...payload }`; send `If-Match` with the case\'s ETag. Missing If-Match: 428; stale: 412 with the current version; ' +
          'an action the state does not allow: 409 with the allowed actions; an action the role may not take: 403 (another organization\'s case: 404). ' +
          'The response is the updated case with its new ETag; the change and its hash-chained event are written in one transaction.',
        params: z.object({ id: uuidSchema }),
        headers: z.object({ 'if-match': z.string().optional().meta({ description: 'The ETag of the case, e.g. "3"' }) }),
        body: transitionRequestSchema,
        response: { 200: caseResponseSchema, 404: problemSchema, 409: problemSchema, 412: problemSchema, 422: problemSchema, 428: problemSchema, ...commonProblemResponses },
      },
    },
    async (request, reply) => {
      const presentation = await presentationFor(request.principal.role)
      const respond = (record: CaseRecord) => ({ status: 200 as const, headers: { etag: etagOf(record) }, body: presentCase(record, presentation), schema: caseResponseSchema })
      const record = await transitionCase(
        transitionDeps,
        { principal: request.principal, requestId: request.id, beforeCommit: async (trx, updated) => request.idempotency?.storeInTransaction(trx, respond(updated)) },
        request.params.id,
        request.headers['if-match'],
        request.body,
      )
      request.log.info({ caseId: record.id, action: request.body.action, status: record.status, version: record.version }, 'case transition')
      const response = respond(record)
      return reply.status(response.status).headers(response.headers).send(response.body)
    },
  )

  app.get(
    '/cases/:id/timeline',
    {
      config: { roles: READERS },
      schema: {
        tags: ['cases'],
        summary: "A case's timeline as an auditor needs it",
        description:
          'Each phase and "4+2+1+1" stage with start, end, working days taken (pauses excluded), its limit, whether it was on time, the paused intervals, and the rule-set version and calendar data that produced the deadlines.',
        params: z.object({ id: uuidSchema }),
        response: {
          200: z.object({
            caseId: z.string(),
            number: z.string(),
            ruleSet: z.object({ id: z.string(), version: z.number().int(), effectiveFrom: z.string() }),
            calendarYears: z.array(z.object({ year: z.number().int(), source: z.string(), fingerprint: z.string() })),
            timeline: z.record(z.string(), z.unknown()),
          }),
          404: problemSchema,
          ...commonProblemResponses,
        },
      },
    },
    async (request) => {
      const record = await getCaseForPrincipal(app.db, request.principal, request.params.id)
      const calendar = await app.calendarService.calendar()
      const timeline = buildTimeline(record.lifecycle, calendar, app.clock.now())
      const years = await app.calendarService.years()
      return {
        caseId: record.id,
        number: record.number,
        ruleSet: { id: record.ruleSetId, version: record.ruleSetVersion, effectiveFrom: record.ruleSetEffectiveFrom },
        calendarYears: years.map((y) => ({ year: y.year, source: y.source, fingerprint: y.fingerprint })),
        timeline: timeline as unknown as Record<string, unknown>,
      }
    },
  )
}
