import type { Kysely } from 'kysely'
import { formatShanghaiInstant } from '../core/calendar/civil-date.ts'
import type { Database } from '../platform/database/database.types.ts'
import type { Clock } from '../platform/clock.ts'
import { HOUR_MS, SECOND_MS } from '../core/time.ts'
import { DEFAULT_BACKOFF, retryDelayMs, type BackoffPolicy } from '../core/webhooks/webhook-backoff.ts'
import { claimDueDeliveries, lockOwnedAttempt, markAttemptFailed, markDelivered, parkDeliveries, type ClaimedDelivery } from './webhook-delivery.repository.ts'
import { recordEndpointFailure, recordEndpointSuccess, setDisabledReason } from './webhook-endpoint.repository.ts'
import { postWebhook, type WebhookResponse } from './webhook-http-client.ts'
import { signWebhook } from '../core/webhooks/webhook-signature.ts'
import type { HostResolver } from './webhook-url-policy.ts'

/**
 * The deliverer: claim due attempts (leased, committed), send them with no transaction open, then record each
 * result in its own transaction. At least once: an attempt whose sender died is claimed again when its lease
 * ends, and receivers deduplicate on `webhook-id`. In order per case: see claimDueDeliveries.
 */
const WEBHOOK_USER_AGENT = 'green-channel-webhooks/1.0 (+https://www.standardwebhooks.com/)'

/** "Keeps failing" needs more than a long gap between two failures: at least this many in a row as well. */
const MIN_CONSECUTIVE_FAILURES_TO_DISABLE = 5

export interface DelivererSettings {
  timeoutMs: number
  retryHours: number
  disableAfterHours: number
  allowLinkLocal: boolean
}

export interface DelivererLog {
  info(object: Record<string, unknown>, message: string): void
  warn(object: Record<string, unknown>, message: string): void
}

export interface DelivererDeps {
  db: Kysely<Database>
  clock: Clock
  settings: DelivererSettings
  log?: DelivererLog | undefined
  /** [0, 1) for the jitter; tests fix it. */
  random?: (() => number) | undefined
  backoff?: BackoffPolicy | undefined
  /** DNS for the connection (tests simulate a rebinding). */
  resolve?: HostResolver | undefined
}

export interface DeliverOptions {
  /** Attempts claimed (and sent in parallel) at a time. */
  batchSize?: number
  /** Claims per call; a call ends earlier when nothing more is due. */
  maxBatches?: number
}

export interface DeliverResult {
  attempted: number
  delivered: number
  retrying: number
  failed: number
  /** Failed attempts of an endpoint that is (now) disabled: they wait for it to be re-enabled. */
  waiting: number
  /** Results not recorded because the lease had passed to another sender. */
  lost: number
}

type Outcome = keyof Omit<DeliverResult, 'attempted'>

/** The Standard Webhooks headers and body of one attempt; webhook-timestamp is the time of this attempt. */
function webhookRequestOf(claimed: Pick<ClaimedDelivery, 'messageId' | 'payload' | 'secret' | 'url'>, at: Date) {
  const body = JSON.stringify(claimed.payload)
  const timestamp = Math.floor(at.getTime() / 1000)
  return {
    url: claimed.url,
    body,
    headers: {
      'content-type': 'application/json',
      'user-agent': WEBHOOK_USER_AGENT,
      'webhook-id': claimed.messageId,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signWebhook(claimed.secret, claimed.messageId, timestamp, body),
    },
  }
}

async function recordOutcome(deps: DelivererDeps, claimed: ClaimedDelivery, response: WebhookResponse): Promise<Outcome> {
  return await deps.db.transaction().execute(async (trx): Promise<Outcome> => {
    // The lease may have ended and another sender claimed the attempt again: its result is the one that counts.
    if (!(await lockOwnedAttempt(trx, claimed))) return 'lost'
    const at = deps.clock.now()
    if (response.statusCode !== null && response.statusCode >= 200 && response.statusCode < 300) {
      await markDelivered(trx, claimed.id, at, response.statusCode)
      await recordEndpointSuccess(trx, claimed.endpointId, at)
      return 'delivered'
    }
    const failure = { statusCode: response.statusCode, error: response.error ?? `HTTP ${response.statusCode}` }
    const retryAt = new Date(at.getTime() + retryDelayMs(claimed.attempts, deps.random ?? Math.random, deps.backoff ?? DEFAULT_BACKOFF))
    const endpoint = await recordEndpointFailure(trx, claimed.endpointId, at, {
      minConsecutiveFailures: MIN_CONSECUTIVE_FAILURES_TO_DISABLE,
      disableIfFailingSinceBefore: new Date(at.getTime() - deps.settings.disableAfterHours * HOUR_MS),
    })
    if (endpoint?.status !== 'active') {
      if (endpoint?.justDisabled) {
        const reason =
          `No successful delivery since ${formatShanghaiInstant(endpoint.failingSince)} ` +
          `(${endpoint.consecutiveFailures} consecutive failures; the last: ${failure.error.slice(0, 300)}).`
        await setDisabledReason(trx, claimed.endpointId, reason)
        await parkDeliveries(trx, claimed.endpointId)
        deps.log?.warn({ webhookEndpointId: claimed.endpointId, reason }, 'webhook endpoint disabled')
      }
      // A disabled endpoint's deliveries wait, still pending, until its owner re-enables it (resumeDeliveries).
      await markAttemptFailed(trx, claimed.id, failure, { status: 'pending', nextAttemptAt: 'never' })
      return 'waiting'
    }
    if (at.getTime() >= claimed.giveUpAfter.getTime()) {
      await markAttemptFailed(trx, claimed.id, failure, { status: 'failed', at })
      deps.log?.warn({ webhookEndpointId: claimed.endpointId, webhookId: claimed.messageId, attempts: claimed.attempts }, 'webhook delivery given up')
      return 'failed'
    }
    await markAttemptFailed(trx, claimed.id, failure, { status: 'pending', nextAttemptAt: retryAt })
    return 'retrying'
  })
}

/** Sends what is due, batch after batch, until nothing more is due or maxBatches is reached. */
export async function deliverDueWebhooks(deps: DelivererDeps, options: DeliverOptions = {}): Promise<DeliverResult> {
  const batchSize = options.batchSize ?? 20
  const maxBatches = options.maxBatches ?? 50
  const result: DeliverResult = { attempted: 0, delivered: 0, retrying: 0, failed: 0, waiting: 0, lost: 0 }
  // The lease outlives the request's own timeout by a wide margin, so a slow but live sender keeps its attempt.
  const leaseMs = deps.settings.timeoutMs * 2 + 30 * SECOND_MS
  for (let batch = 0; batch < maxBatches; batch++) {
    const now = deps.clock.now()
    const claimed = await claimDueDeliveries(deps.db, {
      now,
      leaseUntil: new Date(now.getTime() + leaseMs),
      giveUpAfter: new Date(now.getTime() + deps.settings.retryHours * HOUR_MS),
      limit: batchSize,
    })
    if (claimed.length === 0) break
    const outcomes = await Promise.allSettled(
      claimed.map(async (delivery) => {
        const response = await postWebhook(webhookRequestOf(delivery, deps.clock.now()), {
          timeoutMs: deps.settings.timeoutMs,
          allowLinkLocal: deps.settings.allowLinkLocal,
          resolve: deps.resolve,
        })
        return await recordOutcome(deps, delivery, response)
      }),
    )
    result.attempted += claimed.length
    for (const outcome of outcomes) if (outcome.status === 'fulfilled') result[outcome.value]++
    // A result that could not be recorded (database trouble) leaves its lease to expire: the attempt is retried.
    const failure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected')
    if (failure) throw failure.reason
  }
  return result
}
