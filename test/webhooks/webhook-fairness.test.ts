import http from 'node:http'
import type { Socket } from 'node:net'
import t from 'tap'
import { lifecycleClient } from '../helpers/lifecycle-client.ts'
import { bearer, buildTestApp } from '../helpers/test-app.ts'
import { startWebhookReceiver } from '../helpers/webhooks.ts'

const SLOW_ENDPOINTS = 60

/** Waits for a condition the service must reach on its own; the deadline only turns a hang into a failure. */
async function until(condition: () => boolean, what: string, deadlineMs = 60_000) {
  const deadline = Date.now() + deadlineMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

t.test("fair delivery: 60 endpoints that never answer do not hold up another organization's delivery", async (t) => {
  // The background worker as in production, with the longest request time limit: a slow request stays open for
  // a minute, so "still open" below is a fact about the order of events, not a timing margin.
  const testApp = await buildTestApp(t, {
    config: { WEBHOOK_WORKER_ENABLED: true, WEBHOOK_POLL_INTERVAL_MS: 50, WEBHOOK_TIMEOUT_MS: 60_000, WEBHOOK_MAX_ENDPOINTS_PER_ORGANIZATION: SLOW_ENDPOINTS },
  })
  const client = lifecycleClient(testApp)
  const slowOrg = await testApp.key('dispatch', 'ORG-A')
  const otherOrg = await testApp.key('dispatch', 'ORG-B')

  // A loopback server that accepts every request and never answers.
  const open = new Set<string>()
  let finished = 0
  const sockets = new Set<Socket>()
  const silent = http.createServer((req) => {
    open.add(req.url as string)
    req.socket.on('close', () => {
      open.delete(req.url as string)
      finished++
    })
  })
  silent.on('connection', (socket) => sockets.add(socket))
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  const port = (silent.address() as { port: number }).port
  const hangUp = () => {
    for (const socket of sockets) socket.destroy()
  }
  t.teardown(() => {
    hangUp()
    return new Promise<void>((resolve) => silent.close(() => resolve()))
  })

  for (let i = 0; i < SLOW_ENDPOINTS; i++) {
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/v1/webhooks',
      headers: bearer(slowOrg),
      payload: { url: `http://127.0.0.1:${port}/slow/${i}`, eventTypes: ['*'] },
    })
    t.equal(response.statusCode, 201)
  }
  const receiver = await startWebhookReceiver(t)
  t.equal((await testApp.app.inject({ method: 'POST', url: '/v1/webhooks', headers: bearer(otherOrg), payload: { url: receiver.url, eventTypes: ['*'] } })).statusCode, 201)

  await client.submit(slowOrg)
  await until(() => open.size === SLOW_ENDPOINTS, `all ${SLOW_ENDPOINTS} slow endpoints hold a request`)
  const other = await client.submit(otherOrg)
  await until(() => receiver.received.length === 1, "the other organization's delivery arrives")
  t.equal(open.size, SLOW_ENDPOINTS, `it arrived while all ${SLOW_ENDPOINTS} slow requests were still open`)
  t.equal(finished, 0, 'none of them had ended')
  t.equal(receiver.received[0]?.json.data.caseId, other.id)

  // The slow receivers hang up: their attempts are recorded as failures, to be retried.
  hangUp()
  await until(() => finished >= SLOW_ENDPOINTS, 'the slow requests end')
  const log = await testApp.app.inject({ method: 'GET', url: '/v1/webhooks', headers: bearer(slowOrg) })
  const firstSlow = log.json().items[0].id
  let entry: Record<string, unknown> | undefined
  for (let tries = 0; tries < 200 && !entry?.lastErrorClass; tries++) {
    entry = (await testApp.app.inject({ method: 'GET', url: `/v1/webhooks/${firstSlow}/deliveries`, headers: bearer(slowOrg) })).json().items[0]
    if (!entry?.lastErrorClass) await new Promise((resolve) => setTimeout(resolve, 25))
  }
  t.match(entry, { status: 'pending', attempts: 1, lastStatusCode: null, lastErrorClass: 'connection_reset' })
})
