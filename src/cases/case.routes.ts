import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { addDays, endOfShanghaiDay } from '../calendar/civil-date.ts'
import { findOrganizationByCode } from '../organizations/organization.repository.ts'
import { commonProblemResponses, problemSchema, uuidSchema } from '../shared/http-schemas.ts'
import { decodeCaseCursor, encodeCaseCursor } from './case.cursor.ts'
import { etagOf, presentCase } from './case.presenter.ts'
import { listCases } from './case.repository.ts'
import { caseListQuerySchema, caseResponseSchema, createCaseRequestSchema } from './case.schema.ts'
import { getCaseForPrincipal, submitCase } from './case.service.ts'

const READERS = ['dispatch', 'office', 'auditor'] as const

export const caseRoutes: FastifyPluginAsyncZod = async (app) => {
  const deps = { db: app.db, ruleSets: app.ruleSetService, clock: app.clock }

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
      const record = await submitCase(deps, { principal: request.principal, requestId: request.id }, request.body)
      request.log.info({ caseId: record.id, caseNumber: record.number, route: record.route }, 'case submitted')
      return reply.status(201).header('location', `/v1/cases/${record.id}`).header('etag', etagOf(record)).send(presentCase(record))
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
      return reply.header('etag', etagOf(record)).send(presentCase(record))
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
      const records = await listCases(app.db, {
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
      return {
        items: page.map(presentCase),
        nextCursor: records.length > query.limit && last ? encodeCaseCursor({ submittedAt: last.submittedAt, id: last.id }) : null,
      }
    },
  )
}
