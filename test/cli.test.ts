import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import t from 'tap'
import { buildApp } from '../src/app.ts'
import { testConfig } from '../src/platform/config/config.ts'
import { bearer, createTestDatabase } from './helpers/test-app.ts'

const run = promisify(execFile)
const cli = (args: string[], databaseUrl: string) =>
  run('node', ['--import', 'tsx', 'src/cli.ts', ...args], { env: { ...process.env, DATABASE_URL: databaseUrl }, cwd: new URL('..', import.meta.url).pathname })

t.test('api-keys create prints a working key as the last line; the organization is created on first use', async (t) => {
  const { database, connectionString } = await createTestDatabase(t)
  const { stdout } = await cli(['api-keys', 'create', '--role', 'dispatch', '--org', 'SGCC-CLI'], connectionString)
  const key = stdout.trim().split('\n').at(-1) as string
  t.match(key, /^gck_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$/)
  const organization = await database.db.selectFrom('organization').selectAll().where('code', '=', 'SGCC-CLI').executeTakeFirst()
  t.ok(organization, 'organization created')

  const app = await buildApp({ config: testConfig(), database })
  t.teardown(() => app.close())
  const me = await app.inject({ method: 'GET', url: '/v1/api-keys/me', headers: bearer(key) })
  t.same(me.json().organization, 'SGCC-CLI')

  const list = await cli(['api-keys', 'list'], connectionString)
  t.match(list.stdout, /dispatch\tSGCC-CLI\tactive/)
  const id = me.json().keyId
  const revoked = await cli(['api-keys', 'revoke', id], connectionString)
  t.match(revoked.stdout, /Revoked/)
})

t.test('bad CLI usage exits non-zero with a message', async (t) => {
  const { connectionString } = await createTestDatabase(t)
  const noOrg = await cli(['api-keys', 'create', '--role', 'dispatch'], connectionString).catch((e: { code: number; stderr: string }) => e)
  t.equal((noOrg as { code: number }).code, 1)
  t.match((noOrg as { stderr: string }).stderr, /dispatch key belongs to one organization/)
  const badRole = await cli(['api-keys', 'create', '--role', 'emperor'], connectionString).catch((e: { code: number; stderr: string }) => e)
  t.equal((badRole as { code: number }).code, 64)
})
