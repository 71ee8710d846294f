/**
 * `npm test`: runs the tap suite against a real PostgreSQL — DATABASE_URL when set, otherwise a throwaway
 * embedded server — and ends with the "N passed, N failed" line CI reads.
 *
 * The suite is prepared once (a migrated template database) and every test file clones its own database
 * from it, so files can run in parallel without sharing state.
 */
import { spawn } from 'node:child_process'
import { startThrowawayPostgres, type EmbeddedPostgresHandle } from '../src/platform/database/embedded-postgres.ts'
import { adminQuery, createTemplateDatabase } from './test-database.ts'

async function main(): Promise<number> {
  const started = Date.now()
  let embedded: EmbeddedPostgresHandle | null = null
  let serverUrl = process.env.DATABASE_URL
  if (serverUrl) {
    console.log(`tests: using the PostgreSQL server of DATABASE_URL (${new URL(serverUrl).host})`)
  } else {
    embedded = await startThrowawayPostgres()
    serverUrl = embedded.connectionString
    console.log(`tests: started an embedded PostgreSQL on 127.0.0.1:${embedded.port}`)
  }
  const template = `gc_test_template_${process.pid}`
  try {
    await createTemplateDatabase(serverUrl, template)
    const args = ['tap', '--reporter=tap', ...process.argv.slice(2)]
    const child = spawn('npx', args, {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, TEST_DATABASE_SERVER_URL: serverUrl, TEST_DATABASE_TEMPLATE: template, TZ: process.env.TZ ?? 'UTC' },
    })
    let passed = 0
    let failed = 0
    let skipped = 0
    let buffer = ''
    const count = (line: string) => {
      // Top-level results are the test files; one "ok"/"not ok" line each.
      if (/^ok \d+ /.test(line)) /# SKIP/.test(line) ? skipped++ : passed++
      else if (/^not ok \d+ /.test(line)) failed++
    }
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk)
      buffer += chunk.toString('utf8')
      const lines = buffer.split('\n')
      buffer = lines.pop() ?? ''
      lines.forEach(count)
    })
    const code: number = await new Promise((resolve) => child.on('close', (exit) => resolve(exit ?? 1)))
    count(buffer)
    const seconds = ((Date.now() - started) / 1000).toFixed(1)
    console.log(`\ntest files: ${passed + failed + skipped} in ${seconds}s`)
    console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`)
    return failed > 0 || code !== 0 ? 1 : 0
  } finally {
    await adminQuery(serverUrl, `drop database if exists "${template}"`).catch(() => {})
    await embedded?.stop()
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error)
    process.exit(1)
  },
)
