import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { formatShanghaiInstant } from '../core/calendar/civil-date.ts'
import { getCaseForPrincipal } from './case.service.ts'
import { commonProblemResponses, problemSchema, uuidSchema } from '../platform/http/http-schemas.ts'
import { verifyCaseEventChain } from '../core/audit/case-event-hash.ts'
import { listCaseEvents, type CaseEvent } from './case-event.repository.ts'

export const caseEventSchema = z
  .object({
    seq: z.number().int(),
    type: z.string(),
    fromStatus: z.string().nullable(),
    toStatus: z.string().nullable(),
    actor: z.object({ keyId: z.string().nullable(), role: z.string().nullable(), organizationId: z.string().nullable() }),
    requestId: z.string().nullable(),
    occurredAt: z.string(),
    payload: z.record(z.string(), z.unknown()),
    prevHash: z.string().nullable(),
    hash: z.string(),
  })
  .meta({ id: 'CaseEvent' })

export function presentCaseEvent(event: CaseEvent) {
  return {
    seq: event.seq,
    type: event.type,
    fromStatus: event.fromStatus,
    toStatus: event.toStatus,
    actor: { keyId: event.actorKeyId, role: event.actorRole, organizationId: event.actorOrganizationId },
    requestId: event.requestId,
    occurredAt: formatShanghaiInstant(event.occurredAt),
    payload: event.payload as Record<string, unknown>,
    prevHash: event.prevHash,
    hash: event.hash,
  }
}

const params = z.object({ id: uuidSchema })

export const caseEventRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/cases/:id/events',
    {
      config: { roles: ['dispatch', 'office', 'auditor'] },
      schema: {
        tags: ['cases'],
        summary: "A case's history, oldest first (append-only, hash-chained)",
        params,
        response: { 200: z.object({ items: z.array(caseEventSchema) }), 404: problemSchema, ...commonProblemResponses },
      },
    },
    async (request) => {
      const found = await getCaseForPrincipal(app.db, request.principal, request.params.id)
      return { items: (await listCaseEvents(app.db, found.id)).map(presentCaseEvent) }
    },
  )

  app.get(
    '/cases/:id/events/verify',
    {
      config: { roles: ['office', 'auditor'] },
      schema: {
        tags: ['cases'],
        summary: "Recompute a case's hash chain and report the first break",
        description:
          'Each event stores the SHA-256 of its content and of the previous event\'s hash. Any row changed, removed or reordered behind the service\'s back breaks the chain from that event on.',
        params,
        response: {
          200: z.object({
            caseId: z.string(),
            valid: z.boolean(),
            events: z.number().int(),
            lastHash: z.string().nullable(),
            firstBreak: z
              .object({ seq: z.number().int(), reason: z.enum(['hash_mismatch', 'prev_hash_mismatch', 'seq_gap']), expected: z.string(), found: z.string() })
              .nullable(),
          }),
          404: problemSchema,
          ...commonProblemResponses,
        },
      },
    },
    async (request) => {
      const found = await getCaseForPrincipal(app.db, request.principal, request.params.id)
      const events = await listCaseEvents(app.db, found.id)
      const firstBreak = verifyCaseEventChain(events)
      return { caseId: found.id, valid: firstBreak === null, events: events.length, lastHash: events.at(-1)?.hash ?? null, firstBreak }
    },
  )
}
