import { z } from 'zod'
import { formatShanghaiInstant } from '../core/calendar/civil-date.ts'
import type { CaseEvent } from './case-event.repository.ts'

export const caseEventSchema = z
  .object({
    seq: z.number().int(),
    type: z.string(),
    fromStatus: z.string().nullable(),
    toStatus: z.string().nullable(),
    actor: z.object({ keyId: z.string().nullable(), role: z.string().nullable(), organizationId: z.string().nullable() }),
    requestId: z.string().nullable().meta({ description: "The server's id of the request that recorded the event (a UUID; sealed in the hash)" }),
    clientRequestId: z.string().nullable().meta({ description: "The caller's own request-id header, when it sent one (sealed in the hash when present)" }),
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
    clientRequestId: event.clientRequestId ?? null,
    occurredAt: formatShanghaiInstant(event.occurredAt),
    payload: event.payload as Record<string, unknown>,
    prevHash: event.prevHash,
    hash: event.hash,
  }
}
