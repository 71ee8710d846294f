/**
 * Webhook fairness (issue 9): one organization's delivery latency — from the 201 of `POST /v1/cases` to the
 * webhook arriving at its receiver — first alone (baseline), then while another organization has 60 endpoints
 * that accept connections and never answer. Target: the second median within 2 × the baseline median.
 *
 *   node --import tsx bench/webhook-fairness.ts                  # a throwaway embedded PostgreSQL
 *   DATABASE_URL=postgres://… node --import tsx bench/webhook-fairness.ts   # a fresh database on that server
 *
 * The service runs in this process with its production settings (the background worker, WEBHOOK_POLL_INTERVAL_MS
 * 1000 unless BENCH_WEBHOOK_POLL_MS says otherwise), WEBHOOK_TIMEOUT_MS 60000 so the slow requests stay open for
 * the whole measurement, and WEBHOOK_ALLOWED_TARGETS=127.0.0.1 for the loopback receivers. Every connection goes
 * to 127.0.0.1. BENCH_WEBHOOK_SAMPLES (10) deliveries are timed in each phase; the figures go to stdout and to
 * bench/results/webhook-fairness.json.
 */
import { writeFileSync } from 'node:fs'
import http from 'node:http'
import type { Socket } from 'node:net'
import path from 'node:path'
import { createApiKey } from '../src/api-keys/api-key.service.ts'
import { buildApp } from '../src/app.ts'
import { loadConfig } from '../src/platform/config/config.ts'
import { createDatabase } from '../src/platform/database/database.ts'
import { startThrowawayPostgres, type EmbeddedPostgresHandle } from '../src/platform/database/embedded-postgres.ts'
import { prepareDatabase } from '../src/prepare-database.ts'
import { adminQuery, withDatabase } from '../scripts/test-database.ts'
import { intakeBody } from './lib/fixtures.ts'
import { REPO_ROOT } from './lib/processes.ts'

const SLOW_ENDPOINTS = 60
const SAMPLES = Number(process.env.BENCH_WEBHOOK_SAMPLES ?? 10)
const POLL_MS = process.env.BENCH_WEBHOOK_POLL_MS ?? '1000'

const log = (message: string) => process.stdout.write(`[webhook-fairness] ${message}\n`)

interface Listening {
  port: number
  close(): Promise<void>
}

async function listen(handler: http.RequestListener, sockets?: Set<Socket>): Promise<Listening> {
  const server = http.createServer(handler)
  server.on('connection', (socket) => sockets?.add(socket))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets ?? []) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

async function main() {
  let embedded: EmbeddedPostgresHandle | null = null
  let server = process.env.DATABASE_URL
  if (!server) {
    log('PostgreSQL: starting a throwaway embedded server')
    embedded = await startThrowawayPostgres()
    server = embedded.connectionString
  }
  const name = `gc_bench_webhooks_${Date.now()}_${process.pid}`
  await adminQuery(server, `create database "${name}"`)
  const url = withDatabase(server, name)
  const database = createDatabase({ connectionString: url, poolMax: 10 })
  const cleanups: Array<() => Promise<unknown>> = []
  try {
    await prepareDatabase(database.db)
    const config = loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL: url,
      LOG_LEVEL: 'warn',
      SCHEDULER_ENABLED: 'false',
      WEBHOOK_POLL_INTERVAL_MS: POLL_MS,
      WEBHOOK_TIMEOUT_MS: '60000',
      WEBHOOK_ALLOWED_TARGETS: '127.0.0.1',
      WEBHOOK_MAX_ENDPOINTS_PER_ORGANIZATION: String(SLOW_ENDPOINTS),
    })
    const app = await buildApp({ config, database, logStream: { write: () => {} } })
    await app.ready()
    cleanups.push(() => app.close())
    const slowKey = (await createApiKey(database.db, { role: 'dispatch', organizationCode: 'ORG-A' })).key
    const measuredKey = (await createApiKey(database.db, { role: 'dispatch', organizationCode: 'ORG-B' })).key

    // The measured organization's receiver: when did each case's webhook arrive?
    const arrived = new Map<string, (at: number) => void>()
    const receiver = await listen((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (chunk: Buffer) => chunks.push(chunk))
      req.on('end', () => {
        const at = performance.now()
        res.writeHead(204).end()
        const caseId = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data: { caseId: string } }).data.caseId
        arrived.get(caseId)?.(at)
      })
    })
    cleanups.push(() => receiver.close())
    const register = async (key: string, target: string) => {
      const response = await app.inject({ method: 'POST', url: '/v1/webhooks', headers: { authorization: `Bearer ${key}` }, payload: { url: target, eventTypes: ['*'] } })
      if (response.statusCode !== 201) throw new Error(`registration failed: ${response.statusCode} ${response.body}`)
    }
    await register(measuredKey, `http://127.0.0.1:${receiver.port}/hooks`)

    let reference = 0
    const submit = async (key: string) => {
      const response = await app.inject({
        method: 'POST',
        url: '/v1/cases',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        payload: intakeBody(`FAIR-${process.pid}-${++reference}`),
      })
      if (response.statusCode !== 201) throw new Error(`submission failed: ${response.statusCode} ${response.body}`)
      return { id: (response.json() as { id: string }).id, at: performance.now() }
    }
    const sample = async () => {
      const submitted = await submit(measuredKey)
      const at = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no delivery within 60 s')), 60_000)
        arrived.set(submitted.id, (when) => {
          clearTimeout(timer)
          resolve(when)
        })
      })
      return at - submitted.at
    }
    const phase = async (label: string) => {
      const latencies: number[] = []
      for (let i = 0; i < SAMPLES; i++) latencies.push(await sample())
      const figures = { samples: latencies.length, medianMs: Math.round(median(latencies)), maxMs: Math.round(Math.max(...latencies)), latenciesMs: latencies.map(Math.round) }
      log(`${label}: median ${figures.medianMs} ms, max ${figures.maxMs} ms (${figures.samples} deliveries)`)
      return figures
    }

    await sample() // warm-up: the first request of each kind compiles code paths
    const baseline = await phase('baseline, alone')

    // 60 endpoints of another organization that accept every request and never answer.
    const open = new Set<string>()
    const slowSockets = new Set<Socket>()
    const silent = await listen((req) => {
      open.add(req.url as string)
      req.socket.on('close', () => open.delete(req.url as string))
    }, slowSockets)
    cleanups.unshift(() => silent.close())
    for (let i = 0; i < SLOW_ENDPOINTS; i++) await register(slowKey, `http://127.0.0.1:${silent.port}/slow/${i}`)
    await submit(slowKey)
    const deadline = Date.now() + 60_000
    while (open.size < SLOW_ENDPOINTS && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
    log(`${open.size} slow requests open`)
    const contended = await phase(`with ${SLOW_ENDPOINTS} endpoints that never answer`)
    const stillOpen = open.size
    const ratio = Math.round((contended.medianMs / Math.max(baseline.medianMs, 1)) * 100) / 100
    const pass = ratio <= 2 && stillOpen === SLOW_ENDPOINTS
    log(`ratio ${ratio} (target ≤ 2), ${stillOpen} slow requests still open at the end: ${pass ? 'PASS' : 'MISS'}`)
    const report = {
      at: new Date().toISOString(),
      node: process.version,
      pollIntervalMs: Number(POLL_MS),
      slowEndpoints: SLOW_ENDPOINTS,
      baseline,
      contended,
      stillOpen,
      ratio,
      pass,
    }
    writeFileSync(path.join(REPO_ROOT, 'bench/results/webhook-fairness.json'), `${JSON.stringify(report, null, 2)}\n`)
    if (!pass) process.exitCode = 1
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => {})
    await database.close()
    await adminQuery(server, `drop database if exists "${name}" with (force)`).catch(() => {})
    await embedded?.stop()
  }
}

await main()
