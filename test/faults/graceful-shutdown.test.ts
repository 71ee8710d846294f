/**
 * Graceful shutdown: the REAL server process (`node --import tsx src/server.ts`)
 * gets SIGTERM while requests are in flight.
 *
 * It runs on a database of its own (cloned from the template like every test database, dropped at the end),
 * on a free loopback port, with the scheduler and the webhook worker off. Two kinds of load are in flight
 * when the signal arrives:
 * - "slow uploads": requests whose headers and half of the body were sent before the signal and the rest
 *   after it — accepted for certain, still running for certain — half of them over keep-alive connections
 *   (as a load balancer would hold them);
 * - a burst of ordinary concurrent submissions fired just before the signal.
 *
 * What it proves: the slow uploads complete with 201; every burst request is answered with its normal
 * status (201), or was never taken on (connection refused/reset before the request was read, or a 503
 * problem+json) — and then wrote nothing; a new connection after the signal is refused (or 503); the
 * process exits with code 0 before SHUTDOWN_GRACE_MS; no connection of its pool is left in
 * pg_stat_activity; every 201 is in the database.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import http from 'node:http'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import t from 'tap'
import { freePort } from '../../src/platform/database/embedded-postgres.ts'
import { createApiKey } from '../../src/api-keys/api-key.service.ts'
import { createDatabase } from '../../src/platform/database/database.ts'
import { caseBody, createTestDatabase } from '../helpers/test-app.ts'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const GRACE_MS = 8_000
const SLOW_UPLOADS = 10
const BURST = 60

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

interface Answer {
  status: number | null
  error: string | null
  body: string
  contentType?: string
}

/** A POST over node:http whose body is sent in two parts: the second only when `finish()` is called. */
function slowUpload(port: number, key: string, body: unknown, agent: http.Agent | false) {
  const payload = Buffer.from(JSON.stringify(body))
  let finish: () => void = () => {}
  const answer = new Promise<Answer>((resolve) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/v1/cases',
        agent,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': payload.length },
      },
      (response) => {
        let text = ''
        response.setEncoding('utf8')
        response.on('data', (chunk: string) => (text += chunk))
        response.on('end', () => resolve({ status: response.statusCode ?? null, error: null, body: text, contentType: response.headers['content-type'] }))
        response.on('error', (error) => resolve({ status: null, error: String(error), body: text }))
      },
    )
    request.on('error', (error: NodeJS.ErrnoException) => resolve({ status: null, error: error.code ?? String(error), body: '' }))
    request.flushHeaders()
    request.write(payload.subarray(0, payload.length >> 1))
    finish = () => request.end(payload.subarray(payload.length >> 1))
  })
  return { answer, finish: () => finish() }
}

async function post(port: number, key: string, body: unknown): Promise<Answer> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/v1/cases`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(GRACE_MS + 5_000),
    })
    return { status: response.status, error: null, body: await response.text(), contentType: response.headers.get('content-type') ?? undefined }
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause
    return { status: null, error: cause?.code ?? String(error), body: '' }
  }
}

/** A brand-new connection (no pooled socket): refused, or answered (503 while closing). */
function freshRequest(port: number): Promise<Answer> {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/health/live', agent: false, timeout: 3_000 }, (response) => {
      response.resume()
      response.on('end', () => resolve({ status: response.statusCode ?? null, error: null, body: '' }))
    })
    request.on('timeout', () => request.destroy(new Error('timeout')))
    request.on('error', (error: NodeJS.ErrnoException) => resolve({ status: null, error: error.code ?? error.message, body: '' }))
  })
}

t.test('SIGTERM under load: in-flight requests finish, new ones are refused, the pool is closed, exit 0 within the grace period', async (t) => {
  const { database, connectionString, name } = await createTestDatabase(t)
  const dispatch = (await createApiKey(database.db, { role: 'dispatch', organizationCode: 'ORG-A' })).key
  // From here on, the only connections to this database are the server's.
  await database.close()

  const port = await freePort()
  const env: NodeJS.ProcessEnv = { ...process.env }
  for (const name of Object.keys(env)) if (name.startsWith('TAP') || name === 'NODE_OPTIONS') delete env[name]
  Object.assign(env, {
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: connectionString,
    SCHEDULER_ENABLED: 'false',
    WEBHOOK_WORKER_ENABLED: 'false',
    // No audit checkpoint: it would write the signing key and the log into the working tree's data/.
    AUDIT_CHECKPOINT_ENABLED: 'false',
    SHUTDOWN_GRACE_MS: String(GRACE_MS),
    LOG_LEVEL: 'info',
    NODE_ENV: 'production',
  })
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  )
  // Never leave the server behind, even if this process dies before teardown.
  const killOnExit = () => child.kill('SIGKILL')
  process.once('exit', killOnExit)
  t.teardown(async () => {
    process.removeListener('exit', killOnExit)
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL')
      await exited
    }
  })
  const lines: string[] = []
  const stderr: string[] = []
  let buffered = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk
    const parts = buffered.split('\n')
    buffered = parts.pop() ?? ''
    lines.push(...parts)
  })
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk))
  const waitForLine = async (pattern: RegExp, timeoutMs: number) => {
    const started = Date.now()
    while (Date.now() - started < timeoutMs) {
      if (lines.some((line) => pattern.test(line))) return true
      if (child.exitCode !== null) return false
      await sleep(10)
    }
    return false
  }

  // Ready when /health/ready says so (the server migrates and seeds first: already done in the clone).
  let ready = false
  for (const started = Date.now(); Date.now() - started < 30_000 && child.exitCode === null; await sleep(100)) {
    const answer = await freshRequest(port)
    if (answer.status === 200) {
      ready = (await fetch(`http://127.0.0.1:${port}/health/ready`)).status === 200
      if (ready) break
    }
  }
  if (!t.ok(ready, 'the server came up', { stderr: stderr.join('') })) return

  // Warm up (first requests compile schemas and open pool connections).
  for (let i = 0; i < 5; i++) await post(port, dispatch, caseBody({ externalReference: `WARM-${i}` }))

  // --- In flight for certain: headers and half the body sent; half of them on keep-alive connections.
  const keepAlive = new http.Agent({ keepAlive: true, maxSockets: SLOW_UPLOADS })
  t.teardown(() => keepAlive.destroy())
  const incoming = () => lines.filter((line) => line.includes('"msg":"incoming request"')).length
  const seenBefore = incoming()
  const slow = Array.from({ length: SLOW_UPLOADS }, (_, i) => ({
    ref: `SLOW-${i}`,
    ...slowUpload(port, dispatch, caseBody({ externalReference: `SLOW-${i}` }), i % 2 === 0 ? keepAlive : false),
  }))
  // The server has read their headers (it logs each request as it starts): they are in flight.
  for (const started = Date.now(); incoming() < seenBefore + SLOW_UPLOADS && Date.now() - started < 10_000; ) await sleep(10)
  t.equal(incoming() - seenBefore, SLOW_UPLOADS, 'the server has started every slow upload')

  // --- A burst, then the signal while it runs.
  const burst = Array.from({ length: BURST }, (_, i) => ({ ref: `BURST-${i}`, answer: post(port, dispatch, caseBody({ externalReference: `BURST-${i}` })) }))
  await sleep(15)
  const signalledAt = Date.now()
  child.kill('SIGTERM')
  t.ok(await waitForLine(/shutting down/, 5_000), 'the server logs that it is shutting down')

  // New connections after the signal: refused (the listener is closed) or 503.
  await sleep(100)
  const late = await Promise.all(Array.from({ length: 3 }, () => freshRequest(port)))
  t.ok(
    late.every((a) => a.error === 'ECONNREFUSED' || a.status === 503),
    `new connections after SIGTERM are refused or 503: ${late.map((a) => a.error ?? a.status).join(', ')}`,
  )

  // The accepted slow uploads now send the rest of their body and complete normally.
  await sleep(200)
  for (const upload of slow) upload.finish()
  const slowAnswers = await Promise.all(slow.map((upload) => upload.answer))
  t.same(
    slowAnswers.map((a) => a.status ?? a.error),
    slowAnswers.map(() => 201),
    'every request in flight at the signal completes with 201 (no reset), keep-alive or not',
  )

  const burstAnswers = await Promise.all(burst.map(async (b) => ({ ref: b.ref, ...(await b.answer) })))
  const summary = burstAnswers.reduce((m, a) => m.set(String(a.status ?? a.error), (m.get(String(a.status ?? a.error)) ?? 0) + 1), new Map<string, number>())
  t.comment(`burst around the signal: ${[...summary].map(([k, n]) => `${k}×${n}`).join(' ')}`)
  t.ok(
    burstAnswers.every((a) => a.status === 201 || a.status === 503 || a.error === 'ECONNREFUSED' || a.error === 'ECONNRESET' || a.error === 'UND_ERR_SOCKET'),
    'burst answers: 201, 503, or not connected at all',
  )
  t.ok(
    burstAnswers.filter((a) => a.status === 503).every((a) => a.contentType?.startsWith('application/problem+json')),
    "a 503 while closing is a problem+json document (shutting_down), not fastify's bare JSON",
  )

  const exit = await Promise.race([exited, sleep(GRACE_MS + 5_000).then(() => null)])
  if (!t.ok(exit, 'the process exited')) return
  t.equal(exit!.code, 0, 'exit code 0', { stderr: stderr.join('').slice(-2000), tail: lines.slice(-5) })
  t.ok(exit!.at - signalledAt < GRACE_MS, `exited ${exit!.at - signalledAt} ms after SIGTERM (grace ${GRACE_MS} ms)`)
  t.notOk(lines.some((line) => /killed by timeout/.test(line)) || stderr.join('').includes('killed by timeout'), 'not killed by the grace timeout')

  // --- The pool is closed: no backend for this database remains (checked from another client).
  const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_SERVER_URL })
  await admin.connect()
  t.teardown(() => admin.end())
  let remaining = -1
  // Backends end shortly after the process exits; a loaded machine may take seconds to reap them.
  for (let i = 0; i < 200; i++) {
    remaining = (await admin.query<{ n: number }>('select count(*)::int as n from pg_stat_activity where datname = $1', [name])).rows[0]!.n
    if (remaining === 0) break
    await sleep(50)
  }
  t.equal(remaining, 0, 'no connection of the server is left in pg_stat_activity')

  // --- Every 201 is stored; nothing that was not taken on was written.
  const check = createDatabase({ connectionString, poolMax: 1 })
  t.teardown(() => check.close())
  const stored = new Map((await check.db.selectFrom('case').select(['id', 'external_reference']).execute()).map((c) => [c.external_reference, c.id]))
  const created = [...slow.map((s, i) => ({ ref: s.ref, answer: slowAnswers[i]! })), ...burstAnswers.map((a) => ({ ref: a.ref, answer: a }))].filter((x) => x.answer.status === 201)
  t.same(
    created.filter((x) => stored.get(x.ref) !== (JSON.parse(x.answer.body) as { id: string }).id).map((x) => x.ref),
    [],
    `all ${created.length} answered 201 are in the database`,
  )
  t.same(
    burstAnswers.filter((a) => a.status !== 201 && stored.has(a.ref)).map((a) => `${a.ref} ${a.status ?? a.error}`),
    [],
    'no request that was refused or reset left a case behind',
  )
  const events = await check.db.selectFrom('case_event').select(['case_id']).execute()
  t.equal(events.length, stored.size, 'one submission event per case, nothing partial')
})
