import http, { type IncomingHttpHeaders } from 'node:http'
import type { FastifyInstance } from 'fastify'
import { sql, type Kysely } from 'kysely'
import type { Test } from 'tap'
import type { Database } from '../../src/platform/database/database.types.ts'

/**
 * Runs the relay until it has passed every event written so far. The change feed only shows transactions older
 * than the oldest one still running anywhere on the PostgreSQL server (xids are cluster-wide), so while other
 * test files write in parallel a single pass may see nothing yet; this waits them out.
 */
export async function relayAll(app: FastifyInstance, db: Kysely<Database>, timeoutMs = 60_000): Promise<{ events: number; deliveries: number }> {
  const total = { events: 0, deliveries: 0 }
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const result = await app.webhooks.runRelayCycle()
    total.events += result.events
    total.deliveries += result.deliveries
    const { rows } = await sql<{ behind: number }>`
      select count(*)::int as behind from case_event e, webhook_relay_cursor c where (e.tx_id, e.id) > (c.tx_id, c.event_id)`.execute(db)
    if (rows[0]?.behind === 0) return total
    if (Date.now() > deadline) throw new Error(`the relay did not catch up within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders
  /** The raw body, as signed. */
  body: string
  json: { id: string; type: string; timestamp: string; data: { caseId: string; seq: number; [key: string]: unknown } }
  /** The status the receiver answered. */
  status: number
}

export interface WebhookReceiver {
  url: string
  port: number
  received: ReceivedWebhook[]
}

/**
 * A webhook receiver on 127.0.0.1 (port 0): records every request and answers what `respond` says
 * (called with the request and its index among all requests so far). Closed at teardown.
 */
export async function startWebhookReceiver(
  t: Test,
  respond: (request: Omit<ReceivedWebhook, 'status'>, index: number) => number | Promise<number> = () => 204,
  path = '/hooks/green-channel',
): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = []
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const request = { headers: req.headers, body, json: JSON.parse(body) as ReceivedWebhook['json'] }
      const index = received.length
      const entry: ReceivedWebhook = { ...request, status: 0 }
      received.push(entry)
      entry.status = await respond(request, index)
      res.writeHead(entry.status, { 'content-type': 'text/plain' })
      res.end(entry.status >= 300 ? `receiver says ${entry.status}` : '')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return { url: `http://127.0.0.1:${port}${path}`, port, received }
}
