import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { commonProblemResponses } from '../platform/http/http-schemas.ts'
import { MAX_FEED_BOX_DEGREES, MAX_FEED_FEATURES, worksFeedQuerySchema, worksFeedResponseSchema } from './works-feed.schema.ts'
import { worksFeed } from './works-feed.service.ts'

export const worksFeedRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/works',
    {
      config: { roles: ['dispatch', 'office', 'auditor'] },
      schema: {
        tags: ['works'],
        summary: 'The map feed: open works in a box over a period (GeoJSON)',
        description:
          'A GeoJSON FeatureCollection (`application/geo+json`, RFC 7946) of the open works whose geometry box meets `bbox` and whose period (approved, else planned; inclusive) shares a day with `from`–`to`. ' +
          `\`bbox\` is at most ${MAX_FEED_BOX_DEGREES}° a side (400 naming \`bbox\` otherwise); at most ${MAX_FEED_FEATURES} features, ordered by case number (\`truncated: true\` when more matched). ` +
          "A dispatch key sees its own organization's works in full and the others' only as occupied geometry with a period. " +
          "A key scoped to a jurisdiction (office, scoped auditor, dispatch through its organization) sees that jurisdiction's works only, as for case reads.",
        querystring: worksFeedQuerySchema,
        response: { 200: worksFeedResponseSchema, ...commonProblemResponses },
      },
    },
    async (request, reply) => {
      const collection = await worksFeed(app.db, request.principal, request.query)
      // GeoJSON text built by PostgreSQL (works-footprint.repository.ts): sent as it is, the schema documents it.
      return reply.type('application/geo+json').send(collection as never)
    },
  )
}
