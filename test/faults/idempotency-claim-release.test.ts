/**
 * A claim whose request died is released at once (issue 9, item 5): the database connection is cut while a
 * request holding an Idempotency-Key claim waits inside its transaction. The request is answered 503; its claim
 * cannot be given back then (the database is unreachable), so the instance gives it back as soon as the database
 * answers again — not after the claim's 60 s lock — and the client's retry with the same key does the work.
 */
import net from 'node:net'
import { sql } from 'kysely'
import pg from 'pg'
import t from 'tap'
import { createApiKey } from '../../src/api-keys/api-key.service.ts'
import { buildApp } from '../../src/app.ts'
import { testConfig } from '../../src/platform/config/config.ts'
import { createDatabase } from '../../src/platform/database/database.ts'
import { ManualClock } from '../../src/platform/clock.ts'
import { bearer, caseBody, createTestDatabase } from '../helpers/test-app.ts'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A TCP proxy in front of PostgreSQL that can be cut: every connection is destroyed and new ones are reset. */
async function cuttableProxy(targetPort: number) {
  let cut = false
  const sockets = new Set<net.Socket>()
  const server = net.createServer((client) => {
    client.on('error', () => {})
    if (cut) return void client.destroy()
    const upstream = net.connect(targetPort, '127.0.0.1')
    upstream.on('error', () => {})
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
    }
    client.pipe(upstream).pipe(client)
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as net.AddressInfo).port,
    cut() {
      cut = true
      for (const socket of sockets) socket.destroy()
    },
    restore() {
      cut = false
    },
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

/** Polls until `check` holds or `ms` pass; the milliseconds it took, or null. */
async function within(ms: number, check: () => Promise<boolean>): Promise<number | null> {
  const started = Date.now()
  while (Date.now() - started <= ms) {
    if (await check()) return Date.now() - started
    await sleep(25)
  }
  return null
}

t.test('a request whose database connection died gives its Idempotency-Key back as soon as the database answers', async (t) => {
  const { database: direct, connectionString } = await createTestDatabase(t)
  const dispatch = (await createApiKey(direct.db, { role: 'dispatch', organizationCode: 'ORG-A' })).key
  const office = (await createApiKey(direct.db, { role: 'office' })).key
  const proxy = await cuttableProxy(Number(new URL(connectionString).port || 5432))
  t.teardown(() => proxy.close())
  const proxied = new URL(connectionString)
  proxied.port = String(proxy.port)
  const database = createDatabase({ connectionString: proxied.toString(), poolMax: 4, connectionTimeoutMs: 2_000 })
  const app = await buildApp({ config: testConfig(), database, clock: new ManualClock('2026-02-12T02:00:00Z'), closeDatabaseOnShutdown: true })
  t.teardown(() => app.close())

  const submitted = await app.inject({ method: 'POST', url: '/v1/cases', headers: bearer(dispatch), payload: caseBody() })
  t.equal(submitted.statusCode, 201)
  const caseId = submitted.json().id as string
  const accept = () =>
    app.inject({
      method: 'POST',
      url: `/v1/cases/${caseId}/transitions`,
      headers: { ...bearer(office), 'if-match': '"1"', 'idempotency-key': 'accept-once' },
      payload: { action: 'accept' },
    })
  const claims = async () => (await sql<{ state: string }>`select state from idempotency_key where key = 'accept-once'`.execute(direct.db)).rows.map((row) => row.state)

  // Hold the case row, so the request claims its key and then waits inside its transaction.
  const holder = new pg.Client({ connectionString })
  await holder.connect()
  t.teardown(() => holder.end())
  await holder.query('begin')
  await holder.query('select 1 from "case" where id = $1 for update', [caseId])
  const pending = accept()
  t.ok(await within(5_000, async () => (await claims()).includes('in_progress')), 'the key is claimed (committed at once)')
  const waiting = await within(5_000, async () => {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(direct.db)
    return (rows[0]?.n ?? 0) > 0
  })
  t.ok(waiting !== null, 'the request waits for the row inside its transaction')

  proxy.cut()
  const died = await pending
  t.equal(died.statusCode, 503, `the request whose database died is answered 503 (${died.json().code})`)
  t.same(await claims(), ['in_progress'], 'its claim could not be given back while the database was unreachable')
  await holder.query('rollback')

  proxy.restore()
  const restoredAt = Date.now()
  const released = await within(2_000, async () => (await claims()).length === 0)
  t.ok(released !== null, `the claim is given back ${released ?? 'more than 2000'} ms after the database answers again (not after the 60 s lock)`)
  // The pool's connections through the proxy died with the cut: the next checkout opens new ones.
  const retry = await accept()
  t.equal(retry.statusCode, 200, `the retry with the same Idempotency-Key does the work (${Date.now() - restoredAt} ms after the restore)`)
  t.equal(retry.json().status, 'accepted')
  t.same(await claims(), ['completed'], 'and its answer is stored for replay')
})
