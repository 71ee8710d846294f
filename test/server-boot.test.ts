import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'

const run = promisify(execFile)
const root = new URL('..', import.meta.url).pathname

t.test('in production without DATABASE_URL the server stops at once and says it needs one', async (t) => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'gc-boot-'))
  t.teardown(() => rmSync(scratch, { recursive: true, force: true }))
  const dataDir = path.join(scratch, 'postgres')
  const { DATABASE_URL: _unset, ...inherited } = process.env
  // Port 0: if the check were missing, the server would not collide with anything while it (wrongly) started.
  const env = { ...inherited, NODE_ENV: 'production', PORT: '0', EMBEDDED_DATA_DIR: dataDir }
  // The timeout only stops a server that (wrongly) keeps running; the expected exit comes before any I/O.
  const outcome = await run('node', ['--import', 'tsx', 'src/server.ts'], { env, cwd: root, timeout: 60_000 }).then(
    (result) => ({ code: 0, signal: null, ...result }),
    (error: { code: number | null; signal: string | null; stdout: string; stderr: string }) => error,
  )
  t.equal(outcome.signal, null, 'it exited by itself')
  t.equal(outcome.code, 78, 'EX_CONFIG')
  t.match(outcome.stderr, /DATABASE_URL=\(unset\): DATABASE_URL is required when NODE_ENV=production/)
  t.match(outcome.stderr, /embedded PostgreSQL is for development and tests only/)
  t.notOk(existsSync(dataDir), 'no embedded PostgreSQL was started')
})
