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
import type { AllowedTargets, HostResolver } from './webhook-url-policy.ts'

/**
 * The deliverer: claim due attempts (leased, committed), send them with no transaction open, then record each
 * result in its own transaction. At least once: an attempt whose sender died is claimed again when its lease
 * ends, and receivers deduplicate on `webhook-id`. In order per case: see claimDueDeliveries.
 *
 * Fair (issue 9): there is no batch to wait for. A pump keeps the requests in flight and claims more while they
 * run — per endpoint, at most PER_ENDPOINT_IN_FLIGHT at a time — so an endpoint that never answers holds its own
 * few requests until WEBHOOK_TIMEOUT_MS and nothing else: every other endpoint's attempts are claimed and sent
 * at the next fill, whatever the slow ones do.
 */
const WEBHOOK_USER_AGENT = 'green-channel-webhooks/1.0 (+https://www.standardwebhooks.com/)'

/** "Keeps failing" needs more than a long gap between two failures: at least this many in a row as well. */
const MIN_CONSECUTIVE_FAILURES_TO_DISABLE = 5

export interface DelivererSettings {
  timeoutMs: number
  retryHours: number
  disableAfterHours: number
  allowLinkLocal: boolean
  allowedTargets: AllowedTargets
}

/** Requests in flight per endpoint (across instances): different cases of one endpoint go out side by side. */
const PER_ENDPOINT_IN_FLIGHT = 4
/** Requests in flight per instance: sockets are cheap, and every endpoint is bounded by PER_ENDPOINT_IN_FLIGHT. */
const MAX_IN_FLIGHT = 1_000

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
  /** Attempts claimed at a time (at most). */
  batchSize?: number
  /** Claims per call; a call ends earlier when nothing more is due and nothing is in flight. */
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
    const failure = {
      statusCode: response.statusCode,
      errorClass: response.errorClass ?? ('http_status' as const),
      error: response.error ?? `HTTP ${response.statusCode}`,
    }
    const retryAt = new Date(at.getTime() + retryDelayMs(claimed.attempts, deps.random ?? Math.random, deps.backoff ?? DEFAULT_BACKOFF))
    const endpoint = await recordEndpointFailure(trx, claimed.endpointId, at, {
      minConsecutiveFailures: MIN_CONSECUTIVE_FAILURES_TO_DISABLE,
      disableIfFailingSinceBefore: new Date(at.getTime() - deps.settings.disableAfterHours * HOUR_MS),
    })
    if (endpoint?.status !== 'active') {
      if (endpoint?.justDisabled) {
        const reason =
          `No successful delivery since ${formatShanghaiInstant(endpoint.failingSince)} ` +
          // Only what the service knows (a status code or an error class), never what the target sent back.
          `(${endpoint.consecutiveFailures} consecutive failures; the last: ${failure.statusCode !== null ? `HTTP ${failure.statusCode}` : failure.errorClass}).`
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

const emptyResult = (): DeliverResult => ({ attempted: 0, delivered: 0, retrying: 0, failed: 0, waiting: 0, lost: 0 })

/**
 * Keeps the requests in flight. `fill()` claims what is due within the limits and starts sending it without
 * waiting for the answers; each answer is recorded as it comes, and (in the background worker) makes the pump
 * fill again. `runUntilIdle()` is one complete pass for tests and tools: fill, wait for an answer, fill…
 * until nothing is due and nothing is in flight.
 */
export class WebhookDeliveryPump {
  readonly result: DeliverResult = emptyResult()
  private readonly inFlight = new Map<number, Promise<void>>()
  private readonly errors: unknown[] = []
  private filling: Promise<number> | null = null
  private fillAgain = false
  private stopped = false

  constructor(
    private readonly deps: DelivererDeps,
    private readonly options: { batchSize?: number | undefined; refillOnAnswer?: boolean } = {},
  ) {}

  get inFlightCount(): number {
    return this.inFlight.size
  }

  /** Claims and starts what is due; one fill at a time (a fill asked for meanwhile runs right after). */
  async fill(): Promise<number> {
    if (this.filling) {
      this.fillAgain = true
      return await this.filling
    }
    this.filling = this.claimAndStart()
    try {
      let claimed = await this.filling
      while (this.fillAgain && !this.stopped) {
        this.fillAgain = false
        this.filling = this.claimAndStart()
        claimed += await this.filling
      }
      return claimed
    } finally {
      this.filling = null
    }
  }

  private async claimAndStart(): Promise<number> {
    const room = Math.min(this.options.batchSize ?? 100, MAX_IN_FLIGHT - this.inFlight.size)
    if (this.stopped || room <= 0) return 0
    const now = this.deps.clock.now()
    // The lease outlives the request's own timeout by a wide margin, so a slow but live sender keeps its attempt.
    const leaseMs = this.deps.settings.timeoutMs * 2 + 30 * SECOND_MS
    const claimed = await claimDueDeliveries(this.deps.db, {
      now,
      leaseUntil: new Date(now.getTime() + leaseMs),
      giveUpAfter: new Date(now.getTime() + this.deps.settings.retryHours * HOUR_MS),
      limit: room,
      perEndpoint: PER_ENDPOINT_IN_FLIGHT,
      excludeIds: [...this.inFlight.keys()],
    })
    for (const delivery of claimed) {
      this.result.attempted++
      const sending = this.send(delivery).finally(() => {
        this.inFlight.delete(delivery.id)
        if (this.options.refillOnAnswer && !this.stopped) this.fill().catch((error: unknown) => this.deps.log?.warn({ err: error }, 'webhook claim failed'))
      })
      this.inFlight.set(delivery.id, sending)
    }
    return claimed.length
  }

  private async send(delivery: ClaimedDelivery): Promise<void> {
    try {
      const response = await postWebhook(webhookRequestOf(delivery, this.deps.clock.now()), {
        timeoutMs: this.deps.settings.timeoutMs,
        allowLinkLocal: this.deps.settings.allowLinkLocal,
        allowedTargets: this.deps.settings.allowedTargets,
        resolve: this.deps.resolve,
      })
      this.result[await recordOutcome(this.deps, delivery, response)]++
    } catch (error) {
      // A result that could not be recorded (database trouble) leaves its lease to expire: the attempt is retried.
      this.errors.push(error)
      this.deps.log?.warn({ err: error, webhookId: delivery.messageId }, 'webhook result not recorded')
    }
  }

  /** Fill, wait for an answer, fill again… until nothing is due and nothing is in flight (or maxFills). */
  async runUntilIdle(maxFills = 1_000): Promise<DeliverResult> {
    for (let fills = 0; fills < maxFills; fills++) {
      const claimed = await this.fill()
      if (this.inFlight.size === 0 && claimed === 0) break
      if (claimed === 0) await Promise.race(this.inFlight.values())
    }
    await this.drain()
    if (this.errors.length > 0) throw this.errors[0]
    return { ...this.result }
  }

  /** No more claims; waits for the requests in flight (each bounded by WEBHOOK_TIMEOUT_MS) to be recorded. */
  async stop(): Promise<void> {
    this.stopped = true
    await this.filling
    await this.drain()
  }

  private async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight.values()])
  }
}

/** Sends what is due until nothing more is due and nothing is in flight: one delivery pass. */
export async function deliverDueWebhooks(deps: DelivererDeps, options: DeliverOptions = {}): Promise<DeliverResult> {
  return await new WebhookDeliveryPump(deps, { batchSize: options.batchSize }).runUntilIdle(options.maxBatches)
}
