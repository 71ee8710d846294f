/** Load generation (autocannon over loopback) and timed sequential queries. */
import autocannon, { type AutocannonRequest, type AutocannonResult, type Instance } from 'autocannon'
import pg from 'pg'
import { CpuMeter, type CpuShare, type ManagedProcess } from './processes.ts'

export interface LoadSettings {
  durationSeconds: number
  warmupSeconds: number
  connections: number
}

export interface LoadScenario {
  name: string
  /** What it is compared with (the baseline scenario's name), if anything. */
  baseline?: string
  description: string
  target: ManagedProcess
  requests: AutocannonRequest[]
  /** Called between the warm-up and the measured run (e.g. to top up pre-created cases). */
  beforeMeasure?: (warmup: AutocannonResult) => Promise<void>
  /** Set by a scenario that ran out of prepared input and stopped early. */
  exhausted?: () => boolean
}

export interface LoadResult {
  name: string
  description: string
  baseline: string | null
  kind: 'service' | 'baseline'
  connections: number
  durationSeconds: number
  requests: number
  requestsPerSecond: number
  latencyMs: { p50: number; p97_5: number; p99: number; max: number; mean: number }
  non2xx: number
  errors: number
  timeouts: number
  statusCodes: Record<string, number>
  /** Peak RSS of the server process sampled during the measured run. */
  peakRssBytes: number
  cpu: CpuShare
  /**
   * CPU time per request (ms) of the server process and of PostgreSQL: what each request costs, which a busy
   * neighbour on the machine disturbs much less than req/s.
   */
  cpuMsPerRequest: { server: number | null; postgres: number | null }
  exhausted: boolean
  /** BENCH_PG_SAMPLE=1: the statements PostgreSQL was running, sampled every 10 ms: the average number of backends running each. */
  activeQueries?: Array<{ share: number; query: string }>
}

let activeInstance: Instance | undefined

/** Stops a running autocannon (used when the run is interrupted). */
export function stopActiveLoad(): void {
  activeInstance?.stop()
}

async function fire(url: string, settings: { connections: number; duration: number }, requests: AutocannonRequest[]): Promise<AutocannonResult> {
  const instance = autocannon({ url, connections: settings.connections, duration: settings.duration, requests, timeout: 10 })
  activeInstance = instance
  try {
    return await instance
  } finally {
    activeInstance = undefined
  }
}

/**
 * A poor man's profiler of PostgreSQL: which statements are active, sampled from pg_stat_activity. The share
 * of samples a statement has is roughly its share of the database's busy time.
 */
class ActiveQuerySampler {
  #client: pg.Client
  #counts = new Map<string, number>()
  #samples = 0
  #running = false
  #loop: Promise<void> | undefined

  constructor(connectionString: string) {
    this.#client = new pg.Client({ connectionString, application_name: 'bench-sampler' })
  }

  async start(): Promise<void> {
    await this.#client.connect()
    this.#running = true
    this.#loop = (async () => {
      while (this.#running) {
        const { rows } = await this.#client.query<{ query: string }>(
          "select query from pg_stat_activity where datname = current_database() and state = 'active' and pid <> pg_backend_pid() and backend_type = 'client backend'",
        )
        this.#samples++
        for (const { query } of rows) {
          const key = query.replace(/\s+/g, ' ').trim().slice(0, 160)
          this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1)
        }
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
    })()
  }

  async stop(): Promise<Array<{ share: number; query: string }>> {
    this.#running = false
    await this.#loop
    await this.#client.end()
    return [...this.#counts]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10)
      .map(([query, count]) => ({ share: Math.round((count / Math.max(this.#samples, 1)) * 100) / 100, query }))
  }
}

export async function runLoad(
  scenario: LoadScenario,
  settings: LoadSettings,
  kind: LoadResult['kind'],
  postmasterPid: number | null,
  sampleQueriesOf: string | null = null,
): Promise<LoadResult> {
  const url = `http://127.0.0.1:${scenario.target.port}`
  const warmup = settings.warmupSeconds > 0 ? await fire(url, { connections: settings.connections, duration: settings.warmupSeconds }, scenario.requests) : undefined
  if (warmup && scenario.beforeMeasure) await scenario.beforeMeasure(warmup)

  const cpu = new CpuMeter(scenario.target.pid, postmasterPid)
  const startedAt = Date.now()
  const sampler = sampleQueriesOf ? new ActiveQuerySampler(sampleQueriesOf) : null
  await sampler?.start()
  await cpu.start()
  const result = await fire(url, { connections: settings.connections, duration: settings.durationSeconds }, scenario.requests)
  const cpuShare = await cpu.stop()
  const activeQueries = await sampler?.stop()
  scenario.target.memory.sample()

  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, { count }]) => [code, count]))
  return {
    name: scenario.name,
    description: scenario.description,
    baseline: scenario.baseline ?? null,
    kind,
    connections: settings.connections,
    durationSeconds: result.duration,
    requests: result.requests.total,
    requestsPerSecond: Math.round((result.requests.total / result.duration) * 10) / 10,
    latencyMs: {
      p50: result.latency.p50,
      p97_5: result.latency.p97_5,
      p99: result.latency.p99,
      max: result.latency.max,
      mean: Math.round(result.latency.mean * 100) / 100,
    },
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    peakRssBytes: scenario.target.memory.peakSince(startedAt),
    cpu: cpuShare,
    cpuMsPerRequest: {
      server: perRequest(cpuShare.serverPercent, result.requests.total / result.duration),
      postgres: perRequest(cpuShare.postgresPercent, result.requests.total / result.duration),
    },
    exhausted: scenario.exhausted?.() ?? false,
    ...(activeQueries ? { activeQueries } : {}),
  }
}

function perRequest(percentOfCore: number | null, requestsPerSecond: number): number | null {
  if (percentOfCore === null || requestsPerSecond <= 0) return null
  return Math.round((percentOfCore * 10 * 1000) / requestsPerSecond) / 1000
}

// ---- timed sequential queries ----------------------------------------------------------------------

export interface TimedResult {
  name: string
  description: string
  path: string
  calls: number
  coldMs: number
  medianMs: number
  maxMs: number
  minMs: number
  errors: number
  statusCodes: Record<string, number>
  /** Rows in the response (items, rows or groups), from the last call. */
  resultSize: number | null
  targetMs: number
  skipped?: string
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

const round = (value: number) => Math.round(value * 100) / 100

export async function timeSequentialCalls(options: {
  name: string
  description: string
  baseUrl: string
  path: string
  headers: Record<string, string>
  calls: number
  targetMs: number
}): Promise<TimedResult & { lastBody: unknown }> {
  const statusCodes: Record<string, number> = {}
  let errors = 0
  let lastBody: unknown = null
  const once = async (): Promise<number> => {
    const started = performance.now()
    try {
      const response = await fetch(`${options.baseUrl}${options.path}`, { headers: options.headers })
      const text = await response.text()
      const elapsed = performance.now() - started
      statusCodes[response.status] = (statusCodes[response.status] ?? 0) + 1
      if (!response.ok) errors++
      try {
        lastBody = JSON.parse(text)
      } catch {
        lastBody = text
      }
      return elapsed
    } catch (error) {
      errors++
      lastBody = String(error)
      return performance.now() - started
    }
  }
  // The first call is reported separately (cold: plans, caches); the verdict uses the next `calls`.
  const coldMs = await once()
  const times: number[] = []
  for (let i = 0; i < options.calls; i++) times.push(await once())
  return {
    name: options.name,
    description: options.description,
    path: options.path,
    calls: times.length,
    coldMs: round(coldMs),
    medianMs: round(median(times)),
    maxMs: round(Math.max(...times)),
    minMs: round(Math.min(...times)),
    errors,
    statusCodes,
    resultSize: sizeOf(lastBody),
    targetMs: options.targetMs,
    lastBody,
  }
}

function sizeOf(body: unknown): number | null {
  if (!body || typeof body !== 'object') return null
  for (const key of ['items', 'rows', 'groups', 'data']) {
    const value = (body as Record<string, unknown>)[key]
    if (Array.isArray(value)) return value.length
  }
  return Array.isArray(body) ? body.length : null
}
