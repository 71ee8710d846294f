import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { CASE_READER_ROLES } from '../core/access/principal.ts'
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
/**
 * Who may subscribe: a webhook carries case events, so only a manager that may also read cases
 * (CASE_READER_ROLES) — not an admin, who would otherwise point an endpoint at a server of their own and read
 * every case of an organization. An admin still lists, disables by deleting, and re-enables endpoints.
 */
const SUBSCRIBERS = ['dispatch', 'office'] as const satisfies ReadonlyArray<(typeof CASE_READER_ROLES)[number] & (typeof MANAGERS)[number]>

const params = z.object({ id: uuidSchema })

const DELIVERY_DESCRIPTION =
  "Each case event of the endpoint's organization whose type it asked for is POSTed as JSON `{ id, type, timestamp, data: { caseId, caseNumber, organization, seq, fromStatus, toStatus, occurredAt, payload } }` " +
  'with the Standard Webhooks headers `webhook-id` (the same on every retry: deduplicate on it), `webhook-timestamp` (unix seconds of the attempt) and `webhook-signature` (`v1,<base64 HMAC-SHA256>`). ' +
  'Delivery is at least once and in order per case; any 2xx answer acknowledges, redirects are not followed. Failed attempts are retried with exponential backoff and jitter for at least WEBHOOK_RETRY_HOURS; ' +
  'an endpoint failing for WEBHOOK_DISABLE_AFTER_HOURS is disabled until its owner re-enables it. The endpoint receives events committed after it was registered.'

export const webhookRoutes: FastifyPluginAsyncZod = async (app) => {
  const deps = { db: app.db, clock: app.clock, urlPolicy: app.webhooks.urlPolicy, maxEndpointsPerOrganization: app.webhooks.settings.maxEndpointsPerOrganization }

  app.post(
    '/webhooks',
    {
      // An Idempotency-Key replay answers with the endpoint but not its secret: the secret is never stored twice.
      config: { roles: SUBSCRIBERS, idempotencyRedact: ['secret'] },
      schema: {
        tags: ['webhooks'],
        summary: 'Register a webhook endpoint (the signing secret is shown once)',
        description:
          `${DELIVERY_DESCRIPTION} Only http(s) URLs are accepted, without credentials, and only public addresses unless the operator allows an intranet receiver (WEBHOOK_ALLOWED_TARGETS): ` +
          'loopback, private, CGNAT, unique-local, link-local, multicast, documentation, benchmarking and reserved addresses, in any spelling or IPv6 form, are refused (422 `webhook_url_refused`), checked on the name and on every address it resolves to, now and at every delivery. ' +
          'Event types must be published ones (422 `unknown_event_type`, naming the path); an organization has at most WEBHOOK_MAX_ENDPOINTS_PER_ORGANIZATION endpoints (409 `webhook_endpoint_limit`). ' +
          'Dispatch and office keys only: a webhook carries case contents, which an admin key may not read.',
        body: createWebhookRequestSchema,
        response: { 201: createdWebhookEndpointSchema, 409: problemSchema, 422: problemSchema, ...commonProblemResponses },
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
        description:
          'Status, attempts, the last answer — its HTTP status code, or an error class (`lastErrorClass`: timeout, connection_refused, connection_reset, dns_error, tls_error, network_error, http_status, target_refused) with a short text the service wrote — and when the next attempt is due. ' +
          'Never anything the target sent back, for any role. Pass `nextCursor` as `cursor` for the next page.',
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
