import { z } from 'zod'
import { DELIVERY_ERROR_CLASSES } from './webhook-http-client.ts'

/** An event type of the change feed (case.accepted, case.overdue, …) or "*" for all of them; the service checks it is a published one. */
const eventTypeSchema = z
  .string()
  .regex(/^(\*|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+)$/, 'must be an event type such as case.accepted, or *')
  .max(100)

export const createWebhookRequestSchema = z.strictObject({
  url: z.string().trim().min(1, 'must not be empty').max(2048, 'must be at most 2048 characters').meta({
    description: 'http(s) URL that receives POSTs; no user name or password; not link-local or a cloud metadata address',
    example: 'https://dispatch.example.com/hooks/green-channel',
  }),
  eventTypes: z
    .array(eventTypeSchema)
    .min(1, 'name at least one event type, or *')
    .max(50)
    .refine((types) => new Set(types).size === types.length, 'must not repeat an event type')
    .meta({ description: 'Event types to receive, e.g. ["case.accepted", "case.overdue"], or ["*"] for every event', example: ['case.accepted', 'case.approved'] }),
  description: z.string().trim().min(1, 'must not be empty').max(500, 'must be at most 500 characters').optional(),
  organization: z
    .string()
    .min(2)
    .max(32)
    .optional()
    .meta({ description: 'Organization code whose case events the endpoint receives: required for office and admin keys; a dispatch key always registers for its own' }),
})

export type CreateWebhookRequest = z.infer<typeof createWebhookRequestSchema>

export const webhookEndpointSchema = z
  .object({
    id: z.string(),
    organization: z.string(),
    url: z.string(),
    eventTypes: z.array(z.string()),
    description: z.string().nullable(),
    status: z.enum(['active', 'disabled']),
    disabledAt: z.string().nullable(),
    disabledReason: z.string().nullable().meta({ description: 'Why the service disabled the endpoint: since when it fails, how often, the last status code or error class' }),
    consecutiveFailures: z.number().int(),
    failingSince: z.string().nullable().meta({ description: 'First failure since the last success; null while healthy' }),
    lastSuccessAt: z.string().nullable(),
    lastFailureAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'WebhookEndpoint' })

export const createdWebhookEndpointSchema = webhookEndpointSchema
  .extend({
    secret: z.string().meta({
      description:
        'Signing secret (whsec_ + base64 of 32 bytes), shown only in this response. Verify each delivery as the Standard Webhooks specification says: base64 HMAC-SHA256, keyed with the base64-decoded part after whsec_, over "{webhook-id}.{webhook-timestamp}.{raw body}", compared with the v1 entries of webhook-signature.',
    }),
  })
  .meta({ id: 'CreatedWebhookEndpoint' })

export const webhookListQuerySchema = z.strictObject({
  organization: z.string().max(32).optional().meta({ description: "Office and admin keys: only this organization's endpoints (a dispatch key always sees its own)" }),
})

const deliveryStatuses = ['pending', 'sending', 'delivered', 'failed'] as const

export const webhookDeliverySchema = z
  .object({
    id: z.string().meta({ description: "The message id, sent as webhook-id and as the body's id; the same on every retry" }),
    eventType: z.string(),
    caseId: z.string(),
    seq: z.number().int().meta({ description: "The event's position in its case's history" }),
    status: z.enum(deliveryStatuses),
    attempts: z.number().int(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable().meta({ description: 'What the service observed, in its own words ("HTTP 503", "no response within 5000 ms"): never the target\'s response' }),
    lastErrorClass: z
      .enum(DELIVERY_ERROR_CLASSES)
      .nullable()
      .meta({ description: 'Why the last attempt failed: the status code is in lastStatusCode when the class is http_status' }),
    nextAttemptAt: z.string().nullable().meta({ description: "When a pending delivery is tried next (a disabled endpoint's deliveries wait for it to be re-enabled)" }),
    firstAttemptAt: z.string().nullable(),
    lastAttemptAt: z.string().nullable(),
    deliveredAt: z.string().nullable(),
    failedAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'WebhookDelivery' })

export const deliveryListQuerySchema = z.strictObject({
  status: z.enum(deliveryStatuses).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(100).optional().meta({ description: 'nextCursor of the previous page' }),
})
