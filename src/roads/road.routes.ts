import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ROLES } from '../core/access/principal.ts'
import { formatShanghaiInstant } from '../core/calendar/civil-date.ts'
import { negotiate } from '../platform/http/content-negotiation.ts'
import { commonProblemResponses, problemSchema } from '../platform/http/http-schemas.ts'
import { sendWriteResponse } from '../platform/idempotency/unit-of-work.ts'
import { presentRoad, roadFeature } from './road.presenter.ts'
import { putRoadRequestSchema, roadHistoryEntrySchema, roadImportSchema, roadListQuerySchema, roadParamsSchema, roadResponseSchema } from './road.schema.ts'
import { importRoads, listRoadsFor, putRoad, readRoad, removeRoad, roadHistoryFor } from './road.service.ts'

const GEO_JSON = 'application/geo+json'
const EDITORS = ['admin', 'office'] as const
const HISTORY_READERS = ['admin', 'office', 'auditor'] as const

const roadImportResultSchema = z
  .object({
    imported: z.number().int(),
    created: z.number().int(),
    updated: z.number().int(),
    roads: z.array(z.object({ code: z.string(), created: z.boolean(), version: z.number().int() })),
  })
  .meta({ id: 'RoadImportResult' })

const roadFeatureCollectionSchema = z
  .object({
    type: z.literal('FeatureCollection'),
    features: z.array(
      z.object({ type: z.literal('Feature'), id: z.string(), geometry: roadResponseSchema.shape.geometry, properties: roadResponseSchema.omit({ geometry: true }) }),
    ),
    nextCursor: z.string().nullable(),
  })
  .meta({ id: 'RoadFeatureCollection' })

export const roadRoutes: FastifyPluginAsyncZod = async (app) => {
  const deps = { db: app.db, ruleSets: app.ruleSetService, clock: app.clock }

  app.put(
    '/roads/:code',
    {
      config: { roles: EDITORS },
      schema: {
        tags: ['roads'],
        summary: 'Create or replace a road in the register',
        description:
          'The geometry is checked like works geometry (simple, inside the jurisdiction) but without a side-length limit. ' +
          'Protection periods (城市道路管理条例 art. 33) follow from builtOn / reconstructedOn / overhauledOn and the rule set; restrictions are no-dig periods, dates inclusive. ' +
          'Every change is kept in the road history (GET /v1/roads/{code}/history).',
        params: roadParamsSchema,
        body: putRoadRequestSchema,
        response: { 200: roadResponseSchema, 201: roadResponseSchema, 422: problemSchema, ...commonProblemResponses },
      },
    },
    async (request, reply) => {
      const { response } = await putRoad(deps, { principal: request.principal, requestId: request.id, source: 'api' }, request.params.code, request.body, request.idempotency)
      request.log.info({ road: request.params.code, status: response.status }, 'road written')
      return sendWriteResponse(reply, response)
    },
  )

  app.post(
    '/roads/import',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['roads'],
        summary: 'Import roads from a GeoJSON FeatureCollection, all or nothing',
        description:
          "Each feature's properties are a road's fields with its `code`. Every feature is checked first; one fault anywhere imports nothing and the 422 lists each fault with its path (`features.3.geometry.coordinates.1`). " +
          'Roads not in the collection are kept. The same import runs from the command line: `npm run cli -- roads import <file>`.',
        body: roadImportSchema,
        response: { 200: roadImportResultSchema, 422: problemSchema, ...commonProblemResponses },
      },
    },
    async (request) => {
      const result = await importRoads(deps, { principal: request.principal, requestId: request.id, source: 'import' }, request.body)
      request.log.info({ imported: result.imported, created: result.created, updated: result.updated }, 'roads imported')
      return result
    },
  )

  app.get(
    '/roads',
    {
      config: { roles: ROLES },
      schema: {
        tags: ['roads'],
        summary: 'The road register, in code order (keyset pagination); GeoJSON with Accept: application/geo+json',
        description:
          'Filters: district, class, bbox (roads whose bounding box meets it). With `Accept: application/geo+json` the page is a GeoJSON FeatureCollection ' +
          '(RFC 7946; each feature has the road code as id and the road fields as properties) with `nextCursor` as a foreign member.',
        querystring: roadListQuerySchema,
        response: {
          200: {
            description: 'A page of roads (JSON), or the same page as a GeoJSON FeatureCollection with Accept: application/geo+json',
            content: {
              'application/json': { schema: z.object({ items: z.array(roadResponseSchema), nextCursor: z.string().nullable() }) },
              [GEO_JSON]: { schema: roadFeatureCollectionSchema },
            },
          },
          ...commonProblemResponses,
        },
      },
    },
    async (request, reply) => {
      const { roads, nextCursor, geography } = await listRoadsFor(deps, request.query)
      if (negotiate(request.headers.accept, ['application/json', GEO_JSON]) === GEO_JSON) {
        return reply.type(GEO_JSON).send({ type: 'FeatureCollection' as const, features: roads.map((road) => roadFeature(road, geography)), nextCursor })
      }
      return { items: roads.map((road) => presentRoad(road, geography)), nextCursor }
    },
  )

  app.get(
    '/roads/:code',
    {
      config: { roles: ROLES },
      schema: {
        tags: ['roads'],
        summary: 'One road, with its protection periods under the rule set in force today',
        params: roadParamsSchema,
        response: { 200: roadResponseSchema, 404: problemSchema, ...commonProblemResponses },
      },
    },
    async (request) => {
      const { road, geography } = await readRoad(deps, request.params.code)
      return presentRoad(road, geography)
    },
  )

  app.get(
    '/roads/:code/history',
    {
      config: { roles: HISTORY_READERS },
      schema: {
        tags: ['roads'],
        summary: "A road's change history, oldest first: who, when, the road before and after (also after deletion)",
        params: roadParamsSchema,
        response: { 200: z.object({ items: z.array(roadHistoryEntrySchema) }), 404: problemSchema, ...commonProblemResponses },
      },
    },
    async (request) => ({
      items: (await roadHistoryFor(deps, request.params.code)).map((entry) => ({
        id: String(entry.id),
        version: entry.version,
        change: entry.change,
        source: entry.source,
        at: formatShanghaiInstant(entry.at),
        actor: { keyId: entry.actorKeyId, role: entry.actorRole },
        requestId: entry.requestId,
        before: entry.before,
        after: entry.after,
      })),
    }),
  )

  app.delete(
    '/roads/:code',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['roads'],
        summary: 'Remove a road from the register (its history is kept)',
        params: roadParamsSchema,
        response: { 204: z.null().meta({ description: 'Deleted' }), 404: problemSchema, ...commonProblemResponses },
      },
    },
    async (request, reply) => {
      await removeRoad(deps, { principal: request.principal, requestId: request.id, source: 'api' }, request.params.code)
      request.log.info({ road: request.params.code }, 'road deleted')
      return reply.status(204).send(null)
    },
  )
}
