import type { Kysely } from 'kysely'
import { confinedOrganizationId, type Principal } from '../core/access/principal.ts'
import type { Database } from '../platform/database/database.types.ts'
import type { IdempotencyHandle } from '../platform/idempotency/idempotency.plugin.ts'
import { runUnitOfWork, type WriteResponse } from '../platform/idempotency/unit-of-work.ts'
import { ConflictError, NotFoundError, ValidationFailedError } from '../platform/errors/domain-errors.ts'
import { PUBLISHED_EVENT_TYPES } from '../core/lifecycle/event-types.ts'
import type { FieldIssue } from '../core/validation/field-issue.ts'
import { cursorValues, keysetCursor, pageOf, type Page } from '../platform/http/keyset-pagination.ts'
import { resolveActingOrganization, resolveListOrganization, type ActingPurpose } from '../organizations/organization.service.ts'
import type { Clock } from '../platform/clock.ts'
import { abandonDeliveries, listDeliveries, resumeDeliveries, type WebhookDeliveryRecord, type WebhookDeliveryStatus } from './webhook-delivery.repository.ts'
import {
  countWebhookEndpoints,
  findWebhookEndpoint,
  insertWebhookEndpoint,
  lockOrganizationEndpoints,
  listWebhookEndpoints,
  markWebhookEndpointDeleted,
  reactivateWebhookEndpoint,
  type WebhookEndpointRecord,
} from './webhook-endpoint.repository.ts'
import { generateWebhookSecret } from '../core/webhooks/webhook-signature.ts'
import { checkWebhookUrl, type UrlPolicyOptions } from './webhook-url-policy.ts'
import { registeredEndpointResponse } from './webhook.presenter.ts'
import type { CreateWebhookRequest } from './webhook.schema.ts'

export interface WebhookServiceDeps {
  db: Kysely<Database>
  clock: Clock
  urlPolicy: UrlPolicyOptions
  /** WEBHOOK_MAX_ENDPOINTS_PER_ORGANIZATION */
  maxEndpointsPerOrganization: number
}

/** Each requested type must be "*" or a published event type (a misspelt one would silently never fire). */
function unknownEventTypes(eventTypes: readonly string[]): FieldIssue[] {
  return eventTypes.flatMap((type, index) =>
    type === '*' || PUBLISHED_EVENT_TYPES.includes(type)
      ? []
      : [{ path: `eventTypes.${index}`, message: `${type} is not a published event type: use * or one of ${PUBLISHED_EVENT_TYPES.join(', ')}` }],
  )
}

/**
 * Who may register for whom: a dispatch key for its own organization only (as with cases); office and admin keys
 * for any existing organization, named by code — the office sets up notifications on an applicant's behalf, an
 * admin repairs an integration. Auditors have no part in webhooks (they read the feed and the reports).
 */
const REGISTRATION: ActingPurpose = {
  ownOnly: 'A dispatch key registers webhooks for its own organization only.',
  required: { detail: 'Name the organization whose case events the endpoint receives.', message: (role) => `required when an ${role} key registers a webhook` },
}

/** Another organization's endpoint does not exist for a dispatch key (404, no existence leak). */
export async function getWebhookEndpointForPrincipal(db: Kysely<Database>, principal: Principal, id: string): Promise<WebhookEndpointRecord> {
  const found = await findWebhookEndpoint(db, id, confinedOrganizationId(principal))
  if (!found) throw new NotFoundError(`No webhook endpoint ${id} is visible to this API key.`, 'webhook_not_found').withParams('id', { id })
  return found
}

export interface RegisteredEndpoint {
  endpoint: WebhookEndpointRecord
  /** The signing secret: returned here and never again. */
  secret: string
}

/**
 * Registers an endpoint in one unit of work with its idempotent response. The organization and the URL (its name
 * resolved by DNS) are checked before the transaction opens, so no connection is held while the resolver answers.
 */
export async function registerWebhookEndpoint(
  deps: WebhookServiceDeps,
  principal: Principal,
  body: CreateWebhookRequest,
  idempotency: IdempotencyHandle | null,
): Promise<{ registered: RegisteredEndpoint; response: WriteResponse<unknown> }> {
  const organization = await resolveActingOrganization(deps.db, principal, body.organization, REGISTRATION)
  const unknown = unknownEventTypes(body.eventTypes)
  if (unknown.length > 0) throw new ValidationFailedError(`Unknown event types: ${unknown.map((issue) => issue.path).join(', ')}.`, unknown, 'unknown_event_type')
  const check = await checkWebhookUrl(body.url, deps.urlPolicy)
  if (!check.allowed) {
    throw new ValidationFailedError(`The webhook URL is refused by the webhook target policy: ${check.reason}.`, [{ path: 'url', message: check.reason }], 'webhook_url_refused')
  }
  const url = check.url.href
  const { result, response } = await runUnitOfWork(
    deps.db,
    idempotency,
    (trx) => insertRegisteredEndpoint(deps, trx, principal, organization.id, url, body),
    (registered) => registeredEndpointResponse(registered),
  )
  return { registered: result, response }
}

async function insertRegisteredEndpoint(
  deps: WebhookServiceDeps,
  trx: Kysely<Database>,
  principal: Principal,
  organizationId: string,
  url: string,
  body: CreateWebhookRequest,
): Promise<RegisteredEndpoint> {
  // Counted under a per-organization lock, so concurrent registrations cannot pass the limit together.
  await lockOrganizationEndpoints(trx, organizationId)
  const existing = await countWebhookEndpoints(trx, organizationId)
  if (existing >= deps.maxEndpointsPerOrganization) {
    throw new ConflictError(
      `The organization already has ${existing} webhook endpoints, the most allowed (WEBHOOK_MAX_ENDPOINTS_PER_ORGANIZATION=${deps.maxEndpointsPerOrganization}): delete one first, or subscribe an existing endpoint to more event types.`,
      'webhook_endpoint_limit',
      { limit: deps.maxEndpointsPerOrganization },
    ).withParams('limit', { limit: deps.maxEndpointsPerOrganization })
  }
  const secret = generateWebhookSecret()
  const id = await insertWebhookEndpoint(trx, {
    organizationId,
    // The normalised form (WHATWG URL) is what will be called and what listings show.
    url,
    eventTypes: body.eventTypes.includes('*') ? ['*'] : body.eventTypes,
    description: body.description ?? null,
    secret,
    createdAt: deps.clock.now(),
    createdByKeyId: principal.keyId,
  })
  return { endpoint: (await findWebhookEndpoint(trx, id)) as WebhookEndpointRecord, secret }
}

/** The endpoints the principal may see, of one organization when asked (a dispatch key: its own). */
export async function listWebhookEndpointsFor(db: Kysely<Database>, principal: Principal, organizationCode: string | undefined): Promise<WebhookEndpointRecord[]> {
  const organizationId = await resolveListOrganization(db, principal, organizationCode)
  return organizationId === null ? [] : await listWebhookEndpoints(db, organizationId)
}

/** Nothing more is sent to a deleted endpoint, including deliveries still pending. */
export async function deleteWebhookEndpoint(deps: Pick<WebhookServiceDeps, 'db' | 'clock'>, principal: Principal, id: string): Promise<void> {
  const endpoint = await getWebhookEndpointForPrincipal(deps.db, principal, id)
  await deps.db.transaction().execute(async (trx) => {
    const at = deps.clock.now()
    if (!(await markWebhookEndpointDeleted(trx, endpoint.id, at))) {
      throw new NotFoundError(`No webhook endpoint ${id} is visible to this API key.`, 'webhook_not_found').withParams('id', { id })
    }
    await abandonDeliveries(trx, endpoint.id, at, 'the endpoint was deleted')
  })
}

/**
 * Re-enables a disabled endpoint with a clean failure record; the deliveries that waited while it was disabled
 * are due at once, in their original order. Enabling an active endpoint changes nothing.
 */
export async function enableWebhookEndpoint(deps: Pick<WebhookServiceDeps, 'db' | 'clock'>, principal: Principal, id: string): Promise<WebhookEndpointRecord> {
  const endpoint = await getWebhookEndpointForPrincipal(deps.db, principal, id)
  await deps.db.transaction().execute(async (trx) => {
    if (await reactivateWebhookEndpoint(trx, endpoint.id)) await resumeDeliveries(trx, endpoint.id, deps.clock.now())
  })
  return (await findWebhookEndpoint(deps.db, endpoint.id)) as WebhookEndpointRecord
}

/** The delivery log's cursor: newest first on the delivery id. */
const deliveryCursor = keysetCursor<number>('webhook-deliveries', {
  toValues: (id) => [id],
  fromValues: ([id]) => (cursorValues.safeInteger(id) ? id : undefined),
})

export async function listWebhookDeliveriesFor(
  db: Kysely<Database>,
  principal: Principal,
  id: string,
  query: { cursor?: string | undefined; limit: number; status?: WebhookDeliveryStatus | undefined },
): Promise<Page<WebhookDeliveryRecord>> {
  const endpoint = await getWebhookEndpointForPrincipal(db, principal, id)
  const before = query.cursor ? deliveryCursor.decode(query.cursor) : undefined
  const rows = await listDeliveries(db, endpoint.id, { before, limit: query.limit + 1, status: query.status })
  return pageOf(rows, query.limit, deliveryCursor, (row) => row.id)
}
