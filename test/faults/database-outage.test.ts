/**
 * Database outage: PostgreSQL is stopped in the middle of steady traffic and
 * started again on the same port, while the app keeps running.
 *
 * This file runs its OWN embedded PostgreSQL (a persistent cluster in a temp folder, on a fixed free port)
 * whatever DATABASE_URL says — the shared server must not be stopped — and removes it at the end.
 *
 * What it proves:
 * - while the database is down every API request fails FAST (well under the connect timeout) with 503
 *   application/problem+json, `Retry-After` and the requestId; nothing hangs, the process does not crash
 *   (an unhandled 'error' from a pg client would kill this very test process);
 * - /health/ready is 503 and /health/live 200 during the outage; an API key never seen before is 503 (not
 *   401: "unknown key" must not be concluded from a failed lookup);
 * - the app recovers BY ITSELF once PostgreSQL is back: requests succeed again without a restart;
 * - afterwards every request answered 2xx is in the database and nothing is partial: every case has its
 *   events from seq 1 without gaps, the first one being the submission; no event without a case; every
 *   accepted transition has its event.
 * - A submission answered 503 may nevertheless exist: its COMMIT reached the server just before the
 *   shutdown and the answer was lost (the "commit raced the shutdown" case). That is not a partial write —
 *   the case is complete — and a client retrying with its Idempotency-Key gets the original 201 replayed,
 *   because the response is stored in the same transaction. The test checks exactly that.
 *
 * A second test partitions the network instead (a proxy that drops bytes and answers nothing): a query in
 * flight is answered 503 within the statement timeout plus a second (the client-side query timeout).
 */
import { promises as fs, rmSync } from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import t from 'tap'
import { createApiKey } from '../../src/api-keys/api-key.service.ts'
import { buildApp } from '../../src/app.ts'
import { testConfig } from '../../src/platform/config/config.ts'
import { createDatabase } from '../../src/platform/database/database.ts'
import { freePort, startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../src/platform/database/embedded-postgres.ts'
import { prepareDatabase } from '../../src/prepare-database.ts'
import { bearer, caseBody, createTestDatabase } from '../helpers/test-app.ts'

// Short enough to show "fast", long enough for a loaded 2-core machine to open a connection (default 3 s).
const CONNECT_TIMEOUT_MS = 2_000
/** "Fast": a failed request must be answered within the connect timeout plus this. */
const FAST_MARGIN_MS = 1_000
const WORKERS = 6

interface Outcome {
  kind: 'submit' | 'read' | 'list' | 'accept'
  startedAt: number
  ms: number
  status: number | 'socket-error'
  contentType: string | null
  retryAfter: string | null
  code: string | null
  requestIdMatches: boolean
  ref?: string
  idempotencyKey?: string
  caseId?: string
  error?: string
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

t.test('PostgreSQL stopped and restarted mid-traffic: fast 503s, readiness follows, self-recovery, nothing lost or partial', async (t) => {
  const parent = await fs.mkdtemp(path.join(os.tmpdir(), 'gc-outage-'))
  // Should this process die before teardown, still remove the cluster's files (embedded-postgres stops the
  // server itself on exit).
  const removeOnExit = () => rmSync(parent, { recursive: true, force: true })
  process.once('exit', removeOnExit)
  const dataDir = path.join(parent, 'data')
  const port = await freePort()
  let postgres: EmbeddedPostgresHandle | null = await startEmbeddedPostgres({ dataDir, port, persistent: true })
  t.teardown(async () => {
    await postgres?.stop()
    await fs.rm(parent, { recursive: true, force: true })
    process.removeListener('exit', removeOnExit)
  })
  const connectionString = postgres.connectionString

  const setup = createDatabase({ connectionString, poolMax: 2 })
  await prepareDatabase(setup.db)
  const dispatch = (await createApiKey(setup.db, { role: 'dispatch', organizationCode: 'ORG-A' })).key
  const office = (await createApiKey(setup.db, { role: 'office' })).key
  // A key the app has never looked up (so not in its cache) when the database goes away.
  const unseen = (await createApiKey(setup.db, { role: 'auditor' })).key
  await setup.close()

  const database = createDatabase({ connectionString, poolMax: 10, connectionTimeoutMs: CONNECT_TIMEOUT_MS, statementTimeoutMs: 5_000 })
  const app = await buildApp({ config: testConfig({ DATABASE_CONNECT_TIMEOUT_MS: CONNECT_TIMEOUT_MS }), database, closeDatabaseOnShutdown: true })
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  const base = `http://127.0.0.1:${(app.server.address() as net.AddressInfo).port}`

  const outcomes: Outcome[] = []
  async function call(kind: Outcome['kind'], method: string, url: string, key: string, body?: unknown, headers: Record<string, string> = {}, extra: Partial<Outcome> = {}) {
    const startedAt = Date.now()
    const requestId = `outage-${kind}-${startedAt}-${Math.random().toString(36).slice(2, 8)}`
    try {
      const response = await fetch(`${base}${url}`, {
        method,
        headers: { ...bearer(key), 'request-id': requestId, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        // Far above any acceptable answer time: a request still open then is a hang.
        signal: AbortSignal.timeout(15_000),
      })
      const text = await response.text()
      const json = text.startsWith('{') ? (JSON.parse(text) as Record<string, any>) : {}
      const outcome: Outcome = {
        kind,
        startedAt,
        ms: Date.now() - startedAt,
        status: response.status,
        contentType: response.headers.get('content-type'),
        retryAfter: response.headers.get('retry-after'),
        code: typeof json.code === 'string' ? json.code : null,
        // The request id is the server's own (the caller's request-id is only kept as clientRequestId).
        requestIdMatches: response.status < 400 || (json.requestId === response.headers.get('request-id') && json.requestId !== requestId),
        caseId: typeof json.id === 'string' ? json.id : undefined,
        ...extra,
      }
      outcomes.push(outcome)
      return { outcome, json }
    } catch (error) {
      const outcome: Outcome = {
        kind,
        startedAt,
        ms: Date.now() - startedAt,
        status: 'socket-error',
        contentType: null,
        retryAfter: null,
        code: null,
        requestIdMatches: false,
        error: String(error),
        ...extra,
      }
      outcomes.push(outcome)
      return { outcome, json: {} }
    }
  }

  // --- Steady traffic: each worker submits (unique externalReference, own Idempotency-Key), reads, lists,
  // and accepts some of its cases (a two-statement transaction: update + event).
  let stop = false
  let counter = 0
  const worker = async (w: number) => {
    let lastCase: string | null = null
    while (!stop) {
      const n = ++counter
      const ref = `OUT-${w}-${n}`
      const submitted = await call(
        'submit',
        'POST',
        '/v1/cases',
        dispatch,
        caseBody({ externalReference: ref }),
        { 'idempotency-key': `key-${ref}` },
        { ref, idempotencyKey: `key-${ref}` },
      )
      if (submitted.outcome.status === 201) lastCase = submitted.json.id as string
      if (lastCase) {
        await call('read', 'GET', `/v1/cases/${lastCase}`, dispatch)
        if (n % 3 === 0) {
          await call('accept', 'POST', `/v1/cases/${lastCase}/transitions`, office, { action: 'accept' }, { 'if-match': '"1"' }, { caseId: lastCase })
          lastCase = null
        }
      }
      if (n % 4 === 0) await call('list', 'GET', '/v1/cases?limit=5', office)
      // Clients back off a little on 503 (not the full Retry-After: the test wants many attempts).
      await sleep(submitted.outcome.status === 503 ? 50 : 5)
    }
  }
  const workers = Array.from({ length: WORKERS }, (_, w) => worker(w))
  const health = async (url: string) => {
    const started = Date.now()
    const response = await fetch(`${base}${url}`, { signal: AbortSignal.timeout(15_000) })
    return { status: response.status, retryAfter: response.headers.get('retry-after'), ms: Date.now() - started }
  }

  await sleep(1_500)
  let readyBefore = 0
  for (const started = Date.now(); readyBefore !== 200 && Date.now() - started < 10_000; await sleep(100)) readyBefore = (await health('/health/ready')).status
  t.equal(readyBefore, 200, 'ready before the outage')

  // --- Stop PostgreSQL (fast shutdown: sessions are terminated, in-flight transactions rolled back).
  const stopBegan = Date.now()
  await postgres.stop()
  postgres = null
  const stopped = Date.now()
  t.comment(`PostgreSQL stopped in ${stopped - stopBegan} ms`)

  await sleep(1_500)
  const ready = await health('/health/ready')
  t.equal(ready.status, 503, '/health/ready is 503 while the database is down')
  t.equal(ready.retryAfter, '2', 'with Retry-After')
  t.ok(ready.ms < CONNECT_TIMEOUT_MS + FAST_MARGIN_MS, `readiness answers fast (${ready.ms} ms)`)
  t.equal((await health('/health/live')).status, 200, '/health/live stays 200')
  const unknownKey = await call('list', 'GET', '/v1/cases?limit=1', unseen)
  t.equal(unknownKey.outcome.status, 503, 'a key that cannot be looked up is 503, not 401')
  await sleep(1_000)
  const restartBegan = Date.now()

  // --- Start it again on the same port and data directory; the app is left alone.
  postgres = await startEmbeddedPostgres({ dataDir, port, persistent: true })
  const restarted = Date.now()
  t.comment(`PostgreSQL restarted in ${restarted - restartBegan} ms`)
  let recoveredAt = 0
  while (Date.now() - restarted < 15_000) {
    const probe = outcomes.filter((o) => o.startedAt >= restarted && o.kind === 'submit' && o.status === 201)
    if (probe.length > 0) {
      recoveredAt = Math.min(...probe.map((o) => o.startedAt + o.ms))
      break
    }
    await sleep(50)
  }
  t.ok(recoveredAt > 0, `submissions succeed again by themselves (${recoveredAt - restarted} ms after the restart)`)
  await sleep(2_500)
  stop = true
  await Promise.all(workers)
  t.equal((await health('/health/ready')).status, 200, 'ready again')

  // --- What the clients saw.
  const byStatus = outcomes.reduce((m, o) => m.set(o.status, (m.get(o.status) ?? 0) + 1), new Map<number | string, number>())
  t.comment(`${outcomes.length} requests: ${[...byStatus].map(([s, n]) => `${s}×${n}`).join(' ')}`)
  t.notOk(
    outcomes.some((o) => o.status === 'socket-error'),
    'no request hung or lost its connection',
    { errors: outcomes.filter((o) => o.status === 'socket-error').slice(0, 3) },
  )
  const unexpected = outcomes.filter((o) => typeof o.status === 'number' && ![200, 201, 503].includes(o.status))
  t.same(
    unexpected.map((o) => `${o.kind} ${o.status} ${o.code}`),
    [],
    'every answer is 2xx or 503',
  )
  const failures = outcomes.filter((o) => o.status === 503)
  t.ok(failures.length > 0, `${failures.length} requests failed during the outage`)
  t.ok(
    failures.every(
      (o) => o.contentType?.startsWith('application/problem+json') && o.retryAfter === '2' && o.requestIdMatches && /^database_(unavailable|timeout)$/.test(o.code ?? ''),
    ),
    'every 503 is problem+json with Retry-After, a database code and the requestId',
    { sample: failures.find((o) => !(o.contentType?.startsWith('application/problem+json') && o.retryAfter === '2')) },
  )
  const slowest = Math.max(...failures.map((o) => o.ms))
  const slowestOutcome = failures.find((o) => o.ms === slowest)!
  t.ok(
    slowest < CONNECT_TIMEOUT_MS + FAST_MARGIN_MS,
    `no failure took longer than ${CONNECT_TIMEOUT_MS + FAST_MARGIN_MS} ms (slowest ${slowest} ms: ${slowestOutcome.kind}, started ${slowestOutcome.startedAt - stopBegan} ms after the stop began)`,
  )
  const duringOutage = outcomes.filter((o) => o.startedAt >= stopped && o.startedAt + o.ms < restartBegan)
  t.ok(duringOutage.length > 20, `${duringOutage.length} requests ran entirely during the outage`)
  t.ok(
    duringOutage.every((o) => o.status === 503),
    'all of them 503',
  )
  const outageSlowest = Math.max(...duringOutage.map((o) => o.ms))
  t.ok(outageSlowest < CONNECT_TIMEOUT_MS, `and each failed before the connect timeout (slowest ${outageSlowest} ms)`)
  // Once the first submission went through, give the pool a second to reopen its connections on a loaded machine.
  const afterRecovery = outcomes.filter((o) => o.startedAt >= recoveredAt + 1_000)
  t.ok(afterRecovery.length > 20, `${afterRecovery.length} requests after recovery`)
  t.same(
    afterRecovery.filter((o) => o.status !== 200 && o.status !== 201).map((o) => `${o.kind} ${o.status} ${o.code}`),
    [],
    'all succeed after recovery',
  )

  // --- What the database holds.
  const check = createDatabase({ connectionString: postgres.connectionString, poolMax: 2 })
  t.teardown(() => check.close())
  const cases = await check.db.selectFrom('case').select(['id', 'external_reference', 'status', 'version']).execute()
  const caseById = new Map(cases.map((c) => [c.id, c]))
  const caseByRef = new Map(cases.map((c) => [c.external_reference, c]))
  const created = outcomes.filter((o) => o.kind === 'submit' && o.status === 201)
  t.same(
    created.filter((o) => !caseById.has(o.caseId!)).map((o) => o.ref),
    [],
    `every one of the ${created.length} answered 201 submissions is stored`,
  )
  const accepted = outcomes.filter((o) => o.kind === 'accept' && o.status === 200)
  t.same(
    accepted.filter((o) => caseById.get(o.caseId!)?.status !== 'accepted').map((o) => o.caseId),
    [],
    `every one of the ${accepted.length} answered accepts is stored`,
  )

  const events = await check.db.selectFrom('case_event').select(['case_id', 'seq', 'type', 'from_status', 'to_status']).orderBy('case_id').orderBy('seq').execute()
  const orphans = await sql<{ n: number }>`select count(*)::int as n from case_event e where not exists (select 1 from "case" c where c.id = e.case_id)`.execute(check.db)
  t.equal(orphans.rows[0]?.n, 0, 'no event without its case')
  const eventsByCase = new Map<string, typeof events>()
  for (const event of events) eventsByCase.set(event.case_id, [...(eventsByCase.get(event.case_id) ?? []), event])
  const partial = cases.filter((c) => {
    const list = eventsByCase.get(c.id) ?? []
    return (
      list.length !== c.version ||
      list.some((e, i) => e.seq !== i + 1) ||
      list[0]?.type !== 'case.submitted' ||
      list[0]?.from_status !== null ||
      list.at(-1)?.to_status !== c.status
    )
  })
  t.same(
    partial.map((c) => c.id),
    [],
    `all ${cases.length} cases are complete: events 1..version, starting with the submission, ending in the case's status`,
  )

  // Submissions answered 503: either nothing was written, or the commit raced the shutdown and the case is
  // complete. A retry with the same Idempotency-Key must then replay the original 201 (never a duplicate).
  const failedSubmits = outcomes.filter((o) => o.kind === 'submit' && o.status === 503)
  const raced = failedSubmits.filter((o) => caseByRef.has(o.ref!))
  t.comment(`${failedSubmits.length} submissions answered 503; ${raced.length} of them committed just before the shutdown (complete, see above)`)
  const retryOutcomes = new Map<string, number>()
  const wrongReplays: string[] = []
  const wrongRetries: string[] = []
  for (const o of failedSubmits) {
    const retry = await call('submit', 'POST', '/v1/cases', dispatch, caseBody({ externalReference: o.ref }), { 'idempotency-key': o.idempotencyKey! })
    const label = `${retry.outcome.status} ${retry.outcome.code ?? ''}`.trim()
    retryOutcomes.set(label, (retryOutcomes.get(label) ?? 0) + 1)
    const existed = caseByRef.get(o.ref!)
    if (existed) {
      // Committed before the shutdown: the retry replays the original 201 for the same case.
      if (retry.outcome.status !== 201 || retry.json.id !== existed.id) wrongReplays.push(`${o.ref}: ${label}`)
    } else if (!(retry.outcome.status === 201 || (retry.outcome.status === 409 && retry.outcome.code === 'idempotency_key_in_progress' && retry.outcome.retryAfter !== null))) {
      // Not committed: either the work is done now (201), or the claim taken before the outage is still held
      // for up to the idempotency lock time (409 with Retry-After): the first attempt's 503 could not release it.
      wrongRetries.push(`${o.ref}: ${label}`)
    }
  }
  t.same(wrongReplays, [], `retrying a 503 whose commit raced the shutdown replays its 201 (${raced.length} such)`)
  t.same(wrongRetries, [], 'retrying a 503 that wrote nothing is 201, or 409 while its orphaned claim lasts')
  t.comment(`retries of the failed submissions: ${[...retryOutcomes].map(([s, n]) => `${s}×${n}`).join(', ') || 'none'}`)
  const duplicates = await sql<{ n: number }>`select count(*)::int as n from (select external_reference from "case" group by 1 having count(*) > 1) d`.execute(check.db)
  t.equal(duplicates.rows[0]?.n, 0, 'no submission stored twice')
})

/** A TCP proxy in front of PostgreSQL that can "partition" the network: it stops forwarding (drops the bytes
 * both ways, sends no reset) and accepts new connections without ever answering them. */
async function partitionableProxy(targetPort: number) {
  let partitioned = false
  const sockets = new Set<net.Socket>()
  const pairs: Array<[net.Socket, net.Socket]> = []
  const server = net.createServer((client) => {
    sockets.add(client)
    client.on('error', () => {})
    client.on('close', () => sockets.delete(client))
    if (partitioned) return // accepted, never answered
    const upstream = net.connect(targetPort, '127.0.0.1')
    sockets.add(upstream)
    upstream.on('error', () => {})
    upstream.on('close', () => sockets.delete(upstream))
    client.pipe(upstream)
    upstream.pipe(client)
    pairs.push([client, upstream])
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as net.AddressInfo).port,
    partition() {
      partitioned = true
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream)
        upstream.unpipe(client)
        client.pause()
        upstream.pause()
      }
    },
    /** The partition ends; the connections it stranded are gone (as TCP would eventually give up on them). */
    heal() {
      partitioned = false
      for (const socket of sockets) socket.destroy()
      pairs.length = 0
    },
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

// Was a known gap: statement_timeout runs on the server and cannot answer across a partition. The pool's
// client-side query_timeout (statement timeout + 1 s, src/platform/database/database.ts) rejects the query,
// destroys the stranded connection (so it is never lent out again) and is answered 503.
t.test('network partition (packets dropped, no reset): a request on a pooled connection fails fast', async (t) => {
  const { connectionString } = await createTestDatabase(t)
  const direct = createDatabase({ connectionString, poolMax: 1 })
  const key = (await createApiKey(direct.db, { role: 'office' })).key
  await direct.close()
  const target = new URL(connectionString)
  const proxy = await partitionableProxy(Number(target.port || 5432))
  t.teardown(() => proxy.close())
  const proxied = new URL(connectionString)
  proxied.hostname = '127.0.0.1'
  proxied.port = String(proxy.port)
  const database = createDatabase({ connectionString: proxied.toString(), poolMax: 2, connectionTimeoutMs: CONNECT_TIMEOUT_MS, statementTimeoutMs: 2_000 })
  const app = await buildApp({ config: testConfig(), database, closeDatabaseOnShutdown: true })
  t.teardown(() => app.close())
  const list = () => app.inject({ method: 'GET', url: '/v1/cases?limit=1', headers: bearer(key) })
  t.equal((await list()).statusCode, 200, 'works through the proxy')

  proxy.partition()
  const started = Date.now()
  const during = list()
  const answer = await Promise.race([during, sleep(CONNECT_TIMEOUT_MS + 3_000).then(() => null)])
  t.ok(
    answer !== null && answer.statusCode === 503,
    `answered 503 within ${CONNECT_TIMEOUT_MS + 3_000} ms (${answer ? `${answer.statusCode} after ${Date.now() - started} ms` : 'still waiting'})`,
  )

  proxy.heal()
  t.equal((await during).statusCode, 503, 'once the stranded connection is gone the request is answered 503')
  t.equal((await list()).statusCode, 200, 'and the next request succeeds')
})
