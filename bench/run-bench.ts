/**
 * `npm run bench`: the service against the limits of this machine, in one run.
 *
 *  1. PostgreSQL: DATABASE_URL's server, or a throwaway embedded one; a fresh database, migrated and seeded
 *     with reference data (prepareDatabase), API keys, and BENCH_CASES (1,000,000) cases via bench/seed-cases.ts.
 *  2. The service as a separate process, by default as the production image runs it (the compiled build, built
 *     first, under Node 24 with the flags of `npm run start:dist`), LOG_LEVEL=warn, workers off, so its peak RSS
 *     is its own and autocannon's CPU is not counted as the server's.
 *  3. HTTP scenarios with autocannon over loopback (warm-up, then a fixed duration), each beside the baseline
 *     that bounds it on this machine, every baseline a minimal server process of its own (bench/baseline-server.ts).
 *  4. Timed sequential queries at 1,000,000 cases: the SLA report per groupBy and filtered list pages.
 *  5. A table with ratios and PASS/MISS per target, and bench/results/latest.json.
 *
 * Environment: BENCH_DURATION (s, 15), BENCH_WARMUP (s, 3), BENCH_CONNECTIONS (50), BENCH_CASES (1000000),
 * BENCH_TIMED_CALLS (20), BENCH_SCENARIOS (comma list of scenario / timed-query names, or groups
 * intake,read,compute,accept,sla,list,clash,worklist; default all), BENCH_CPU_PROF=1 (profile the service: --cpu-prof into
 * bench/results/profiles; summarize with bench/profile-top.ts), BENCH_KEEP_DB=1 (keep the database on a
 * DATABASE_URL server), BENCH_OUTPUT (JSON path, default bench/results/latest.json), BENCH_SERVICE_DIR (run
 * the service from another checkout with the same migrations, to compare a change A/B), BENCH_SEED_TEMPLATE=<db>
 * (with DATABASE_URL: clone the seeded cases from that database, creating and seeding it on first use, so
 * repeated runs skip the minutes of seeding), BENCH_PG_SAMPLE=1 (sample pg_stat_activity every 10 ms during each
 * scenario: which statements PostgreSQL spends its time on, in the JSON as activeQueries), BENCH_SERVICE_MODE
 * (`dist`, the default: `npm run build`, then the compiled entry with `start:dist`'s flags; `tsx`: `node --import
 * tsx src/server.ts` as `npm start` runs it), BENCH_SERVICE_ENTRY=<file.js> (another compiled entry, no build),
 * BENCH_NODE=<node binary> (default: Node 24 from scripts/ensure-node24.sh in dist mode, this node in tsx mode).
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import pg from 'pg'
import type { AutocannonRequest, AutocannonResult } from 'autocannon'
import { createApiKey } from '../src/api-keys/api-key.service.ts'
import { createDatabase, type DatabaseHandle } from '../src/platform/database/database.ts'
import { startThrowawayPostgres, type EmbeddedPostgresHandle } from '../src/platform/database/embedded-postgres.ts'
import { prepareDatabase } from '../src/prepare-database.ts'
import { adminQuery, withDatabase } from '../scripts/test-database.ts'
import { CLASH_SCENARIOS, runClashTimings, seedFootprints } from './lib/clash.ts'
import { runWorklistTimings, WORKLIST_SCENARIOS } from './lib/worklist.ts'
import { assessmentBodies, cloneCase, countCases, intakeBody, loadSeedModule, postJson, reportsRouteExists, sampleCaseIds, SEED_MODULE_PATH } from './lib/fixtures.ts'
import { runLoad, stopActiveLoad, timeSequentialCalls, type LoadResult, type LoadScenario, type LoadSettings, type TimedResult } from './lib/load.ts'
import { freePort, killAllChildrenNow, postmasterPidOf, REPO_ROOT, spawnNode, stopAllChildren, stopProcess } from './lib/processes.ts'
import { evaluate, formatReport, machineInfo, TARGETS, writeReport, type BenchReport } from './lib/report.ts'

function intEnv(name: string, fallback: number, min = 0): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be a whole number ≥ ${min} (got ${raw})`)
  return value
}

const settings: LoadSettings & { seedCases: number; timedCalls: number } = {
  durationSeconds: intEnv('BENCH_DURATION', 15, 1),
  warmupSeconds: intEnv('BENCH_WARMUP', 3, 0),
  connections: intEnv('BENCH_CONNECTIONS', 50, 1),
  seedCases: intEnv('BENCH_CASES', 1_000_000, 0),
  timedCalls: intEnv('BENCH_TIMED_CALLS', 20, 1),
}
const POOL_MAX = 10 // the service's default DATABASE_POOL_MAX; the baselines use the same
const CPU_PROF = process.env.BENCH_CPU_PROF === '1'
const PG_SAMPLE = process.env.BENCH_PG_SAMPLE === '1'
const PROFILE_DIR = path.join(REPO_ROOT, 'bench/results/profiles')
/** Run the service from another checkout (A/B comparison of a change); same database schema required. */
const SERVICE_DIR = process.env.BENCH_SERVICE_DIR ? path.resolve(process.env.BENCH_SERVICE_DIR) : null
/** Run another compiled entry point (e.g. an esbuild bundle) instead of dist/src/server.js; nothing is built. */
const SERVICE_ENTRY = process.env.BENCH_SERVICE_ENTRY ? path.resolve(process.env.BENCH_SERVICE_ENTRY) : null
const SERVICE_MODE = process.env.BENCH_SERVICE_MODE?.trim() || 'dist'
if (SERVICE_MODE !== 'dist' && SERVICE_MODE !== 'tsx') throw new Error(`BENCH_SERVICE_MODE must be dist or tsx (got ${SERVICE_MODE})`)
if (SERVICE_MODE === 'tsx' && SERVICE_ENTRY) throw new Error('BENCH_SERVICE_ENTRY runs a compiled entry: it needs BENCH_SERVICE_MODE=dist (the default)')

/**
 * The node flags of the production build, read from `npm run start:dist` (the Dockerfile's CMD runs the same), so
 * the benchmark measures the memory settings production runs with: `node <flags> dist/src/server.js`.
 */
function productionNodeFlags(): string[] {
  const scripts = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts
  const words = (scripts['start:dist'] ?? '').trim().split(/\s+/)
  if (words[0] !== 'node' || words.at(-1) !== 'dist/src/server.js') throw new Error(`package.json start:dist is not \`node [flags] dist/src/server.js\`: ${scripts['start:dist']}`)
  return words.slice(1, -1)
}

/** The node binary and arguments the service runs with (see BENCH_SERVICE_MODE, BENCH_NODE). */
function serviceCommand(): { node: string; args: string[]; description: string } {
  if (SERVICE_MODE === 'tsx') return { node: process.env.BENCH_NODE || process.execPath, args: ['--import', 'tsx', 'src/server.ts'], description: 'npm start (tsx)' }
  const node =
    process.env.BENCH_NODE ||
    path.join(
      execFileSync('bash', [path.join(REPO_ROOT, 'scripts/ensure-node24.sh')], { cwd: REPO_ROOT, encoding: 'utf8' })
        .trim()
        .split('\n')
        .at(-1) as string,
      'node',
    )
  if (!SERVICE_ENTRY) {
    log('building the service (npm run build)…')
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: SERVICE_DIR ?? REPO_ROOT, stdio: 'inherit' })
  }
  return {
    node,
    args: [...productionNodeFlags(), SERVICE_ENTRY ?? 'dist/src/server.js'],
    description: SERVICE_ENTRY ? `BENCH_SERVICE_ENTRY with start:dist's flags` : 'the production build (npm run start:dist)',
  }
}
const OUTPUT = process.env.BENCH_OUTPUT ? path.resolve(process.env.BENCH_OUTPUT) : path.join(REPO_ROOT, 'bench/results/latest.json')

const GROUPS: Record<string, string[]> = {
  intake: ['intake-baseline', 'intake'],
  read: ['read-baseline', 'read'],
  compute: ['compute-baseline', 'assessments'],
  accept: ['accept'],
  sla: ['sla-route', 'sla-month', 'sla-district', 'sla-organization'],
  list: ['list-page-1', 'list-page-2', 'list-dispatch-open'],
  clash: CLASH_SCENARIOS,
  worklist: WORKLIST_SCENARIOS,
}
const selected = (() => {
  const raw = process.env.BENCH_SCENARIOS?.trim()
  if (!raw) return null
  return new Set(raw.split(',').flatMap((name) => GROUPS[name.trim()] ?? [name.trim()]))
})()
const wants = (name: string) => selected === null || selected.has(name)

const log = (message: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`)

// ---- cleanup, whatever happens ---------------------------------------------------------------------

let embedded: EmbeddedPostgresHandle | null = null
let database: DatabaseHandle | null = null
let dropDatabase: (() => Promise<void>) | null = null
let cleaning: Promise<void> | null = null
/** The embedded server's last lines, shown when the run fails. */
const pgOutput: string[] = []

async function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    stopActiveLoad()
    await stopAllChildren().catch(() => {})
    await database?.close().catch(() => {})
    await dropDatabase?.().catch(() => {})
    await embedded?.stop().catch(() => {})
  })()
  await cleaning
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping everything`)
    void cleanup().finally(() => process.exit(130))
  })
}
process.once('exit', killAllChildrenNow)

// ---- the run ----------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const notes: string[] = []
  if (SERVICE_DIR) notes.push(`the service ran from ${SERVICE_DIR} (BENCH_SERVICE_DIR), not from this checkout`)
  const [load1] = loadavg()
  if ((load1 ?? 0) > 0.5) {
    const note = `the machine was busy when the run started (load average ${load1?.toFixed(2)} over 1 min): other programs compete for the ${cpus().length} cores; see the "other" CPU column`
    log(`WARNING: ${note}`)
    notes.push(note)
  }
  let serverUrl = process.env.DATABASE_URL
  if (serverUrl) {
    log(`PostgreSQL: the server of DATABASE_URL (${new URL(serverUrl).host})`)
  } else {
    log('PostgreSQL: starting a throwaway embedded server')
    embedded = await startThrowawayPostgres((line) => {
      pgOutput.push(line.trim())
      if (pgOutput.length > 30) pgOutput.shift()
    })
    serverUrl = embedded.connectionString
  }
  const dbName = `gc_bench_${Date.now()}_${process.pid}`
  const admin = serverUrl
  const url = withDatabase(serverUrl, dbName)

  // -- 1,000,000 cases: seeded here, or cloned from BENCH_SEED_TEMPLATE (a DATABASE_URL server only) --
  const wantsBigData = [...GROUPS.sla!, ...GROUPS.list!, ...CLASH_SCENARIOS, ...WORKLIST_SCENARIOS, 'read', 'read-baseline'].some(wants)
  const seedTemplate = process.env.BENCH_SEED_TEMPLATE?.trim() || null
  if (seedTemplate && embedded) notes.push('BENCH_SEED_TEMPLATE is ignored with the throwaway embedded PostgreSQL (set DATABASE_URL)')
  const useTemplate = seedTemplate !== null && !embedded && settings.seedCases > 0 && wantsBigData
  let seeded = 0
  let seedSeconds: number | null = null
  let seedMissing: string | null = null
  let seedResult: unknown = null
  const seedInto = async (handle: DatabaseHandle): Promise<void> => {
    const seedModule = await loadSeedModule()
    if (typeof seedModule === 'string') {
      seedMissing = `${seedModule}: the ${settings.seedCases.toLocaleString('en-US')}-case seed is skipped, so the SLA report and list-page timings are not measured (${path.relative(REPO_ROOT, SEED_MODULE_PATH)} must export seedCases(db, count) and rebuildSlaSummary(db))`
      log(`WARNING: ${seedMissing}`)
      notes.push(seedMissing)
      return
    }
    log(`seeding ${settings.seedCases.toLocaleString('en-US')} cases (bench/seed-cases.ts)…`)
    const started = performance.now()
    seedResult = await seedModule.seedCases(handle.db, settings.seedCases)
    // seedCases rebuilds the SLA summary itself when it says so (summaryRows); otherwise do it here.
    const rebuilt = typeof seedResult === 'object' && seedResult !== null && 'summaryRows' in seedResult
    if (!rebuilt) {
      if (seedModule.rebuildSlaSummary) await seedModule.rebuildSlaSummary(handle.db)
      else notes.push('bench/seed-cases.ts has no rebuildSlaSummary(db): the SLA summary was not rebuilt after seeding')
    }
    seedSeconds = Math.round(performance.now() - started) / 1000
    seeded = settings.seedCases
    log(`seeded in ${seedSeconds.toFixed(1)} s ${JSON.stringify(seedResult)}`)
  }

  if (useTemplate) {
    const exists = await databaseExists(admin, seedTemplate)
    if (!exists) {
      log(`BENCH_SEED_TEMPLATE: creating ${seedTemplate} with ${settings.seedCases.toLocaleString('en-US')} cases for this and later runs`)
      await adminQuery(admin, `create database "${seedTemplate}"`)
      const templateHandle = createDatabase({ connectionString: withDatabase(admin, seedTemplate), poolMax: 4, statementTimeoutMs: 0, applicationName: 'bench-seed' })
      try {
        await prepareDatabase(templateHandle.db)
        await seedInto(templateHandle)
        await sql`vacuum analyze`.execute(templateHandle.db)
      } catch (error) {
        await templateHandle.close()
        await adminQuery(admin, `drop database if exists "${seedTemplate}" with (force)`).catch(() => {})
        throw error
      }
      await templateHandle.close()
    } else {
      log(`BENCH_SEED_TEMPLATE: cloning ${seedTemplate} (no seeding)`)
      seedResult = { clonedFrom: seedTemplate }
      notes.push(`the cases were cloned from the database ${seedTemplate} (BENCH_SEED_TEMPLATE), seeded by an earlier run`)
    }
    await adminQuery(admin, `create database "${dbName}" template "${seedTemplate}"`)
  } else {
    await adminQuery(admin, `create database "${dbName}"`)
  }
  dropDatabase = embedded || process.env.BENCH_KEEP_DB === '1' ? null : () => adminQuery(admin, `drop database if exists "${dbName}" with (force)`)
  database = createDatabase({ connectionString: url, poolMax: 4, statementTimeoutMs: 600_000, applicationName: 'bench' })
  const db = database.db
  await prepareDatabase(db)
  const postgresVersion = (await sql<{ version: string }>`select version()`.execute(db)).rows[0]?.version.replace(/ on .*/, '').replace(/,.*/, '') ?? 'unknown'
  log(`database ${dbName} ready (${postgresVersion})`)
  // PostgreSQL's CPU is measured when the cluster is local (the embedded one, or DATABASE_URL on this machine as a superuser).
  const dataDirectory =
    embedded?.dataDir ??
    (await sql<{ data_directory: string }>`show data_directory`.execute(db).then(
      (r) => r.rows[0]?.data_directory ?? null,
      () => null,
    ))
  const postmasterPid = dataDirectory ? postmasterPidOf(dataDirectory) : null
  if (postmasterPid === null) notes.push('PostgreSQL is not a local cluster this run can see: its CPU share is not measured')

  if (!useTemplate && settings.seedCases > 0 && wantsBigData) await seedInto(database)
  if (useTemplate && seedResult && typeof seedResult === 'object' && 'clonedFrom' in seedResult) seeded = Math.max(0, await countCases(db))

  // The dispatch key of an established organization (the seed's largest, known to the planner's statistics):
  // the steady state of a dispatch system. A brand-new organization meets stale statistics; see bench/README.md.
  const intakeOrganization =
    (await sql<{ code: string }>`select o.code from "case" c join organization o on o.id = c.organization_id group by o.code order by count(*) desc, o.code limit 1`.execute(db))
      .rows[0]?.code ?? 'BENCH-DISPATCH'
  const dispatch = (await createApiKey(db, { role: 'dispatch', organizationCode: intakeOrganization, name: 'bench dispatch' })).key
  const office = (await createApiKey(db, { role: 'office', name: 'bench office' })).key

  // Works footprints for the clash scenario (bench/lib/clash.ts) on BENCH_CLASH_FOOTPRINTS of the seeded cases.
  let footprints = 0
  if (CLASH_SCENARIOS.some(wants)) {
    const wanted = intEnv('BENCH_CLASH_FOOTPRINTS', 100_000)
    log(`seeding ${wanted.toLocaleString('en-US')} works footprints over the city (bench/lib/clash.ts)…`)
    footprints = await seedFootprints(db, wanted)
    log(`${footprints.toLocaleString('en-US')} footprints`)
    if (footprints < wanted) notes.push(`only ${footprints} works footprints: BENCH_CASES must be at least BENCH_CLASH_FOOTPRINTS (${wanted})`)
  }

  // Fresh statistics and visibility maps, and no checkpoint or autovacuum of the seed during the runs.
  log('vacuum analyze + checkpoint…')
  await sql`vacuum analyze`.execute(db)
  await sql`checkpoint`.execute(db).catch(() => notes.push('CHECKPOINT after seeding was refused (not a superuser)'))

  // -- the service --
  const servicePort = await freePort()
  mkdirSync(PROFILE_DIR, { recursive: true })
  // One folder per run: --cpu-prof writes one profile per thread (tsx's module loader runs in a thread of its own);
  // the service's main thread is the file whose thread id is 0 (CPU.<date>.<time>.<pid>.0.<seq>.cpuprofile).
  const profileDir = path.join(PROFILE_DIR, new Date().toISOString().replace(/[:.]/g, '-'))
  if (CPU_PROF) mkdirSync(profileDir, { recursive: true })
  log(`starting the service on 127.0.0.1:${servicePort}${CPU_PROF ? ` with --cpu-prof (${path.relative(REPO_ROOT, profileDir)})` : ''}`)
  const command = serviceCommand()
  const nodeVersion = execFileSync(command.node, ['--version'], { encoding: 'utf8' }).trim()
  notes.push(`the service ran as \`${path.relative(REPO_ROOT, command.node) || command.node} ${command.args.join(' ')}\` (${command.description}, Node ${nodeVersion})`)
  log(notes.at(-1) as string)
  const service = await spawnNode({
    name: 'service',
    node: command.node,
    args: [...(CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), ...command.args],
    env: {
      NODE_ENV: 'production',
      DATABASE_URL: url,
      PORT: String(servicePort),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      DATABASE_POOL_MAX: String(POOL_MAX),
      SCHEDULER_ENABLED: 'false',
      WEBHOOK_WORKER_ENABLED: 'false',
      // A checkpoint at start would hash every seeded case during the measurement.
      AUDIT_CHECKPOINT_ENABLED: 'false',
      // The load comes from one office and one dispatch key: the per-key rate limit would measure itself.
      RATE_LIMIT_PER_KEY: '0',
    },
    port: servicePort,
    readyPath: '/health/ready',
    ...(SERVICE_DIR ? { cwd: SERVICE_DIR } : {}),
  })
  const base = `http://127.0.0.1:${servicePort}`
  const serviceRssAtReady = service.memory.current()
  log(`service ready (pid ${service.pid}, RSS ${((serviceRssAtReady ?? 0) / 1024 / 1024).toFixed(1)} MB)`)
  const windows: Array<{ name: string; startMonotonicUs: number; endMonotonicUs: number }> = []
  const monotonicUs = () => Number(process.hrtime.bigint() / 1000n)

  // A case written by the service: the template for the intake baseline and the transition scenario.
  const template = await postJson(`${base}/v1/cases`, dispatch, intakeBody(`BENCH-TEMPLATE-${Date.now()}`))
  const created = (template.body ?? {}) as { id?: string; status?: string; version?: number }
  if (template.status !== 201 || created.status !== 'submitted' || (created.version ?? 0) < 1) {
    throw new Error(`the template case could not be submitted: ${template.status} ${JSON.stringify(template.body).slice(0, 500)}`)
  }
  const templateId = created.id as string
  const assessment = await postJson(`${base}/v1/assessments`, dispatch, assessmentBodies[0] as string)
  if (assessment.status !== 200) throw new Error(`POST /v1/assessments failed: ${assessment.status} ${JSON.stringify(assessment.body).slice(0, 500)}`)

  // -- timed queries at 1,000,000 cases (before the write scenarios add their cases) --
  const timed: TimedResult[] = []
  const totalCases = await countCases(db)
  // Timed at scale only: with no seeded cases (BENCH_CASES=0, or no seed module) they are reported as not measured.
  const noSeed = seedMissing ?? (seeded === 0 ? 'BENCH_CASES=0: no seeded cases' : null)
  await runTimedQueries({ db, base, office, timed, noSeed, notes, windows, monotonicUs })
  if (CLASH_SCENARIOS.some(wants)) await runClashTimings({ db, base, dispatch, office, calls: Math.max(settings.timedCalls, 40), footprints, timed, log })
  // Last of the timed queries: it rewrites the open cases' supervision columns.
  if (WORKLIST_SCENARIOS.some(wants)) await runWorklistTimings({ db, base, office, calls: Math.max(settings.timedCalls, 40), timed, wants, log })

  // -- HTTP scenarios --
  const load: LoadResult[] = []
  const baselineRss: Record<string, number | null> = {}
  const runPair = async (
    baselineScenario: (Omit<LoadScenario, 'target'> & { mode: string; env?: Record<string, string> }) | null,
    serviceScenario: Omit<LoadScenario, 'target'>,
  ) => {
    if (baselineScenario && wants(baselineScenario.name)) {
      const port = await freePort()
      const baseline = await spawnNode({
        name: baselineScenario.name,
        args: ['--import', 'tsx', 'bench/baseline-server.ts', baselineScenario.mode],
        env: { NODE_ENV: 'production', DATABASE_URL: url, PORT: String(port), LOG_LEVEL: 'warn', DATABASE_POOL_MAX: String(POOL_MAX), ...baselineScenario.env },
        port,
        readyPath: '/health/ready',
      })
      try {
        log(`${baselineScenario.name}: ${baselineScenario.description}`)
        load.push(await runLoad({ ...baselineScenario, target: baseline }, settings, 'baseline', postmasterPid, PG_SAMPLE ? url : null))
        printLine(load.at(-1) as LoadResult)
        baselineRss[baselineScenario.name] = baseline.memory.highWaterMark()
        if (baseline.errorLines > 0) notes.push(`${baselineScenario.name} logged ${baseline.errorLines} error lines, e.g. ${baseline.warnSamples[0] ?? ''}`)
      } finally {
        await stopProcess(baseline)
      }
    }
    if (wants(serviceScenario.name)) {
      log(`${serviceScenario.name}: ${serviceScenario.description}`)
      const startMonotonicUs = monotonicUs()
      load.push(await runLoad({ ...serviceScenario, target: service }, settings, 'service', postmasterPid, PG_SAMPLE ? url : null))
      windows.push({ name: serviceScenario.name, startMonotonicUs, endMonotonicUs: monotonicUs() })
      printLine(load.at(-1) as LoadResult)
    }
  }
  const auth = (key: string) => ({ authorization: `Bearer ${key}` })
  const json = { 'content-type': 'application/json' }
  const runTag = Date.now().toString(36)

  // Intake: every request a new case with its own externalReference (as dispatch systems send them).
  let intakeCounter = 0
  const intakeRequests = (): AutocannonRequest[] => [
    {
      method: 'POST',
      path: '/v1/cases',
      headers: { ...auth(dispatch), ...json },
      setupRequest: (request) => ({ ...request, body: intakeBody(`WO-${runTag}-${++intakeCounter}`) }),
    },
  ]
  let baselineIntakeCounter = 0
  await runPair(
    {
      name: 'intake-baseline',
      mode: 'intake',
      env: { TEMPLATE_CASE_ID: templateId },
      description: 'POST /cases: the same case + case_event inserts in one transaction, plain pg, no validation/auth/rules',
      requests: [
        {
          method: 'POST',
          path: '/cases',
          headers: { ...auth(dispatch), ...json },
          setupRequest: (request) => ({ ...request, body: intakeBody(`BL-${runTag}-${++baselineIntakeCounter}`) }),
        },
      ],
    },
    {
      name: 'intake',
      baseline: 'intake-baseline',
      description: `POST /v1/cases (dispatch key of ${intakeOrganization}, joint_review case, new externalReference each)`,
      requests: intakeRequests(),
    },
  )

  // Read: rotate over ids spread over the whole table (office key: any organization's case).
  const readIds = wants('read') || wants('read-baseline') ? await sampleCaseIds(db, 10_000) : []
  const rotating = (prefix: string, key: string): AutocannonRequest[] => {
    let next = 0
    return [{ method: 'GET', headers: auth(key), setupRequest: (request) => ({ ...request, path: `${prefix}/${readIds[next++ % readIds.length]}` }) }]
  }
  await runPair(
    { name: 'read-baseline', mode: 'read', description: `GET /cases/:id: select * by primary key, plain pg (${readIds.length} ids rotated)`, requests: rotating('/cases', office) },
    { name: 'read', baseline: 'read-baseline', description: `GET /v1/cases/{id} (office key, ${readIds.length} ids rotated)`, requests: rotating('/v1/cases', office) },
  )

  // Compute: the rules and the calendar, nothing stored; the baseline returns the same-size constant body.
  const bodies = (pathName: string): AutocannonRequest[] => assessmentBodies.map((body) => ({ method: 'POST', path: pathName, headers: { ...auth(dispatch), ...json }, body }))
  await runPair(
    {
      name: 'compute-baseline',
      mode: 'compute',
      env: { BASELINE_BODY: JSON.stringify(assessment.body) },
      description: 'POST /assessments: bare fastify, constant JSON body (an assessment response), pino at warn',
      requests: bodies('/assessments'),
    },
    {
      name: 'assessments',
      baseline: 'compute-baseline',
      description: 'POST /v1/assessments (three bodies: joint review, fast track, standard)',
      requests: bodies('/v1/assessments'),
    },
  )

  // Accept under load: each request a fresh submitted case at version 1 (copies of the template).
  let transitionIds: string[] = []
  if (wants('accept')) {
    const initial = Math.max(2_000 * Math.max(settings.warmupSeconds, 1), settings.connections * 20)
    log(`preparing ${initial.toLocaleString('en-US')} submitted cases for the accept scenario`)
    transitionIds = await cloneCase(db, templateId, initial, `BT-${runTag}-0`)
    let next = 0
    let measuring = false
    let exhausted = false
    let batch = 0
    await runPair(null, {
      name: 'accept',
      description: 'POST /v1/cases/{id}/transitions {"action":"accept"}, If-Match "1" (office key, a fresh submitted case each)',
      requests: [
        {
          method: 'POST',
          headers: { ...auth(office), ...json, 'if-match': '"1"' },
          body: '{"action":"accept"}',
          setupRequest: (request) => {
            if (next >= transitionIds.length) {
              // Out of prepared cases: stop rather than send requests that can only fail.
              if (measuring) exhausted = true
              stopActiveLoad()
              next = transitionIds.length - 1
            }
            return { ...request, path: `/v1/cases/${transitionIds[next++]}/transitions` }
          },
        },
      ],
      beforeMeasure: async (warmup: AutocannonResult) => {
        const rate = warmup.requests.total / Math.max(warmup.duration, 1)
        // The warm-up runs cold (JIT, caches, a short window), so the measured rate can be several times it: prepare
        // for three times the warm-up's rate and never fewer than 1,000 per second of measurement.
        const needed = Math.max(Math.ceil(rate * settings.durationSeconds * 3), 1_000 * settings.durationSeconds) + settings.connections * 10
        const remaining = transitionIds.length - next
        if (remaining < needed) {
          log(`accept: ${Math.round(rate)} req/s in the warm-up; preparing ${(needed - remaining).toLocaleString('en-US')} more cases`)
          transitionIds = transitionIds.concat(await cloneCase(db, templateId, needed - remaining, `BT-${runTag}-${++batch}`))
        }
        measuring = true
      },
      exhausted: () => exhausted,
    })
  }

  // -- the end: the service's peak memory over the whole run, then stop it --
  const serviceHighWaterMark = service.memory.highWaterMark()
  const serviceSampledPeak = service.memory.peakSampled()
  const serverLog = { warnLines: service.warnLines, errorLines: service.errorLines, samples: service.warnSamples }
  await stopProcess(service)
  let profileFile: string | null = null
  if (CPU_PROF) {
    const main = readdirSync(profileDir).find((name) => new RegExp(`^CPU\\.\\d+\\.\\d+\\.${service.pid}\\.0\\.`).test(name))
    profileFile = main ? path.relative(REPO_ROOT, path.join(profileDir, main)) : null
    notes.push(
      profileFile
        ? `CPU profile of the service's main thread: ${profileFile} (node --import tsx bench/profile-top.ts ${profileFile} --results ${path.relative(REPO_ROOT, OUTPUT)} [--window <scenario>])`
        : `no CPU profile of the service's main thread was found in ${path.relative(REPO_ROOT, profileDir)}`,
    )
  }
  if (serverLog.errorLines + serverLog.warnLines > 0) notes.push(`the service logged ${serverLog.errorLines} error and ${serverLog.warnLines} warn lines`)

  const expectedLoad = ['intake', 'read', 'assessments', 'accept'].filter(wants)
  const expectedTimed = [...GROUPS.sla!, ...GROUPS.list!, 'clash-step', 'works-feed', ...WORKLIST_SCENARIOS].filter(wants)
  const targets = evaluate(load, timed, serviceHighWaterMark, { load: expectedLoad, timed: expectedTimed })
  const report: BenchReport & { profile?: { file: string; windows: typeof windows } } = {
    machine: machineInfo(postgresVersion),
    settings: {
      durationSeconds: settings.durationSeconds,
      warmupSeconds: settings.warmupSeconds,
      connections: settings.connections,
      seedCases: settings.seedCases,
      databasePoolMax: POOL_MAX,
      databaseSource: embedded ? 'embedded' : 'DATABASE_URL',
    },
    data: { cases: totalCases, seeded, seedSeconds, seedResult, readIds: readIds.length, transitionCasesPrepared: transitionIds.length },
    load,
    timed,
    rss: { serviceAtReady: serviceRssAtReady, serviceHighWaterMark, serviceSampledPeak, baselines: baselineRss },
    serverLog,
    targets,
    allPass: targets.every((check) => check.pass === true),
    notes,
    ...(CPU_PROF ? { profile: { file: profileFile ?? path.relative(REPO_ROOT, profileDir), windows } } : {}),
  }
  console.log(`\n${formatReport(report)}\n`)
  const file = writeReport(report, OUTPUT)
  log(`results written to ${path.relative(REPO_ROOT, file)}`)
  return 0
}

async function databaseExists(serverUrl: string, name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: serverUrl })
  await client.connect()
  try {
    return (await client.query('select 1 from pg_database where datname = $1', [name])).rowCount === 1
  } finally {
    await client.end()
  }
}

function printLine(result: LoadResult): void {
  for (const { share, query } of result.activeQueries ?? []) log(`    pg ${share.toFixed(2)} backends  ${query}`)
  const codes = Object.entries(result.statusCodes)
    .map(([code, count]) => `${code}×${count}`)
    .join(' ')
  log(
    `  → ${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.latencyMs.p50} ms, p97.5 ${result.latencyMs.p97_5} ms, p99 ${result.latencyMs.p99} ms; ` +
      `${codes}; errors ${result.errors}, timeouts ${result.timeouts}; CPU % server ${result.cpu.serverPercent} pg ${result.cpu.postgresPercent} load ${result.cpu.loadGeneratorPercent} other ${result.cpu.otherPercent}`,
  )
}

async function runTimedQueries(context: {
  db: DatabaseHandle['db']
  base: string
  office: string
  timed: TimedResult[]
  /** Why there are no seeded cases to time the queries on, if so. */
  noSeed: string | null
  notes: string[]
  windows: Array<{ name: string; startMonotonicUs: number; endMonotonicUs: number }>
  monotonicUs: () => number
}): Promise<void> {
  const { db, base, office, timed, noSeed, notes } = context
  const headers = { authorization: `Bearer ${office}` }
  const skip = (name: string, description: string, targetMs: number, reason: string) =>
    timed.push({
      name,
      description,
      path: '',
      calls: 0,
      coldMs: NaN,
      medianMs: NaN,
      maxMs: NaN,
      minMs: NaN,
      errors: 0,
      statusCodes: {},
      resultSize: null,
      targetMs,
      skipped: reason,
    })
  const time = async (name: string, description: string, pathName: string, targetMs: number, key = headers) => {
    log(`${name}: ${settings.timedCalls} sequential calls of GET ${pathName}`)
    const startMonotonicUs = context.monotonicUs()
    const result = await timeSequentialCalls({ name, description, baseUrl: base, path: pathName, headers: key, calls: settings.timedCalls, targetMs })
    context.windows.push({ name, startMonotonicUs, endMonotonicUs: context.monotonicUs() })
    const { lastBody, ...rest } = result
    timed.push(rest)
    log(`  → cold ${rest.coldMs} ms, median ${rest.medianMs} ms, max ${rest.maxMs} ms, ${rest.resultSize ?? '?'} rows, statuses ${JSON.stringify(rest.statusCodes)}`)
    if (rest.errors > 0) notes.push(`${name}: ${rest.errors} failed calls, e.g. ${JSON.stringify(lastBody).slice(0, 400)}`)
    return lastBody as Record<string, unknown> | null
  }

  // The SLA report over the whole seeded period (Shanghai dates).
  const slaNames = GROUPS.sla!.filter(wants)
  if (slaNames.length > 0) {
    let reason = noSeed
    if (!reason) {
      const probe = await fetch(`${base}/v1/reports/sla?from=2026-01-01&to=2026-01-31&groupBy=route`, { headers })
      const body = (await probe.json().catch(() => null)) as { code?: string } | null
      if (probe.status === 404 && body?.code === 'route_not_found') {
        reason = `GET /v1/reports/sla does not exist yet${reportsRouteExists() ? ' (src/reports/ exists but the route is not registered)' : ' (src/reports/ missing)'}`
      }
    }
    if (reason) {
      if (!noSeed) notes.push(`${reason}: the SLA report timings are not measured`)
      for (const name of slaNames) skip(name, 'GET /v1/reports/sla', TARGETS.slaReportMs, reason)
    } else {
      // The report covers decision dates (Asia/Shanghai); the whole decided range of the seed, at most
      // MAX_REPORT_SPAN_DAYS (src/reports/sla-report.schema.ts: 1096) ending at the last decision.
      const range = await sql<{ from: string; to: string }>`
        with r as (select min(sla_decided_on) as lo, max(sla_decided_on) as hi from "case")
        select to_char(greatest(lo, hi - 1095), 'YYYY-MM-DD') as "from", to_char(hi, 'YYYY-MM-DD') as "to" from r`
        .execute(db)
        .then((r) => r.rows[0])
        .catch(() => undefined)
      if (!range?.from || !range.to) notes.push('no decided case in the seed (sla_decided_on): the SLA report periods fall back to today')
      const today = new Date().toISOString().slice(0, 10)
      const from = range?.from ?? today
      const to = range?.to ?? today
      for (const name of slaNames) {
        const groupBy = name.replace('sla-', '')
        await time(name, `GET /v1/reports/sla grouped by ${groupBy}, decisions ${from} to ${to}`, `/v1/reports/sla?from=${from}&to=${to}&groupBy=${groupBy}`, TARGETS.slaReportMs)
      }
    }
  }

  // Filtered list pages: the most common district among joint reviews, page 1 and page 2 (cursor);
  // a dispatch system listing its own open (submitted) cases.
  const listNames = GROUPS.list!.filter(wants)
  if (listNames.length > 0) {
    if (noSeed) {
      for (const name of listNames) skip(name, 'GET /v1/cases', TARGETS.listPageMs, noSeed)
      return
    }
    const district =
      (await sql<{ district: string }>`select district from "case" where route = 'joint_review' group by district order by count(*) desc limit 1`.execute(db)).rows[0]?.district ??
      'Longwen'
    const page1 = `/v1/cases?route=joint_review&district=${encodeURIComponent(district)}&limit=50`
    let cursor: string | null = null
    if (wants('list-page-1') || wants('list-page-2')) {
      const response = await fetch(`${base}${page1}`, { headers })
      cursor = ((await response.json()) as { nextCursor?: string | null }).nextCursor ?? null
    }
    if (wants('list-page-1')) await time('list-page-1', `GET /v1/cases, route=joint_review, district=${district}, 50 per page`, page1, TARGETS.listPageMs)
    if (wants('list-page-2')) {
      if (cursor) await time('list-page-2', 'the same, second page (cursor)', `${page1}&cursor=${encodeURIComponent(cursor)}`, TARGETS.listPageMs)
      else skip('list-page-2', 'the same, second page (cursor)', TARGETS.listPageMs, 'the first page has no nextCursor')
    }
    if (wants('list-dispatch-open')) {
      // The organization with the most cases lists its submitted cases, as its dispatch system would.
      const organization = (
        await sql<{ code: string }>`select o.code from "case" c join organization o on o.id = c.organization_id group by o.code order by count(*) desc limit 1`.execute(db)
      ).rows[0]?.code
      if (organization) {
        const key = (await createApiKey(db, { role: 'dispatch', organizationCode: organization, name: 'bench dispatch (largest organization)' })).key
        await time(
          'list-dispatch-open',
          `GET /v1/cases?status=accepted as a dispatch key of ${organization} (its own cases under review)`,
          '/v1/cases?status=accepted&limit=50',
          TARGETS.listPageMs,
          {
            authorization: `Bearer ${key}`,
          },
        )
      }
    }
  }
}

main()
  .then(async (code) => {
    await cleanup()
    process.exit(code)
  })
  .catch(async (error: unknown) => {
    console.error(`\nbench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
    if (pgOutput.length > 0) console.error(`last PostgreSQL output:\n${pgOutput.join('\n')}`)
    await cleanup()
    process.exit(1)
  })
