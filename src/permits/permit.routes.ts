import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { problemSchema } from '../platform/http/http-schemas.ts'
import { permitParamsSchema, permitVerificationSchema } from './permit.schema.ts'
import { verifyPermit, type PermitDeps } from './permit.service.ts'

export const permitRoutes: FastifyPluginAsyncZod = async (app) => {
  const deps: PermitDeps = { db: app.db, clock: app.clock, audit: app.audit }

  app.get(
    '/permits/:caseNumber/verification',
    {
      // No API key: anyone holding the printed permit checks it (its QR code points here). Counted per client
      // address (RATE_LIMIT_PUBLIC_PER_MINUTE) before anything else, malformed numbers included.
      config: { public: true },
      onRequest: async (request) => app.rateLimits.countPublic(request),
      schema: {
        tags: ['audit'],
        summary: 'Verify a printed permit (public, no API key)',
        description:
          'The permit number, status, whether it is in force today, the approved position and period, and the case\'s hash-chain head with the latest signed checkpoint and its Merkle inclusion proof. Nothing personal. A case never approved is "not found" like one that does not exist. Rate-limited per client address.',
        security: [],
        params: permitParamsSchema,
        response: { 200: permitVerificationSchema, 400: problemSchema, 404: problemSchema, 429: problemSchema, 503: problemSchema },
      },
    },
    async (request) => verifyPermit(deps, request.params.caseNumber),
  )
}
