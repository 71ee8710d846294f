import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { transitionRequestSchema } from '../core/lifecycle/transition.schema.ts'
import { commonProblemResponses, problemSchema, uuidSchema } from '../platform/http/http-schemas.ts'
import { sendWriteResponse } from '../platform/idempotency/unit-of-work.ts'
import { etagOf, parseIfMatch, presentCase } from './case.presenter.ts'
import { caseListQuerySchema, caseResponseSchema, createCaseRequestSchema } from './case.schema.ts'
import { caseTimelineFor, listCasesFor, readCase, submitCase, type CaseServiceDeps } from './case.service.ts'
import { transitionCase } from './case-transition.service.ts'
import { CASE_READER_ROLES } from '../core/access/principal.ts'

const READERS = CASE_READER_ROLES

export const caseRoutes: FastifyPluginAsyncZod = async (app) => {
  const deps: CaseServiceDeps = { db: app.db, ruleSets: app.ruleSetService, calendars: app.calendarService, clock: app.clock, jurisdictions: app.jurisdictionService }

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
      const { view, response } = await submitCase(
        deps,
        { principal: request.principal, requestId: request.id, clientRequestId: request.clientRequestId },
        request.body,
        request.idempotency,
      )
      request.log.info({ caseId: view.record.id, caseNumber: view.record.number, route: view.record.route }, 'case submitted')
      return sendWriteResponse(reply, response)
    },
  )

  app.get(
    '/cases/:id',
    {
      config: { roles: READERS, localized: true },
      schema: {
        tags: ['cases'],
        summary: 'Read a case',
        params: z.object({ id: uuidSchema }),
        response: { 200: caseResponseSchema, 404: problemSchema, ...commonProblemResponses },
      },
    },
    async (request, reply) => {
      // The decision and deadline explanations in the caller's language (the stored record is not changed).
      const { record, context, coordination } = await readCase(deps, request.principal, request.params.id, request.locale)
      return reply.header('etag', etagOf(record)).send(presentCase(record, context, coordination))
    },
  )

  app.get(
    '/cases',
    {
      config: { roles: READERS },
      schema: {
        tags: ['cases'],
        summary: 'List cases, newest first (keyset pagination)',
        description: "A dispatch key lists its own organization's cases only. Pass `nextCursor` as `cursor` for the next page.",
        querystring: caseListQuerySchema,
        response: { 200: z.object({ items: z.array(caseResponseSchema), nextCursor: z.string().nullable() }), ...commonProblemResponses },
      },
    },
    async (request) => {
      const page = await listCasesFor(deps, request.principal, request.query)
      return { items: page.records.map((record) => presentCase(record, page.context)), nextCursor: page.nextCursor }
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
          'The body is `{ "action", ...payload }`; send `If-Match` with the case\'s ETag. Missing If-Match: 428; stale: 412 with the current version ' +
          '(If-Match compares strongly, RFC 9110 §13.1.1: a weak tag such as W/"3" never matches, also 412); ' +
          "an action the state does not allow: 409 with the allowed actions; an action the role may not take: 403 (another organization's case: 404). " +
          'The response is the updated case with its new ETag; the change and its hash-chained event are written in one transaction.',
        params: z.object({ id: uuidSchema }),
        headers: z.object({ 'if-match': z.string().optional().meta({ description: 'The ETag of the case, e.g. "3"' }) }),
        body: transitionRequestSchema,
        response: { 200: caseResponseSchema, 404: problemSchema, 409: problemSchema, 412: problemSchema, 422: problemSchema, 428: problemSchema, ...commonProblemResponses },
      },
    },
    async (request, reply) => {
      const expectedVersion = parseIfMatch(request.headers['if-match'])
      const context = { principal: request.principal, requestId: request.id, clientRequestId: request.clientRequestId }
      const { view, response } = await transitionCase(deps, context, request.params.id, expectedVersion, request.body, request.idempotency)
      request.log.info({ caseId: view.record.id, action: request.body.action, status: view.record.status, version: view.record.version }, 'case transition')
      return sendWriteResponse(reply, response)
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
      const { record, timeline, calendarYears: years } = await caseTimelineFor(deps, request.principal, request.params.id)
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
