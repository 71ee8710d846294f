import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { AppConfig } from '../platform/config/config.ts'
import { deliverDueWebhooks, WebhookDeliveryPump, type DeliverOptions, type DeliverResult, type DelivererDeps, type DelivererSettings } from './webhook-deliverer.ts'
import { relayWebhookEvents, type RelayOptions, type RelayResult } from './webhook-dispatcher.ts'
import { allowedTargetsOf, systemResolver, type HostResolver, type UrlPolicyOptions } from './webhook-url-policy.ts'

/** What a test (or an operator tool) may replace for one delivery cycle. */
export type DeliveryOverrides = DeliverOptions & Partial<Pick<DelivererDeps, 'random' | 'backoff' | 'resolve'>>

export interface WebhookCycleResult {
  relay: RelayResult
  delivery: DeliverResult
}

export interface WebhookRuntime {
  settings: DelivererSettings & { enabled: boolean; pollIntervalMs: number; maxEndpointsPerOrganization: number }
  /** The target policy registration checks (the deliverer checks the same one at every connection). */
  urlPolicy: UrlPolicyOptions
  /** Replaces DNS for registration and delivery alike: tests simulate outside and rebinding names with it. */
  useResolver(resolve: HostResolver): void
  /** One relay pass: feed → deliveries. */
  runRelayCycle(options?: RelayOptions): Promise<RelayResult>
  /** One delivery pass: send what is due. */
  runDeliveryCycle(overrides?: DeliveryOverrides): Promise<DeliverResult>
  /** Relay, then deliver: what each tick of the worker does. */
  runCycle(overrides?: DeliveryOverrides): Promise<WebhookCycleResult>
}

declare module 'fastify' {
  interface FastifyInstance {
    webhooks: WebhookRuntime
  }
}

/**
 * The webhook worker. Always decorates `app.webhooks` (the routes read its settings; tests run single cycles);
 * with WEBHOOK_WORKER_ENABLED it also runs relay + delivery every WEBHOOK_POLL_INTERVAL_MS on every instance —
 * the database work is divided among instances by row locks (see webhook-dispatcher.ts, webhook-deliverer.ts),
 * so running it everywhere is safe and gives redundancy. A tick relays, then tops up the delivery pump and ends
 * without waiting for any answer: the requests stay in flight across ticks, so a slow endpoint never holds up the
 * relay or another endpoint (fair delivery, issue 9). The next tick is scheduled when the previous one ends (never
 * two at once on an instance); the timer is unref'd so it never keeps the process alive, and closing the app stops
 * the timer, then waits for the requests in flight to be recorded (each bounded by WEBHOOK_TIMEOUT_MS).
 */
async function webhooksPlugin(app: FastifyInstance, options: { config: AppConfig }) {
  const { config } = options
  const log = app.log.child({ worker: 'webhooks' })
  const settings = {
    enabled: config.WEBHOOK_WORKER_ENABLED,
    pollIntervalMs: config.WEBHOOK_POLL_INTERVAL_MS,
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    retryHours: config.WEBHOOK_RETRY_HOURS,
    disableAfterHours: config.WEBHOOK_DISABLE_AFTER_HOURS,
    allowLinkLocal: config.WEBHOOK_ALLOW_LINK_LOCAL,
    allowedTargets: allowedTargetsOf(config.WEBHOOK_ALLOWED_TARGETS),
    maxEndpointsPerOrganization: config.WEBHOOK_MAX_ENDPOINTS_PER_ORGANIZATION,
  }
  const urlPolicy: UrlPolicyOptions = { allowLinkLocal: settings.allowLinkLocal, allowedTargets: settings.allowedTargets }
  const delivererDeps = (overrides: Partial<Pick<DelivererDeps, 'random' | 'backoff' | 'resolve'>> = {}): DelivererDeps => ({
    db: app.db,
    clock: app.clock,
    settings,
    log,
    random: overrides.random,
    backoff: overrides.backoff,
    // Read at each connection, so useResolver also reaches the worker's pump.
    resolve: overrides.resolve ?? (async (host) => await (urlPolicy.resolve ?? systemResolver)(host)),
  })

  const runRelayCycle = async (relayOptions?: RelayOptions) => await relayWebhookEvents({ db: app.db, clock: app.clock }, relayOptions)
  const runDeliveryCycle = async (overrides: DeliveryOverrides = {}) => {
    const { random, backoff, resolve, ...deliverOptions } = overrides
    return await deliverDueWebhooks(delivererDeps({ random, backoff, resolve }), deliverOptions)
  }
  const runCycle = async (overrides?: DeliveryOverrides) => {
    const relay = await runRelayCycle()
    const delivery = await runDeliveryCycle(overrides)
    return { relay, delivery }
  }
  const useResolver = (resolve: HostResolver) => {
    urlPolicy.resolve = resolve
  }
  app.decorate('webhooks', { settings, urlPolicy, useResolver, runRelayCycle, runDeliveryCycle, runCycle } satisfies WebhookRuntime)

  if (!settings.enabled) return
  // The worker's deliveries: requests stay in flight across ticks (a slow endpoint never holds up a tick), and
  // each answer makes room that is filled at once.
  const pump = new WebhookDeliveryPump(delivererDeps(), { refillOnAnswer: true })

  let timer: NodeJS.Timeout | null = null
  let inFlight: Promise<void> | null = null
  let stopped = false

  const schedule = () => {
    if (stopped) return
    timer = setTimeout(tick, settings.pollIntervalMs)
    timer.unref()
  }
  const tick = () => {
    timer = null
    inFlight = runRelayCycle()
      .then(async (relay) => {
        const claimed = await pump.fill()
        if (relay.deliveries > 0 || claimed > 0) log.debug({ relay, claimed, inFlight: pump.inFlightCount }, 'webhook cycle')
      })
      .catch((error: unknown) => log.error({ err: error }, 'webhook cycle failed'))
      .finally(() => {
        inFlight = null
        schedule()
      })
  }

  app.addHook('onReady', async () => schedule())
  // preClose runs before any onClose hook, so the pool is still open while the last cycle finishes.
  app.addHook('preClose', async () => {
    stopped = true
    if (timer) clearTimeout(timer)
    timer = null
    await inFlight
    await pump.stop()
  })
}

export default fp(webhooksPlugin, { name: 'webhooks', dependencies: ['database', 'services'] })
