/**
 * `npm test`: runs the whole tap suite against a real PostgreSQL — DATABASE_URL when set, otherwise a throwaway
 * embedded server. `npm run test:unit` (`--unit`): only the tier that needs no database (test/core, test/unit),
 * with no PostgreSQL started and no database settings passed on, so a file there that reaches for a database fails.
 * Both end with the "N passed, N failed" line CI reads (one count per test file).
 *
 * The database suite is prepared once (a migrated template database) and every test file clones its own database
 * from it, so files can run in parallel without sharing state.
 */
import { spawn } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

/** The tier without a database: pure code and units (no PostgreSQL, no network beyond loopback). */
const UNIT_TIER = ['test/core', 'test/unit']

/** tap's CLI, run with this very Node (process.execPath): the Node that runs `npm test` is the one that runs the tests. */
function tapCli(): string {
  const require = createRequire(import.meta.url)
  const manifest = require.resolve('tap/package.json')
  const bin = (require(manifest) as { bin: { tap: string } }).bin.tap
  return path.join(path.dirname(manifest), bin)
}

interface TapResult {
  passed: number
  failed: number
  skipped: number
  exitCode: number
}

/**
 * tap compiles the tests with tsx (package.json `tap.node-arg`) instead of its ts-node plugin, which is several times
 * slower to start; without that plugin tap expands a folder only to JavaScript files, so a folder given here is
 * turned into its `*.test.ts` glob (the same pattern as `tap.include`). Options and files pass through unchanged.
 */
function tapArguments(args: string[]): string[] {
  return args.map((arg) => (!arg.startsWith('-') && existsSync(arg) && statSync(arg).isDirectory() ? `${arg.replace(/\/+$/, '')}/**/*.test.ts` : arg))
}

/** Runs tap and counts its top-level results: one unindented "ok N"/"not ok N" line per test file. */
async function runTap(files: string[], env: NodeJS.ProcessEnv): Promise<TapResult> {
  const child = spawn(process.execPath, [tapCli(), '--reporter=tap', ...tapArguments(files)], { stdio: ['ignore', 'pipe', 'inherit'], env })
  const result: TapResult = { passed: 0, failed: 0, skipped: 0, exitCode: 1 }
  let buffer = ''
  const count = (line: string) => {
    if (/^ok \d+ /.test(line)) /# SKIP/.test(line) ? result.skipped++ : result.passed++
    else if (/^not ok \d+ /.test(line)) result.failed++
  }
  child.stdout.on('data', (chunk: Buffer) => {
    process.stdout.write(chunk)
    buffer += chunk.toString('utf8')
    const lines = buffer.split('\n')
    buffer = lines.pop() ?? ''
    lines.forEach(count)
  })
  result.exitCode = await new Promise((resolve) => child.on('close', (exit) => resolve(exit ?? 1)))
  count(buffer)
  return result
}

async function unitTier(args: string[]): Promise<TapResult> {
  console.log(`tests: the unit tier (no database) on Node ${process.version}`)
  const env: NodeJS.ProcessEnv = { ...process.env, TZ: process.env.TZ ?? 'UTC' }
  for (const name of ['DATABASE_URL', 'TEST_DATABASE_SERVER_URL', 'TEST_DATABASE_TEMPLATE']) delete env[name]
  return await runTap(args.length > 0 ? args : UNIT_TIER, env)
}

async function databaseSuite(args: string[]): Promise<TapResult> {
  // Imported here, so the unit tier loads neither the PostgreSQL client nor the embedded server.
  const { startThrowawayPostgres } = await import('../src/platform/database/embedded-postgres.ts')
  const { adminQuery, createTemplateDatabase } = await import('./test-database.ts')
  let embedded: Awaited<ReturnType<typeof startThrowawayPostgres>> | null = null
  let serverUrl = process.env.DATABASE_URL
  if (serverUrl) {
    console.log(`tests: on Node ${process.version}, using the PostgreSQL server of DATABASE_URL (${new URL(serverUrl).host})`)
  } else {
    embedded = await startThrowawayPostgres()
    serverUrl = embedded.connectionString
    console.log(`tests: on Node ${process.version}, started an embedded PostgreSQL on 127.0.0.1:${embedded.port}`)
  }
  // The browser tests (test/console) drive the built console: build it first when a source is newer than the build.
  const { buildConsole, consoleBuildIsStale } = await import('./build-console.ts')
  if (consoleBuildIsStale()) await buildConsole()
  const template = `gc_test_template_${process.pid}`
  try {
    await createTemplateDatabase(serverUrl, template)
    return await runTap(args, { ...process.env, TEST_DATABASE_SERVER_URL: serverUrl, TEST_DATABASE_TEMPLATE: template, TZ: process.env.TZ ?? 'UTC' })
  } finally {
    await adminQuery(serverUrl, `drop database if exists "${template}"`).catch(() => {})
    await embedded?.stop()
  }
}

async function main(): Promise<number> {
  const started = Date.now()
  const args = process.argv.slice(2)
  const unit = args[0] === '--unit'
  const { passed, failed, skipped, exitCode } = unit ? await unitTier(args.slice(1)) : await databaseSuite(args)
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  console.log(`\ntest files: ${passed + failed + skipped} in ${seconds}s${skipped ? ` (${skipped} skipped)` : ''}`)
  console.log(`${passed} passed, ${failed} failed`)
  return failed > 0 || exitCode !== 0 ? 1 : 0
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error)
    process.exit(1)
  },
)
