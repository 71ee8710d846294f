import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { commonProblemResponses } from '../platform/http/http-schemas.ts'
import { caseEventSchema, presentCaseEvent } from '../cases/case-event.presenter.ts'
import { readChangeFeed } from './change-feed.service.ts'

export const changeFeedRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/events',
    {
      config: { roles: ['dispatch', 'office', 'auditor'] },
      schema: {
        tags: ['events'],
        summary: 'The change feed: every case event in a stable order, with no gaps and no repeats',
        description:
          "Poll with `after=<nextCursor>` to get what happened since. The order is fixed once an event is visible, even while many transactions commit concurrently. A dispatch key sees its own organization's events only. `nextCursor` is returned even for an empty page: keep it.",
        querystring: z.strictObject({
          after: z.string().max(200).optional().meta({ description: 'nextCursor of the previous page; omit to start from the beginning' }),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          types: z.string().max(2000).optional().meta({ description: 'Comma-separated event types, e.g. case.accepted,case.approved' }),
        }),
        response: {
          200: z.object({
            items: z.array(caseEventSchema.extend({ caseId: z.string(), organizationId: z.string().nullable(), cursor: z.string() })),
            nextCursor: z.string().meta({ description: 'Where to poll from next; also on an empty page' }),
          }),
          ...commonProblemResponses,
        },
      },
    },
    async (request) => {
      const page = await readChangeFeed(app.db, request.principal, request.query)
      return {
        items: page.items.map((event) => ({ ...presentCaseEvent(event), caseId: event.caseId, organizationId: event.organizationId, cursor: event.cursor })),
        nextCursor: page.nextCursor,
      }
    },
  )
}
