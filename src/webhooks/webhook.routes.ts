import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { commonProblemResponses, problemSchema, uuidSchema } from '../platform/http/http-schemas.ts'
import {
  createdWebhookEndpointSchema,
  createWebhookRequestSchema,
  deliveryListQuerySchema,
  webhookDeliverySchema,
  webhookEndpointSchema,
  webhookListQuerySchema,
} from './webhook.schema.ts'
import {
  deleteWebhookEndpoint,
  enableWebhookEndpoint,
  getWebhookEndpointForPrincipal,
  listWebhookDeliveriesFor,
  listWebhookEndpointsFor,
  registerWebhookEndpoint,
} from './webhook.service.ts'
import { sendWriteResponse } from '../platform/idempotency/unit-of-work.ts'
import { presentWebhookDelivery, presentWebhookEndpoint } from './webhook.presenter.ts'

/** Dispatch keys manage their own organization's endpoints; office and admin keys any organization's. */
const MANAGERS = ['dispatch', 'office', 'admin'] as const

const params = z.object({ id: uuidSchema })

const DELIVERY_DESCRIPTION =
  "Each case event of the endpoint's organization whose type it asked for is POSTed as JSON `{ id, type, timestamp, data: { caseId, caseNumber, organization, seq, fromStatus, toStatus, occurredAt, payload } }` " +
  'with the Standard Webhooks headers `webhook-id` (the same on every retry: deduplicate on it), `webhook-timestamp` (unix seconds of the attempt) and `webhook-signature` (`v1,<base64 HMAC-SHA256>`). ' +
  'Delivery is at least once and in order per case; any 2xx answer acknowledges, redirects are not followed. Failed attempts are retried with exponential backoff and jitter for at least WEBHOOK_RETRY_HOURS; ' +
  'an endpoint failing for WEBHOOK_DISABLE_AFTER_HOURS is disabled until its owner re-enables it. The endpoint receives events committed after it was registered.'

export const webhookRoutes: FastifyPluginAsyncZod = async (app) => {
  const deps = { db: app.db, clock: app.clock, urlPolicy: app.webhooks.urlPolicy }

  app.post(
    '/webhooks',
    {
      // An Idempotency-Key replay answers with the endpoint but not its secret: the secret is never stored twice.
      config: { roles: MANAGERS, idempotencyRedact: ['secret'] },
      schema: {
        tags: ['webhooks'],
        summary: 'Register a webhook endpoint (the signing secret is shown once)',
        description: `${DELIVERY_DESCRIPTION} Only http(s) URLs are accepted, without credentials, and never link-local or cloud metadata addresses (checked on the name and on what it resolves to, now and at every delivery).`,
        body: createWebhookRequestSchema,
        response: { 201: createdWebhookEndpointSchema, 422: problemSchema, ...commonProblemResponses },
      },
    },
    async (request, reply) => {
      const { registered: result, response } = await registerWebhookEndpoint(deps, request.principal, request.body, request.idempotency)
      request.log.info({ webhookEndpointId: result.endpoint.id, organization: result.endpoint.organizationCode }, 'webhook endpoint registered')
      return sendWriteResponse(reply, response)
    },
  )

  app.get(
    '/webhooks',
    {
      config: { roles: MANAGERS },
      schema: {
        tags: ['webhooks'],
        summary: 'List webhook endpoints (never their secrets)',
        description: "A dispatch key lists its own organization's endpoints.",
        querystring: webhookListQuerySchema,
        response: { 200: z.object({ items: z.array(webhookEndpointSchema) }), ...commonProblemResponses },
      },
    },
    async (request) => ({ items: (await listWebhookEndpointsFor(app.db, request.principal, request.query.organization)).map(presentWebhookEndpoint) }),
  )

  app.get(
    '/webhooks/:id',
    {
      config: { roles: MANAGERS },
      schema: {
        tags: ['webhooks'],
        summary: 'Read a webhook endpoint',
        params,
        response: { 200: webhookEndpointSchema, 404: problemSchema, ...commonProblemResponses },
      },
    },
    async (request) => presentWebhookEndpoint(await getWebhookEndpointForPrincipal(app.db, request.principal, request.params.id)),
  )

  app.delete(
    '/webhooks/:id',
    {
      config: { roles: MANAGERS },
      schema: {
        tags: ['webhooks'],
        summary: 'Delete a webhook endpoint',
        description: 'Nothing more is sent to it, including deliveries still pending; its secret is discarded.',
        params,
        response: { 204: z.null().meta({ description: 'Deleted' }), 404: problemSchema, ...commonProblemResponses },
      },
    },
    async (request, reply) => {
      await deleteWebhookEndpoint(deps, request.principal, request.params.id)
      request.log.info({ webhookEndpointId: request.params.id }, 'webhook endpoint deleted')
      return reply.status(204).send(null)
    },
  )

  app.post(
    '/webhooks/:id/enable',
    {
      config: { roles: MANAGERS },
      schema: {
        tags: ['webhooks'],
        summary: 'Re-enable a disabled webhook endpoint',
        description:
          'Clears the failure record and makes the deliveries that waited while the endpoint was disabled due at once (each with a fresh retry period). Events that happened while it was disabled were not queued for it: read them from `GET /v1/events`. Enabling an active endpoint changes nothing.',
        params,
        response: { 200: webhookEndpointSchema, 404: problemSchema, ...commonProblemResponses },
      },
    },
    async (request) => {
      const endpoint = await enableWebhookEndpoint(deps, request.principal, request.params.id)
      request.log.info({ webhookEndpointId: endpoint.id }, 'webhook endpoint enabled')
      return presentWebhookEndpoint(endpoint)
    },
  )

  app.get(
    '/webhooks/:id/deliveries',
    {
      config: { roles: MANAGERS },
      schema: {
        tags: ['webhooks'],
        summary: "An endpoint's delivery log, newest first (keyset pagination)",
        description: 'Status, attempts, the last answer (status code or error) and when the next attempt is due. Pass `nextCursor` as `cursor` for the next page.',
        params,
        querystring: deliveryListQuerySchema,
        response: { 200: z.object({ items: z.array(webhookDeliverySchema), nextCursor: z.string().nullable() }), 404: problemSchema, ...commonProblemResponses },
      },
    },
    async (request) => {
      const page = await listWebhookDeliveriesFor(app.db, request.principal, request.params.id, request.query)
      return { items: page.items.map(presentWebhookDelivery), nextCursor: page.nextCursor }
    },
  )
}
