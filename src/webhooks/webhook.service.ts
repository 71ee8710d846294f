import type { Kysely } from 'kysely'
import type { Principal } from '../core/access/principal.ts'
import type { Database } from '../platform/database/database.types.ts'
import { BadRequestError, NotFoundError, ValidationFailedError } from '../platform/errors/domain-errors.ts'
import { findOrganizationByCode } from '../organizations/organization.repository.ts'
import type { Clock } from '../platform/clock.ts'
import { abandonDeliveries, listDeliveries, resumeDeliveries, type WebhookDeliveryRecord, type WebhookDeliveryStatus } from './webhook-delivery.repository.ts'
import {
  findWebhookEndpoint,
  insertWebhookEndpoint,
  listWebhookEndpoints,
  markWebhookEndpointDeleted,
  reactivateWebhookEndpoint,
  type WebhookEndpointRecord,
} from './webhook-endpoint.repository.ts'
import { generateWebhookSecret } from '../core/webhooks/webhook-signature.ts'
import { checkWebhookUrl, type UrlPolicyOptions } from './webhook-url-policy.ts'
import type { CreateWebhookRequest } from './webhook.schema.ts'

export interface WebhookServiceDeps {
  db: Kysely<Database>
  clock: Clock
  urlPolicy: UrlPolicyOptions
}

/**
 * Who may register for whom: a dispatch key for its own organization only (as with cases); office and admin keys
 * for any existing organization, named by code — the office sets up notifications on an applicant's behalf, an
 * admin repairs an integration. Auditors have no part in webhooks (they read the feed and the reports).
 */
async function resolveOrganization(db: Kysely<Database>, principal: Principal, requested: string | undefined) {
  if (principal.role === 'dispatch') {
    if (requested && requested !== principal.organizationCode) {
      throw new ValidationFailedError('A dispatch key registers webhooks for its own organization only.', [
        { path: 'organization', message: `must be ${principal.organizationCode} or omitted` },
      ])
    }
    return { id: principal.organizationId as string, code: principal.organizationCode as string }
  }
  if (!requested) {
    throw new ValidationFailedError('Name the organization whose case events the endpoint receives.', [
      { path: 'organization', message: `required when an ${principal.role} key registers a webhook` },
    ])
  }
  const organization = await findOrganizationByCode(db, requested)
  if (!organization) throw new ValidationFailedError(`No organization has the code ${requested}.`, [{ path: 'organization', message: 'unknown organization code' }])
  return organization
}

/** Another organization's endpoint does not exist for a dispatch key (404, no existence leak). */
export async function getWebhookEndpointForPrincipal(db: Kysely<Database>, principal: Principal, id: string): Promise<WebhookEndpointRecord> {
  const scope = principal.role === 'dispatch' ? (principal.organizationId as string) : undefined
  const found = await findWebhookEndpoint(db, id, scope)
  if (!found) throw new NotFoundError(`No webhook endpoint ${id} is visible to this API key.`, 'webhook_not_found')
  return found
}

/** Registers an endpoint; the signing secret is returned here and never again. */
export interface RegistrationContext {
  principal: Principal
  /** Runs inside the registering transaction, just before it commits (the idempotent response is stored there). */
  beforeCommit?: ((trx: Kysely<Database>, created: { endpoint: WebhookEndpointRecord; secret: string }) => Promise<void>) | undefined
}

export async function registerWebhookEndpoint(
  deps: WebhookServiceDeps,
  context: RegistrationContext,
  body: CreateWebhookRequest,
): Promise<{ endpoint: WebhookEndpointRecord; secret: string }> {
  const { principal } = context
  const organization = await resolveOrganization(deps.db, principal, body.organization)
  const check = await checkWebhookUrl(body.url, deps.urlPolicy)
  if (!check.allowed) {
    throw new ValidationFailedError(`The webhook URL is refused: ${check.reason}.`, [{ path: 'url', message: check.reason }], 'webhook_url_refused')
  }
  const secret = generateWebhookSecret()
  return await deps.db.transaction().execute(async (trx) => {
    const id = await insertWebhookEndpoint(trx, {
      organizationId: organization.id,
      // The normalised form (WHATWG URL) is what will be called and what listings show.
      url: check.url.href,
      eventTypes: body.eventTypes.includes('*') ? ['*'] : body.eventTypes,
      description: body.description ?? null,
      secret,
      createdAt: deps.clock.now(),
      createdByKeyId: principal.keyId,
    })
    const created = { endpoint: (await findWebhookEndpoint(trx, id)) as WebhookEndpointRecord, secret }
    await context.beforeCommit?.(trx, created)
    return created
  })
}

export async function listWebhookEndpointsFor(db: Kysely<Database>, principal: Principal, organizationCode: string | undefined): Promise<WebhookEndpointRecord[]> {
  if (principal.role === 'dispatch') return await listWebhookEndpoints(db, principal.organizationId as string)
  if (!organizationCode) return await listWebhookEndpoints(db)
  const organization = await findOrganizationByCode(db, organizationCode)
  return organization ? await listWebhookEndpoints(db, organization.id) : []
}

/** Nothing more is sent to a deleted endpoint, including deliveries still pending. */
export async function deleteWebhookEndpoint(deps: Pick<WebhookServiceDeps, 'db' | 'clock'>, principal: Principal, id: string): Promise<void> {
  const endpoint = await getWebhookEndpointForPrincipal(deps.db, principal, id)
  await deps.db.transaction().execute(async (trx) => {
    const at = deps.clock.now()
    if (!(await markWebhookEndpointDeleted(trx, endpoint.id, at))) {
      throw new NotFoundError(`No webhook endpoint ${id} is visible to this API key.`, 'webhook_not_found')
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

export function encodeDeliveryCursor(id: number): string {
  return Buffer.from(`d:${id}`).toString('base64url')
}

export function decodeDeliveryCursor(text: string): number {
  const match = /^d:(\d{1,18})$/.exec(Buffer.from(text, 'base64url').toString('utf8'))
  if (!match) throw new BadRequestError('The cursor is not one this service issued: pass nextCursor back unchanged.', [{ path: 'query.cursor', message: 'invalid cursor' }], 'invalid_cursor')
  return Number(match[1])
}

export async function listWebhookDeliveriesFor(
  db: Kysely<Database>,
  principal: Principal,
  id: string,
  query: { cursor?: string | undefined; limit: number; status?: WebhookDeliveryStatus | undefined },
): Promise<{ items: WebhookDeliveryRecord[]; nextCursor: string | null }> {
  const endpoint = await getWebhookEndpointForPrincipal(db, principal, id)
  const before = query.cursor ? decodeDeliveryCursor(query.cursor) : undefined
  // One extra row tells whether there is a next page.
  const rows = await listDeliveries(db, endpoint.id, { before, limit: query.limit + 1, status: query.status })
  const items = rows.slice(0, query.limit)
  const last = items.at(-1)
  return { items, nextCursor: rows.length > query.limit && last ? encodeDeliveryCursor(last.id) : null }
}
