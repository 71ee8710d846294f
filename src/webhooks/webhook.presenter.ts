import { formatShanghaiInstant } from '../core/calendar/civil-date.ts'
import type { WriteResponse } from '../platform/idempotency/unit-of-work.ts'
import type { WebhookDeliveryRecord } from './webhook-delivery.repository.ts'
import type { WebhookEndpointRecord } from './webhook-endpoint.repository.ts'
import { createdWebhookEndpointSchema } from './webhook.schema.ts'
import type { RegisteredEndpoint } from './webhook.service.ts'

const instant = (value: Date | null) => (value ? formatShanghaiInstant(value) : null)

export function presentWebhookEndpoint(record: WebhookEndpointRecord) {
  return {
    id: record.id,
    organization: record.organizationCode,
    url: record.url,
    eventTypes: record.eventTypes,
    description: record.description,
    status: record.status,
    disabledAt: instant(record.disabledAt),
    disabledReason: record.disabledReason,
    consecutiveFailures: record.consecutiveFailures,
    failingSince: instant(record.failingSince),
    lastSuccessAt: instant(record.lastSuccessAt),
    lastFailureAt: instant(record.lastFailureAt),
    createdAt: formatShanghaiInstant(record.createdAt),
  }
}

/** 201 with the secret shown this once; it must not linger in caches (RFC 9111 §5.2.2.5). */
export function registeredEndpointResponse(registered: RegisteredEndpoint): WriteResponse<unknown> {
  return {
    status: 201,
    headers: { location: `/v1/webhooks/${registered.endpoint.id}`, 'cache-control': 'no-store' },
    body: { ...presentWebhookEndpoint(registered.endpoint), secret: registered.secret },
    schema: createdWebhookEndpointSchema,
  }
}

export function presentWebhookDelivery(record: WebhookDeliveryRecord) {
  return {
    id: record.messageId,
    eventType: record.eventType,
    caseId: record.caseId,
    seq: record.eventSeq,
    status: record.status,
    attempts: record.attempts,
    lastStatusCode: record.lastStatusCode,
    lastError: record.lastError,
    lastErrorClass: record.lastErrorClass,
    nextAttemptAt: instant(record.nextAttemptAt),
    firstAttemptAt: instant(record.firstAttemptAt),
    lastAttemptAt: instant(record.lastAttemptAt),
    deliveredAt: instant(record.deliveredAt),
    failedAt: instant(record.failedAt),
    createdAt: formatShanghaiInstant(record.createdAt),
  }
}
