import { sql, type Kysely } from 'kysely'
import type { Database } from '../platform/database/database.types.ts'

export type WebhookEndpointStatus = 'active' | 'disabled'

/** An endpoint as the API shows it (never its secret). Deleted endpoints are not returned by these functions. */
export interface WebhookEndpointRecord {
  id: string
  organizationId: string
  organizationCode: string
  url: string
  eventTypes: string[]
  description: string | null
  status: WebhookEndpointStatus
  consecutiveFailures: number
  failingSince: Date | null
  lastSuccessAt: Date | null
  lastFailureAt: Date | null
  disabledAt: Date | null
  disabledReason: string | null
  createdAt: Date
}

export interface NewWebhookEndpoint {
  organizationId: string
  url: string
  eventTypes: string[]
  description: string | null
  secret: string
  createdAt: Date
  createdByKeyId: string | null
}

function endpointQuery(db: Kysely<Database>) {
  return db
    .selectFrom('webhook_endpoint as e')
    .innerJoin('organization as o', 'o.id', 'e.organization_id')
    .select([
      'e.id',
      'e.organization_id',
      'o.code as organization_code',
      'e.url',
      'e.event_types',
      'e.description',
      'e.status',
      'e.consecutive_failures',
      'e.failing_since',
      'e.last_success_at',
      'e.last_failure_at',
      'e.disabled_at',
      'e.disabled_reason',
      'e.created_at',
    ])
    .where('e.status', '<>', 'deleted')
}

type EndpointRow = Awaited<ReturnType<ReturnType<typeof endpointQuery>['executeTakeFirstOrThrow']>>

function toRecord(row: EndpointRow): WebhookEndpointRecord {
  return {
    id: row.id,
    organizationId: row.organization_id,
    organizationCode: row.organization_code,
    url: row.url,
    eventTypes: row.event_types,
    description: row.description,
    status: row.status as WebhookEndpointStatus,
    consecutiveFailures: row.consecutive_failures,
    failingSince: row.failing_since,
    lastSuccessAt: row.last_success_at,
    lastFailureAt: row.last_failure_at,
    disabledAt: row.disabled_at,
    disabledReason: row.disabled_reason,
    createdAt: row.created_at,
  }
}

export async function insertWebhookEndpoint(db: Kysely<Database>, endpoint: NewWebhookEndpoint): Promise<string> {
  const row = await db
    .insertInto('webhook_endpoint')
    .values({
      organization_id: endpoint.organizationId,
      url: endpoint.url,
      event_types: endpoint.eventTypes,
      description: endpoint.description,
      secret: endpoint.secret,
      created_at: endpoint.createdAt,
      created_by_key_id: endpoint.createdByKeyId,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

/** Serialises endpoint registrations of one organization until the transaction ends (the limit is counted under it). */
export async function lockOrganizationEndpoints(trx: Kysely<Database>, organizationId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`webhook_endpoint:${organizationId}`}, 0))`.execute(trx)
}

/** The organization's endpoints that are not deleted (active or disabled). */
export async function countWebhookEndpoints(db: Kysely<Database>, organizationId: string): Promise<number> {
  const row = await db
    .selectFrom('webhook_endpoint')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('organization_id', '=', organizationId)
    .where('status', '<>', 'deleted')
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/** One endpoint; with `organizationId`, only if it belongs to that organization. */
export async function findWebhookEndpoint(db: Kysely<Database>, id: string, organizationId?: string): Promise<WebhookEndpointRecord | undefined> {
  let query = endpointQuery(db).where('e.id', '=', id)
  if (organizationId) query = query.where('e.organization_id', '=', organizationId)
  const row = await query.executeTakeFirst()
  return row ? toRecord(row) : undefined
}

export async function listWebhookEndpoints(db: Kysely<Database>, organizationId?: string): Promise<WebhookEndpointRecord[]> {
  let query = endpointQuery(db)
  if (organizationId) query = query.where('e.organization_id', '=', organizationId)
  const rows = await query.orderBy('o.code').orderBy('e.created_at').orderBy('e.id').execute()
  return rows.map(toRecord)
}

/**
 * Soft delete: the row stays so delivery rows keep their reference and a relay that read the endpoint as active
 * a moment ago cannot fail on a missing key; nothing is sent to a deleted endpoint and its secret is wiped.
 */
export async function markWebhookEndpointDeleted(db: Kysely<Database>, id: string, at: Date): Promise<boolean> {
  const result = await db
    .updateTable('webhook_endpoint')
    .set({ status: 'deleted', deleted_at: at, secret: null })
    .where('id', '=', id)
    .where('status', '<>', 'deleted')
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

/** Active again with a clean failure record; returns false when the endpoint is not disabled. */
export async function reactivateWebhookEndpoint(db: Kysely<Database>, id: string): Promise<boolean> {
  const result = await db
    .updateTable('webhook_endpoint')
    .set({ status: 'active', disabled_at: null, disabled_reason: null, consecutive_failures: 0, failing_since: null })
    .where('id', '=', id)
    .where('status', '=', 'disabled')
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

export interface RelayEndpoint {
  id: string
  organizationId: string
  eventTypes: string[]
  /** pg_snapshot text "xmin:xmax:xip,…" of the registering transaction. */
  subscribedFrom: string
}

/**
 * The active endpoints of these organizations that may receive case events: one registered by a key whose role
 * may not read cases (an admin key, before registration was closed to it) receives nothing — the receiver would
 * read the cases its registrant may not.
 */
export async function listActiveEndpointsOf(db: Kysely<Database>, organizationIds: readonly string[], caseReaderRoles: readonly string[]): Promise<RelayEndpoint[]> {
  if (organizationIds.length === 0) return []
  const rows = await db
    .selectFrom('webhook_endpoint as e')
    .leftJoin('api_key as k', 'k.id', 'e.created_by_key_id')
    .select(['e.id', 'e.organization_id', 'e.event_types', sql<string>`e.subscribed_from::text`.as('subscribed_from')])
    .where('e.status', '=', 'active')
    .where('e.organization_id', 'in', [...organizationIds])
    .where((eb) => eb.or([eb('k.id', 'is', null), eb('k.role', 'in', [...caseReaderRoles] as never)]))
    .execute()
  return rows.map((row) => ({ id: row.id, organizationId: row.organization_id, eventTypes: row.event_types, subscribedFrom: row.subscribed_from }))
}

export async function recordEndpointSuccess(db: Kysely<Database>, id: string, at: Date): Promise<void> {
  await db
    .updateTable('webhook_endpoint')
    .set({ consecutive_failures: 0, failing_since: null, last_success_at: at })
    .where('id', '=', id)
    .where('status', '<>', 'deleted')
    .execute()
}

export interface EndpointFailureState {
  status: 'active' | 'disabled'
  justDisabled: boolean
  consecutiveFailures: number
  failingSince: Date
}

/**
 * Counts a failure against an active endpoint and disables it, in the same statement, when it has failed at
 * least `minConsecutiveFailures` times in a row and has had no success since `disableIfFailingSinceBefore`.
 * One statement under the row lock, so concurrent senders never lose a count. Undefined when the endpoint is
 * no longer active (disabled or deleted meanwhile).
 */
export async function recordEndpointFailure(
  db: Kysely<Database>,
  id: string,
  at: Date,
  rule: { minConsecutiveFailures: number; disableIfFailingSinceBefore: Date },
): Promise<EndpointFailureState | undefined> {
  const disable = sql<boolean>`(consecutive_failures + 1 >= ${rule.minConsecutiveFailures} and coalesce(failing_since, ${at}) <= ${rule.disableIfFailingSinceBefore})`
  const row = await db
    .updateTable('webhook_endpoint')
    .set({
      consecutive_failures: sql`consecutive_failures + 1`,
      failing_since: sql`coalesce(failing_since, ${at})`,
      last_failure_at: at,
      status: sql`case when ${disable} then 'disabled' else status end`,
      disabled_at: sql`case when ${disable} then ${at} else disabled_at end`,
    })
    .where('id', '=', id)
    .where('status', '=', 'active')
    .returning(['status', 'consecutive_failures', 'failing_since'])
    .executeTakeFirst()
  if (!row) return undefined
  const status = row.status as 'active' | 'disabled'
  return { status, justDisabled: status === 'disabled', consecutiveFailures: row.consecutive_failures, failingSince: row.failing_since as Date }
}

export async function setDisabledReason(db: Kysely<Database>, id: string, reason: string): Promise<void> {
  await db.updateTable('webhook_endpoint').set({ disabled_reason: reason }).where('id', '=', id).where('status', '=', 'disabled').execute()
}
