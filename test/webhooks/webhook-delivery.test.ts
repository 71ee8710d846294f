import t from 'tap'
import { formatShanghaiInstant } from '../../src/core/calendar/civil-date.ts'
import type { DeliveryOverrides } from '../../src/webhooks/webhook-workers.plugin.ts'
import { buildApp } from '../../src/app.ts'
import { testConfig } from '../../src/platform/config/config.ts'
import { ManualClock } from '../../src/platform/clock.ts'
import { verifyWebhookSignature, WebhookVerificationError } from '../../src/core/webhooks/webhook-signature.ts'
import { approval, lifecycleClient } from '../helpers/lifecycle-client.ts'
import { bearer, buildTestApp, type TestApp } from '../helpers/test-app.ts'
import { relayAll, startWebhookReceiver } from '../helpers/webhooks.ts'

const HOUR = 60 * 60 * 1000
const start = () => new ManualClock('2026-02-12T10:00:00+08:00')
// Jitter fixed at the middle of its range: delays are exactly half the exponential ceiling.
const half = { random: () => 0.5 }

/** One worker cycle: relay (until caught up with what is written), then deliver. */
async function cycle(testApp: TestApp, overrides?: DeliveryOverrides) {
  const relay = await relayAll(testApp.app, testApp.database.db)
  const delivery = await testApp.app.webhooks.runDeliveryCycle(overrides)
  return { relay, delivery }
}

async function register(testApp: TestApp, key: string, body: Record<string, unknown>) {
  const response = await testApp.app.inject({ method: 'POST', url: '/v1/webhooks', headers: bearer(key), payload: body })
  if (response.statusCode !== 201) throw new Error(`register failed: ${response.statusCode} ${response.body}`)
  return response.json() as { id: string; secret: string; status: string }
}

async function deliveryLog(testApp: TestApp, key: string, endpointId: string) {
  const response = await testApp.app.inject({ method: 'GET', url: `/v1/webhooks/${endpointId}/deliveries`, headers: bearer(key) })
  if (response.statusCode !== 200) throw new Error(`log failed: ${response.statusCode} ${response.body}`)
  return response.json().items as Array<Record<string, any>>
}

async function endpoint(testApp: TestApp, key: string, id: string) {
  return (await testApp.app.inject({ method: 'GET', url: `/v1/webhooks/${id}`, headers: bearer(key) })).json()
}

t.test('a receiver that fails and recovers: retried with backoff, delivered in order per case, signed, one webhook-id per message', async (t) => {
  const clock = start()
  const testApp = await buildTestApp(t, { clock, config: { WEBHOOK_RETRY_HOURS: 24 } })
  const client = lifecycleClient(testApp)
  const dispatch = await testApp.key('dispatch', 'ORG-A')
  const office = await testApp.key('office')
  const receiver = await startWebhookReceiver(t, (_request, index) => (index < 3 ? 500 : 200))
  const { id: endpointId, secret } = await register(testApp, dispatch, { url: receiver.url, eventTypes: ['*'], description: 'dispatch system' })

  const submitted = await client.submit(dispatch)
  await client.ok(office, submitted.id, { action: 'accept' })

  const first = await cycle(testApp, half)
  t.match(first.relay, { events: 2, deliveries: 2 })
  t.match(first.delivery, { attempted: 1, retrying: 1 }, 'only the first event of the case is tried: the second waits behind it')
  let log = await deliveryLog(testApp, dispatch, endpointId)
  t.equal(log.length, 2)
  const [acceptedEntry, submittedEntry] = log as [Record<string, any>, Record<string, any>]
  t.match(submittedEntry, { eventType: 'case.submitted', seq: 1, status: 'pending', attempts: 1, lastStatusCode: 500, lastError: 'HTTP 500', lastErrorClass: 'http_status' })
  t.equal(submittedEntry.nextAttemptAt, formatShanghaiInstant(new Date(clock.now().getTime() + 2_500)), 'full jitter: half of the 5 s base')
  t.match(acceptedEntry, { eventType: 'case.accepted', seq: 2, status: 'pending', attempts: 0, lastStatusCode: null })

  t.match((await testApp.app.webhooks.runDeliveryCycle(half)).attempted, 0, 'nothing is due before the backoff ends')
  clock.advanceMs(2_500)
  t.match(await testApp.app.webhooks.runDeliveryCycle(half), { attempted: 1, retrying: 1 })
  log = await deliveryLog(testApp, dispatch, endpointId)
  t.equal(log[1]?.nextAttemptAt, formatShanghaiInstant(new Date(clock.now().getTime() + 5_000)), 'the ceiling doubles: half of 10 s')
  clock.advanceMs(HOUR)
  t.match(await testApp.app.webhooks.runDeliveryCycle(half), { attempted: 1, retrying: 1 })
  clock.advanceMs(HOUR)
  t.match(await testApp.app.webhooks.runDeliveryCycle(half), { attempted: 2, delivered: 2 }, 'the recovered receiver gets the first event, then the second')
  t.match(await cycle(testApp, half), { relay: { events: 0 }, delivery: { attempted: 0 } }, 'nothing left')

  t.same(
    receiver.received.map((r) => [r.json.data.seq, r.status]),
    [
      [1, 500],
      [1, 500],
      [1, 500],
      [1, 200],
      [2, 200],
    ],
    'in order per case: seq 2 only after seq 1 was delivered',
  )
  const ids = receiver.received.map((r) => r.headers['webhook-id'])
  t.equal(new Set(ids.slice(0, 4)).size, 1, 'the same webhook-id on every retry')
  t.not(ids[4], ids[0], 'another message, another id')
  t.match(ids[0], /^msg_[0-9a-f]{32}$/)
  for (const hit of receiver.received) {
    t.equal(hit.headers['content-type'], 'application/json')
    t.match(hit.headers['user-agent'], /^green-channel-webhooks\//)
    t.equal(hit.json.id, hit.headers['webhook-id'], 'the body carries the message id too')
    const verified = verifyWebhookSignature(secret, hit.headers, hit.body, 300, new Date(Number(hit.headers['webhook-timestamp']) * 1000))
    t.equal(verified.messageId, hit.headers['webhook-id'])
    t.throws(
      () => verifyWebhookSignature(secret, hit.headers, hit.body.replace('"seq":', '"seq": '), 300, new Date(verified.timestamp * 1000)),
      WebhookVerificationError,
      'a changed body does not verify',
    )
  }
  t.throws(
    () =>
      verifyWebhookSignature(
        secret,
        receiver.received[0]!.headers,
        receiver.received[0]!.body,
        300,
        new Date((Number(receiver.received[0]!.headers['webhook-timestamp']) + 301) * 1000),
      ),
    /tolerance/,
    'an old timestamp is refused (replay protection)',
  )
  const timestamps = receiver.received.slice(0, 4).map((r) => Number(r.headers['webhook-timestamp']))
  t.ok(timestamps[3]! > timestamps[0]!, 'webhook-timestamp is the time of each attempt')

  const body = receiver.received[4]!.json
  t.match(body, {
    type: 'case.accepted',
    timestamp: '2026-02-12T10:00:00.000+08:00',
    data: {
      caseId: submitted.id,
      caseNumber: submitted.number,
      organization: 'ORG-A',
      seq: 2,
      fromStatus: 'submitted',
      toStatus: 'accepted',
      occurredAt: '2026-02-12T10:00:00.000+08:00',
    },
  })
  t.type(body.data.payload, 'object', 'the event payload travels in data.payload')

  log = await deliveryLog(testApp, dispatch, endpointId)
  t.match(log[1], { seq: 1, status: 'delivered', attempts: 4, lastStatusCode: 200, lastError: null, nextAttemptAt: null, firstAttemptAt: '2026-02-12T10:00:00.000+08:00' })
  t.match(log[0], { seq: 2, status: 'delivered', attempts: 1, lastStatusCode: 200 })
  t.match(log[1], { lastErrorClass: null }, 'a delivered attempt has no error')
  t.match(await endpoint(testApp, dispatch, endpointId), { status: 'active', consecutiveFailures: 0, failingSince: null, lastSuccessAt: formatShanghaiInstant(clock.now()) })
})

t.test('a delivery that keeps failing is retried for WEBHOOK_RETRY_HOURS, then given up; it no longer holds back its case', async (t) => {
  const clock = start()
  const testApp = await buildTestApp(t, { clock, config: { WEBHOOK_RETRY_HOURS: 24, WEBHOOK_DISABLE_AFTER_HOURS: 24 * 14 } })
  const client = lifecycleClient(testApp)
  const dispatch = await testApp.key('dispatch', 'ORG-A')
  const office = await testApp.key('office')
  let healthy = false
  const receiver = await startWebhookReceiver(t, (request) => (healthy || request.json.data.seq !== 1 ? 200 : 503))
  const { id: endpointId } = await register(testApp, dispatch, { url: receiver.url, eventTypes: ['*'] })
  const submitted = await client.submit(dispatch)
  await cycle(testApp, half)
  const firstAttempt = clock.now().getTime()
  let attempts = 1
  for (let hour = 1; hour <= 30; hour++) {
    clock.advanceMs(HOUR)
    const { delivery } = await cycle(testApp, half)
    attempts += delivery.attempted
    if (delivery.failed > 0) break
  }
  const [entry] = await deliveryLog(testApp, dispatch, endpointId)
  t.match(entry, { seq: 1, status: 'failed', attempts, lastStatusCode: 503, nextAttemptAt: null })
  t.ok(new Date(entry!.failedAt).getTime() - firstAttempt >= 24 * HOUR, 'retried for at least 24 hours')
  t.ok(new Date(entry!.lastAttemptAt).getTime() - firstAttempt < 26 * HOUR, 'and given up soon after')
  t.equal(attempts, 25, 'one attempt per hour as the clock moved (the backoff ceiling is one hour)')

  healthy = true
  await client.ok(office, submitted.id, { action: 'accept' })
  t.match((await cycle(testApp, half)).delivery, { attempted: 1, delivered: 1 }, 'the next event of the case goes out')
  t.match(await endpoint(testApp, dispatch, endpointId), { status: 'active' }, 'failures below the disable threshold leave the endpoint active')
})

t.test('an endpoint that keeps failing is disabled; its deliveries wait; re-enabling resumes them in order', async (t) => {
  const clock = start()
  const testApp = await buildTestApp(t, { clock, config: { WEBHOOK_RETRY_HOURS: 24, WEBHOOK_DISABLE_AFTER_HOURS: 1 } })
  const client = lifecycleClient(testApp)
  const dispatch = await testApp.key('dispatch', 'ORG-A')
  const otherOrg = await testApp.key('dispatch', 'ORG-B')
  const office = await testApp.key('office')
  let healthy = false
  const receiver = await startWebhookReceiver(t, () => (healthy ? 200 : 500))
  const { id: endpointId } = await register(testApp, dispatch, { url: receiver.url, eventTypes: ['*'] })
  const submitted = await client.submit(dispatch)
  await client.ok(office, submitted.id, { action: 'accept' })

  const disabledAfter: number[] = []
  for (let step = 0; step < 10; step++) {
    const { delivery } = await cycle(testApp, half)
    if (delivery.waiting > 0) {
      disabledAfter.push(step)
      break
    }
    clock.advanceMs(20 * 60 * 1000)
  }
  t.same(disabledAfter, [4], 'disabled at the fifth consecutive failure, the first one at least an hour after failing began')
  const disabled = await endpoint(testApp, dispatch, endpointId)
  t.match(disabled, { status: 'disabled', consecutiveFailures: 5, failingSince: '2026-02-12T10:00:00.000+08:00', disabledAt: '2026-02-12T11:20:00.000+08:00' })
  t.equal(disabled.disabledReason, 'No successful delivery since 2026-02-12T10:00:00.000+08:00 (5 consecutive failures; the last: HTTP 500).')
  for (const key of [dispatch, office, await testApp.key('admin')]) {
    const seen = JSON.stringify([await endpoint(testApp, key, endpointId), await deliveryLog(testApp, key, endpointId)])
    t.notOk(seen.includes('receiver says'), 'no role sees what the target answered, in the log or the reason')
  }
  const stored = await testApp.database.db.selectFrom('webhook_delivery').select(['last_error', 'last_error_class']).where('attempts', '>', 0).execute()
  t.ok(stored.every((row) => row.last_error === 'HTTP 500' && row.last_error_class === 'http_status') && stored.length > 0, 'and it is not stored either')
  t.equal(receiver.received.length, 5)

  // While disabled: nothing is sent, and new events are not queued for it.
  await client.ok(office, submitted.id, approval)
  clock.advanceMs(2 * HOUR)
  t.match(await cycle(testApp, half), { relay: { events: 1, deliveries: 0 }, delivery: { attempted: 0 } })
  const waiting = await deliveryLog(testApp, dispatch, endpointId)
  t.same(
    waiting.map((d) => [d.seq, d.status, d.nextAttemptAt]),
    [
      [2, 'pending', null],
      [1, 'pending', null],
    ],
    'the deliveries wait, still pending, with no next attempt',
  )

  t.equal(
    (await testApp.app.inject({ method: 'POST', url: `/v1/webhooks/${endpointId}/enable`, headers: bearer(otherOrg) })).statusCode,
    404,
    'another organization cannot enable it',
  )
  healthy = true
  const enabled = await testApp.app.inject({ method: 'POST', url: `/v1/webhooks/${endpointId}/enable`, headers: bearer(dispatch) })
  t.equal(enabled.statusCode, 200)
  t.match(enabled.json(), { status: 'active', consecutiveFailures: 0, failingSince: null, disabledAt: null, disabledReason: null })
  t.match((await cycle(testApp, half)).delivery, { attempted: 2, delivered: 2 }, 'resumed at once, without waiting for the old backoff')
  t.same(
    receiver.received.slice(5).map((r) => r.json.data.seq),
    [1, 2],
    'in order',
  )
  const log = await deliveryLog(testApp, dispatch, endpointId)
  t.match(log, [
    { seq: 2, status: 'delivered', attempts: 1 },
    { seq: 1, status: 'delivered', attempts: 6 },
  ])
})

t.test('event type filtering and organization isolation of deliveries', async (t) => {
  const clock = start()
  const testApp = await buildTestApp(t, { clock })
  const client = lifecycleClient(testApp)
  const dispatchA = await testApp.key('dispatch', 'ORG-A')
  const dispatchB = await testApp.key('dispatch', 'ORG-B')
  const office = await testApp.key('office')
  const all = await startWebhookReceiver(t)
  const acceptedOnly = await startWebhookReceiver(t)
  const orgB = await startWebhookReceiver(t)
  const allEndpoint = await register(testApp, dispatchA, { url: all.url, eventTypes: ['*'] })
  const acceptedEndpoint = await register(testApp, dispatchA, { url: acceptedOnly.url, eventTypes: ['case.accepted', 'case.approved'] })
  const orgBEndpoint = await register(testApp, dispatchB, { url: orgB.url, eventTypes: ['*'] })

  const a = await client.submit(dispatchA)
  await client.ok(office, a.id, { action: 'accept' })
  const b = await client.submit(dispatchB)
  await client.ok(office, b.id, { action: 'not_accept', reason: 'incomplete drawings' })
  const a2 = await client.submit(dispatchA, { voltageVolts: 10000, excavationLengthMeters: 20 })
  await client.ok(office, a2.id, { action: 'accept' })
  await client.ok(office, a2.id, approval)

  await cycle(testApp)
  t.same(all.received.map((r) => r.json.type).sort(), ['case.accepted', 'case.accepted', 'case.approved', 'case.submitted', 'case.submitted'])
  // Different cases may arrive in any order (sent in parallel); one case's events arrive in order.
  const byCase = (received: typeof all.received, caseId: string) => received.filter((r) => r.json.data.caseId === caseId).map((r) => r.json.type)
  t.same(byCase(acceptedOnly.received, a.id), ['case.accepted'])
  t.same(byCase(acceptedOnly.received, a2.id), ['case.accepted', 'case.approved'])
  t.equal(acceptedOnly.received.length, 3)
  t.same(
    orgB.received.map((r) => [r.json.data.caseId, r.json.type]),
    [
      [b.id, 'case.submitted'],
      [b.id, 'case.not_accepted'],
    ],
    "ORG-B's endpoint gets ORG-B's events only",
  )
  t.ok(all.received.every((r) => r.json.data.organization === 'ORG-A'))

  t.equal(
    (await testApp.app.inject({ method: 'GET', url: `/v1/webhooks/${allEndpoint.id}/deliveries`, headers: bearer(dispatchB) })).statusCode,
    404,
    "another organization's delivery log is a 404",
  )
  t.equal((await deliveryLog(testApp, office, orgBEndpoint.id)).length, 2, 'the office reads any log')
  t.equal((await deliveryLog(testApp, dispatchA, acceptedEndpoint.id)).length, 3)
})

t.test('events committed before an endpoint registered are not sent to it, however late the relay runs', async (t) => {
  const testApp = await buildTestApp(t, { clock: start() })
  const client = lifecycleClient(testApp)
  const dispatch = await testApp.key('dispatch', 'ORG-A')
  const receiver = await startWebhookReceiver(t)
  const before = await client.submit(dispatch)
  await register(testApp, dispatch, { url: receiver.url, eventTypes: ['*'] })
  const after = await client.submit(dispatch)
  t.match((await cycle(testApp)).relay, { events: 2, deliveries: 1 })
  t.same(
    receiver.received.map((r) => r.json.data.caseId),
    [after.id],
  )
  t.not(before.id, after.id)
})

t.test('delivery log: keyset pagination and status filter', async (t) => {
  const testApp = await buildTestApp(t, { clock: start() })
  const client = lifecycleClient(testApp)
  const dispatch = await testApp.key('dispatch', 'ORG-A')
  const receiver = await startWebhookReceiver(t)
  const { id } = await register(testApp, dispatch, { url: receiver.url, eventTypes: ['*'] })
  for (let i = 0; i < 5; i++) await client.submit(dispatch)
  await cycle(testApp)
  const seen: string[] = []
  let cursor: string | null = null
  let pages = 0
  do {
    const url: string = `/v1/webhooks/${id}/deliveries?limit=2${cursor ? `&cursor=${cursor}` : ''}`
    const page = (await testApp.app.inject({ method: 'GET', url, headers: bearer(dispatch) })).json()
    seen.push(...page.items.map((item: { id: string }) => item.id))
    cursor = page.nextCursor
    pages++
  } while (cursor && pages < 10)
  t.equal(pages, 3)
  t.same([...seen].sort(), receiver.received.map((r) => r.json.id).sort(), 'every delivery once across the pages')
  const delivered = (await testApp.app.inject({ method: 'GET', url: `/v1/webhooks/${id}/deliveries?status=delivered`, headers: bearer(dispatch) })).json()
  t.equal(delivered.items.length, 5)
  const pending = (await testApp.app.inject({ method: 'GET', url: `/v1/webhooks/${id}/deliveries?status=pending`, headers: bearer(dispatch) })).json()
  t.same(pending, { items: [], nextCursor: null })
  const bad = await testApp.app.inject({ method: 'GET', url: `/v1/webhooks/${id}/deliveries?cursor=bm9wZQ`, headers: bearer(dispatch) })
  t.equal(bad.statusCode, 400)
  t.equal(bad.json().code, 'invalid_cursor')
})

t.test('at least once: an attempt whose sender died is sent again when its lease ends', async (t) => {
  const clock = start()
  const testApp = await buildTestApp(t, { clock })
  const client = lifecycleClient(testApp)
  const dispatch = await testApp.key('dispatch', 'ORG-A')
  const receiver = await startWebhookReceiver(t)
  const { id } = await register(testApp, dispatch, { url: receiver.url, eventTypes: ['*'] })
  await client.submit(dispatch)
  await relayAll(testApp.app, testApp.database.db)
  // A sender claimed the attempt and vanished before recording anything.
  await testApp.database.db
    .updateTable('webhook_delivery')
    .set({
      status: 'sending',
      attempts: 1,
      lease_until: new Date(clock.now().getTime() + 60_000),
      next_attempt_at: new Date(clock.now().getTime() + 60_000),
      first_attempt_at: clock.now(),
      give_up_after: new Date(clock.now().getTime() + 72 * HOUR),
    })
    .execute()
  t.equal((await testApp.app.webhooks.runDeliveryCycle()).attempted, 0, 'leased: nobody else sends it')
  clock.advanceMs(61_000)
  t.match(await testApp.app.webhooks.runDeliveryCycle(), { attempted: 1, delivered: 1 }, 'the lease expired: sent again')
  t.match((await deliveryLog(testApp, dispatch, id))[0], { status: 'delivered', attempts: 2 })
})

t.test('DNS rebinding: the address checked is the address connected to; a name rebound to a refused address is not called', async (t) => {
  const testApp = await buildTestApp(t, { clock: start(), config: { WEBHOOK_ALLOWED_TARGETS: ['hooks.partner.example'] } })
  const client = lifecycleClient(testApp)
  const dispatch = await testApp.key('dispatch', 'ORG-A')
  const receiver = await startWebhookReceiver(t)
  // The partner's name is allowed, and answers with the test receiver's loopback address…
  let answer = [{ address: '127.0.0.1', family: 4 }]
  testApp.app.webhooks.useResolver(async (host) => {
    if (host !== 'hooks.partner.example') throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' })
    return answer
  })
  const { id } = await register(testApp, dispatch, { url: `http://hooks.partner.example:${receiver.port}/hooks`, eventTypes: ['*'] })
  await client.submit(dispatch)
  // …until it is rebound to the cloud metadata service before the delivery: the connection's own lookup refuses it.
  answer = [{ address: '169.254.169.254', family: 4 }]
  t.match((await cycle(testApp)).delivery, { attempted: 1, retrying: 1 })
  t.equal(receiver.received.length, 0)
  const [entry] = await deliveryLog(testApp, dispatch, id)
  t.match(entry, { status: 'pending', lastStatusCode: null, lastErrorClass: 'target_refused' })
  t.match(entry!.lastError, /^refused by the webhook target policy: hooks\.partner\.example resolves to a cloud metadata address$/)
  t.notOk(entry!.lastError.includes('169.254'), 'the rebound address is not shown')
  ;(testApp.clock as ManualClock).advanceMs(HOUR)
  answer = [{ address: '127.0.0.1', family: 4 }]
  t.match(await testApp.app.webhooks.runDeliveryCycle(), { delivered: 1 })
  t.equal(receiver.received.length, 1, 'rebound back to an allowed address: delivered')
  t.equal(receiver.received[0]!.headers.host, `hooks.partner.example:${receiver.port}`, 'to the name, at the pinned address')
})

t.test('a refused literal target is never connected to at delivery time either (an endpoint stored before the policy)', async (t) => {
  const testApp = await buildTestApp(t, { clock: start() })
  const client = lifecycleClient(testApp)
  const dispatch = await testApp.key('dispatch', 'ORG-A')
  const receiver = await startWebhookReceiver(t)
  const { id } = await register(testApp, dispatch, { url: receiver.url, eventTypes: ['*'] })
  // As if registered under the old policy, in another spelling of loopback that the allowed list does not cover.
  await testApp.database.db
    .updateTable('webhook_endpoint')
    .set({ url: `http://[::ffff:127.0.0.2]:${receiver.port}/hooks` })
    .where('id', '=', id)
    .execute()
  await client.submit(dispatch)
  t.match((await cycle(testApp)).delivery, { attempted: 1, retrying: 1 })
  t.equal(receiver.received.length, 0)
  t.match((await deliveryLog(testApp, dispatch, id))[0], { lastErrorClass: 'target_refused', lastError: /IPv4-mapped address that reaches loopback/ })
})

t.test('an endpoint registered by a role that may not read cases receives nothing', async (t) => {
  const testApp = await buildTestApp(t, { clock: start() })
  const client = lifecycleClient(testApp)
  const dispatch = await testApp.key('dispatch', 'ORG-A')
  const office = await testApp.key('office')
  const admin = await testApp.key('admin')
  const byOffice = await startWebhookReceiver(t)
  const legacy = await startWebhookReceiver(t)
  await register(testApp, office, { url: byOffice.url, eventTypes: ['*'], organization: 'ORG-A' })
  const legacyEndpoint = await register(testApp, office, { url: legacy.url, eventTypes: ['*'], organization: 'ORG-A' })
  // An endpoint an admin key registered before registration was closed to admins.
  const adminKey = await testApp.database.db.selectFrom('api_key').select('id').where('role', '=', 'admin').executeTakeFirstOrThrow()
  await testApp.database.db.updateTable('webhook_endpoint').set({ created_by_key_id: adminKey.id }).where('id', '=', legacyEndpoint.id).execute()
  t.equal(
    (await testApp.app.inject({ method: 'POST', url: '/v1/webhooks', headers: bearer(admin), payload: { url: legacy.url, eventTypes: ['*'], organization: 'ORG-A' } })).statusCode,
    403,
  )
  await client.submit(dispatch)
  t.match(await cycle(testApp), { relay: { events: 1, deliveries: 1 }, delivery: { delivered: 1 } })
  t.equal(byOffice.received.length, 1, "the office's endpoint gets the case")
  t.equal(legacy.received.length, 0, "the admin's does not")
})

t.test('no response and a redirect are failures recorded in the log', async (t) => {
  // The default WEBHOOK_TIMEOUT_MS (5 s): these receivers answer at once, so a loaded machine cannot turn their
  // answers into timeouts.
  const clock = start()
  const testApp = await buildTestApp(t, { clock })
  const client = lifecycleClient(testApp)
  const dispatch = await testApp.key('dispatch', 'ORG-A')
  const redirecting = await startWebhookReceiver(t, () => 302)
  const closed = await startWebhookReceiver(t)
  const redirect = await register(testApp, dispatch, { url: redirecting.url, eventTypes: ['*'] })
  const refused = await register(testApp, dispatch, { url: closed.url.replace(/:\d+\//, ':1/'), eventTypes: ['*'] })
  await client.submit(dispatch)
  t.match((await cycle(testApp)).delivery, { attempted: 2, retrying: 2 })
  t.match((await deliveryLog(testApp, dispatch, redirect.id))[0], { lastStatusCode: 302, lastErrorClass: 'http_status', lastError: 'HTTP 302 (redirects are not followed)' })
  t.match((await deliveryLog(testApp, dispatch, refused.id))[0], { lastStatusCode: null, lastErrorClass: 'connection_refused', lastError: 'connection refused (ECONNREFUSED)' })
})

t.test('a receiver that never answers is cut off after WEBHOOK_TIMEOUT_MS and recorded as a failure', async (t) => {
  // The receiver holds every request open, so the outcome does not depend on how fast this machine is.
  const clock = start()
  const testApp = await buildTestApp(t, { clock, config: { WEBHOOK_TIMEOUT_MS: 200 } })
  const client = lifecycleClient(testApp)
  const dispatch = await testApp.key('dispatch', 'ORG-A')
  const silent = await startWebhookReceiver(t, () => new Promise<number>(() => {}))
  const timeout = await register(testApp, dispatch, { url: silent.url, eventTypes: ['*'] })
  await client.submit(dispatch)
  t.match((await cycle(testApp)).delivery, { attempted: 1, retrying: 1 })
  t.equal(silent.received.length, 1, 'the request reached the receiver')
  t.match((await deliveryLog(testApp, dispatch, timeout.id))[0], { lastStatusCode: null, lastErrorClass: 'timeout', lastError: 'no response within 200 ms' })
})

t.test('the worker loop delivers on its own and stops cleanly when the app closes', async (t) => {
  const testApp = await buildTestApp(t, { clock: start(), config: { WEBHOOK_WORKER_ENABLED: true, WEBHOOK_POLL_INTERVAL_MS: 50 } })
  const client = lifecycleClient(testApp)
  const dispatch = await testApp.key('dispatch', 'ORG-A')
  const receiver = await startWebhookReceiver(t)
  const { id } = await register(testApp, dispatch, { url: receiver.url, eventTypes: ['*'] })
  await client.submit(dispatch)
  // Generous: the feed waits for every older write transaction on the server, other test files' included.
  const deadline = Date.now() + 60_000
  while (receiver.received.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25))
  t.equal(receiver.received.length, 1, 'delivered by the background worker')
  await testApp.app.close()

  // A second instance on the same database, worker off, makes a delivery due. The closed app's loop must not
  // send it: it would within one poll interval (50 ms) if its timer still ran; 40 intervals are waited.
  const second = await buildApp({ config: testConfig(), database: testApp.database, clock: testApp.clock })
  t.teardown(() => second.close())
  await lifecycleClient({ ...testApp, app: second }).submit(dispatch)
  t.match(await relayAll(second, testApp.database.db), { deliveries: 1 })
  await new Promise((resolve) => setTimeout(resolve, 40 * 50))
  t.equal(receiver.received.length, 1, 'nothing sent after close')
  t.match((await deliveryLog({ ...testApp, app: second }, dispatch, id))[0], { status: 'pending', attempts: 0 })
  // …and it was deliverable: the second instance's own cycle sends it.
  t.match(await second.webhooks.runDeliveryCycle(), { delivered: 1 })
  t.equal(receiver.received.length, 2)
})

t.test('a deleted endpoint gets nothing more: its pending deliveries are given up', async (t) => {
  const clock = start()
  const testApp = await buildTestApp(t, { clock })
  const client = lifecycleClient(testApp)
  const dispatch = await testApp.key('dispatch', 'ORG-A')
  const receiver = await startWebhookReceiver(t, () => 500)
  const { id } = await register(testApp, dispatch, { url: receiver.url, eventTypes: ['*'] })
  await client.submit(dispatch)
  t.match((await cycle(testApp)).delivery, { attempted: 1, retrying: 1 })
  t.equal((await testApp.app.inject({ method: 'DELETE', url: `/v1/webhooks/${id}`, headers: bearer(dispatch) })).statusCode, 204)
  await client.submit(dispatch)
  clock.advanceMs(HOUR)
  t.match(await cycle(testApp), { relay: { events: 1, deliveries: 0 }, delivery: { attempted: 0 } })
  t.equal(receiver.received.length, 1)
  const rows = await testApp.database.db.selectFrom('webhook_delivery').select(['status', 'last_error']).execute()
  t.same(rows, [{ status: 'failed', last_error: 'the endpoint was deleted' }])
})
