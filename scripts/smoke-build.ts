/**
 * `node --import tsx scripts/smoke-build.ts` (CI, after `npm run build`): the compiled service as the image runs it —
 * plain `node dist/src/server.js`, NODE_ENV=production, with the Node that runs this script — applies every
 * migration from dist/migrations on a fresh database of DATABASE_URL's server, answers /health/ready, and stops
 * cleanly on SIGTERM; the compiled CLI works; and without DATABASE_URL it refuses to start, naming the setting.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { freePort } from '../src/platform/database/embedded-postgres.ts'
import { adminQuery, withDatabase } from './test-database.ts'

const serverUrl = process.env.DATABASE_URL
if (!serverUrl) throw new Error('smoke-build: set DATABASE_URL to a PostgreSQL server (a fresh database is created on it)')

interface Run {
  child: ChildProcess
  output: () => string
  exited: Promise<number | null>
}

function runNode(args: string[], env: NodeJS.ProcessEnv): Run {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
  return { child, output: () => output, exited }
}

const baseEnv = { PATH: process.env.PATH ?? '', NODE_ENV: 'production', HOST: '127.0.0.1', LOG_LEVEL: 'info' }
const failures: string[] = []
const check = (ok: boolean, what: string, detail = '') => {
  console.log(`${ok ? 'ok' : 'FAILED'}: ${what}`)
  if (!ok) failures.push(`${what}${detail ? `\n${detail}` : ''}`)
}

// 1. Without DATABASE_URL the production service says it needs one and exits (no embedded PostgreSQL in the image).
const refused = runNode(['dist/src/server.js'], baseEnv)
const refusedCode = await Promise.race([refused.exited, new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 30_000))])
if (refusedCode === 'hung') refused.child.kill('SIGKILL')
check(refusedCode !== 'hung' && refusedCode !== 0 && /DATABASE_URL/.test(refused.output()), 'without DATABASE_URL it exits, naming DATABASE_URL', refused.output())

// 2. With a fresh database: migrations from dist/migrations, ready, the CLI, SIGTERM.
const database = `gc_smoke_${process.pid}`
await adminQuery(serverUrl, `drop database if exists "${database}"`)
await adminQuery(serverUrl, `create database "${database}"`)
try {
  const env = { ...baseEnv, DATABASE_URL: withDatabase(serverUrl, database), PORT: String(await freePort()) }
  const server = runNode(['--enable-source-maps', 'dist/src/server.js'], env)
  let ready = false
  for (const started = Date.now(); !ready && Date.now() - started < 60_000 && server.child.exitCode === null; ) {
    ready = await fetch(`http://127.0.0.1:${env.PORT}/health/ready`).then(
      (response) => response.status === 200,
      () => false,
    )
    if (!ready) await new Promise((resolve) => setTimeout(resolve, 250))
  }
  check(ready, `node ${process.version} runs dist/src/server.js: /health/ready is 200`, server.output())
  const migrations = readdirSync('dist/migrations').filter((file) => file.endsWith('.js'))
  const applied = /applied migrations: ([^"]*)"/.exec(server.output())?.[1]?.split(', ') ?? []
  check(migrations.length > 0 && applied.length === migrations.length, `all ${migrations.length} migrations applied from dist/migrations`, server.output())

  const cli = runNode(['dist/src/cli.js', 'api-keys', 'list'], env)
  check((await cli.exited) === 0, 'node dist/src/cli.js api-keys list', cli.output())

  server.child.kill('SIGTERM')
  const code = await Promise.race([server.exited, new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 30_000))])
  if (code === 'hung') server.child.kill('SIGKILL')
  check(code === 0, 'SIGTERM: exit code 0', server.output().slice(-2000))
} finally {
  await adminQuery(serverUrl, `drop database if exists "${database}" with (force)`)
}

if (failures.length > 0) {
  console.error(`\nbuild smoke test failed:\n${failures.join('\n\n')}`)
  process.exit(1)
}
console.log('build smoke test passed')
