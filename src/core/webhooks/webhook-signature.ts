import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * Signing as the Standard Webhooks specification does (https://www.standardwebhooks.com/, spec/standard-webhooks.md):
 * the signed content is `${webhook-id}.${webhook-timestamp}.${body}`, the key is the base64-decoded part of the
 * secret after `whsec_`, and `webhook-signature` is a space-separated list of `v1,<base64 HMAC-SHA256>` so that a
 * secret can be rotated with two signatures side by side. Receivers may use any Standard Webhooks library.
 */
const WEBHOOK_SECRET_PREFIX = 'whsec_'

/** 32 random bytes (the spec asks for 24 to 64), base64 with the conventional whsec_ prefix. */
export function generateWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(32).toString('base64')}`
}

function secretKeyBytes(secret: string): Buffer {
  const body = secret.startsWith(WEBHOOK_SECRET_PREFIX) ? secret.slice(WEBHOOK_SECRET_PREFIX.length) : secret
  return Buffer.from(body, 'base64')
}

/** The value of `webhook-signature` for one message (one `v1,` signature). */
export function signWebhook(secret: string, messageId: string, timestampSeconds: number, body: string | Buffer): string {
  const digest = createHmac('sha256', secretKeyBytes(secret)).update(`${messageId}.${timestampSeconds}.`).update(body).digest('base64')
  return `v1,${digest}`
}

export type WebhookHeaders = Record<string, string | string[] | undefined> | Headers

export class WebhookVerificationError extends Error {
  override name = 'WebhookVerificationError'
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined
  const record = headers as Record<string, string | string[] | undefined>
  const key = Object.keys(record).find((candidate) => candidate.toLowerCase() === name)
  const value = key === undefined ? undefined : record[key]
  return Array.isArray(value) ? value[0] : value
}

/**
 * For integrators (and our tests): checks a received webhook. `body` must be the raw request body exactly as
 * received (re-serialised JSON does not verify). Throws WebhookVerificationError when a header is missing, the
 * timestamp is further than `toleranceSeconds` from `now` (the spec's replay protection), or
 * no `v1` signature matches; returns the message id and timestamp otherwise. Comparison is constant-time.
 */
export function verifyWebhookSignature(
  secret: string,
  headers: WebhookHeaders,
  body: string | Buffer,
  /** The spec's replay window; 300 (5 minutes) is usual. */
  toleranceSeconds: number,
  /** The receiver's current time: passed in, as every instant in the core. */
  now: Date,
): { messageId: string; timestamp: number } {
  const messageId = header(headers, 'webhook-id')
  const timestampText = header(headers, 'webhook-timestamp')
  const signatures = header(headers, 'webhook-signature')
  if (!messageId || !timestampText || !signatures) throw new WebhookVerificationError('missing webhook-id, webhook-timestamp or webhook-signature')
  if (!/^\d{1,12}$/.test(timestampText)) throw new WebhookVerificationError('webhook-timestamp is not unix seconds')
  const timestamp = Number(timestampText)
  const skew = Math.abs(Math.floor(now.getTime() / 1000) - timestamp)
  if (skew > toleranceSeconds) throw new WebhookVerificationError(`webhook-timestamp is ${skew} s away from now (tolerance ${toleranceSeconds} s)`)
  const expected = Buffer.from(signWebhook(secret, messageId, timestamp, body).slice(3), 'base64')
  for (const candidate of signatures.split(' ')) {
    const [version, value] = candidate.split(',', 2)
    if (version !== 'v1' || !value) continue
    const received = Buffer.from(value, 'base64')
    if (received.length === expected.length && timingSafeEqual(received, expected)) return { messageId, timestamp }
  }
  throw new WebhookVerificationError('no webhook-signature matches')
}
