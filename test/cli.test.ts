import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { buildApp } from '../src/app.ts'
import { testConfig } from '../src/platform/config/config.ts'
import { bearer, createTestDatabase } from './helpers/test-app.ts'

const run = promisify(execFile)
const root = new URL('..', import.meta.url).pathname
type Outcome = { code: number; stdout: string; stderr: string }

/** Runs the CLI; `env` replaces the database settings (DATABASE_URL is removed unless given). */
async function cli(args: string[], env: Record<string, string>): Promise<Outcome> {
  const { DATABASE_URL: _unset, ...inherited } = process.env
  try {
    const { stdout, stderr } = await run('node', ['--import', 'tsx', 'src/cli.ts', ...args], { env: { ...inherited, ...env }, cwd: root })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string }
    return { code, stdout, stderr }
  }
}

t.test('api-keys create prints a working key as the last line; the organization is created on first use', async (t) => {
  const { database, connectionString } = await createTestDatabase(t)
  const env = { DATABASE_URL: connectionString }
  const created = await cli(['api-keys', 'create', '--role', 'dispatch', '--org', 'SGCC-CLI', '--name', 'dispatch system'], env)
  t.equal(created.code, 0, created.stderr)
  const key = created.stdout.trim().split('\n').at(-1) as string
  t.match(key, /^gck_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$/)
  const organization = await database.db.selectFrom('organization').selectAll().where('code', '=', 'SGCC-CLI').executeTakeFirst()
  t.ok(organization, 'organization created')

  const app = await buildApp({ config: testConfig(), database })
  t.teardown(() => app.close())
  const me = await app.inject({ method: 'GET', url: '/v1/api-keys/me', headers: bearer(key) })
  t.same(me.json().organization, 'SGCC-CLI')
  const id = me.json().keyId as string

  const list = await cli(['api-keys', 'list'], env)
  t.equal(list.code, 0)
  const [header, ...rows] = list.stdout.trim().split('\n')
  t.equal(header, 'ID\tPREFIX\tROLE\tORGANIZATION\tSTATUS\tCREATED\tNAME', 'a header row names the columns')
  const row = rows.find((line) => line.startsWith(id))?.split('\t')
  t.ok(row, 'the new key is listed by its id')
  t.same(row?.slice(2, 5), ['dispatch', 'SGCC-CLI', 'active'])
  t.match(row?.[5], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+08:00$/, 'with its creation instant in Shanghai time')
  const stored = await database.db.selectFrom('api_key').select('created_at').where('id', '=', id).executeTakeFirstOrThrow()
  t.equal(new Date(row?.[5] as string).getTime(), new Date(stored.created_at as unknown as string).getTime(), 'the stored creation instant')
  t.equal(row?.[6], 'dispatch system')
  // gck_<8-character prefix>_<secret>: the secret is base64url and may itself contain '_'.
  t.notOk(list.stdout.includes(key.slice('gck_'.length + 8 + 1)), 'never the secret')

  const revoked = await cli(['api-keys', 'revoke', id], env)
  t.equal(revoked.code, 0)
  t.match(revoked.stdout, /Revoked/)
  const again = await cli(['api-keys', 'revoke', id], env)
  t.equal(again.code, 0, 'revoking twice is not an error')
  t.match(again.stdout, /already revoked/)
  t.match((await cli(['api-keys', 'list'], env)).stdout, new RegExp(`${id}\\t[a-z0-9]{8}\\tdispatch\\tSGCC-CLI\\trevoked\\t`))
})

t.test('bad usage exits 64 with a message naming what to change, before any database work', async (t) => {
  const { connectionString } = await createTestDatabase(t)
  const env = { DATABASE_URL: connectionString }

  const noOrg = await cli(['api-keys', 'create', '--role', 'dispatch'], env)
  t.equal(noOrg.code, 64)
  t.match(noOrg.stderr, /dispatch key belongs to one organization: give its code with --org/)
  const badOrg = await cli(['api-keys', 'create', '--role', 'dispatch', '--org', 'x'], env)
  t.equal(badOrg.code, 64)
  t.match(badOrg.stderr, /--org `x` is not an organization code/)
  const orgOnOffice = await cli(['api-keys', 'create', '--role', 'office', '--org', 'SGCC-ZZ'], env)
  t.equal(orgOnOffice.code, 64, 'an organization on a non-dispatch key means nothing: refused')
  t.match(orgOnOffice.stderr, /Only a dispatch key belongs to an organization/)
  const badRole = await cli(['api-keys', 'create', '--role', 'emperor'], env)
  t.equal(badRole.code, 64)
  t.match(badRole.stderr, /--role must be one of: dispatch, office, auditor, admin \(got `emperor`\)/)
  const noRole = await cli(['api-keys', 'create'], env)
  t.equal(noRole.code, 64)
  t.match(noRole.stderr, /needs --role/)
  const unknownOption = await cli(['api-keys', 'create', '--role', 'admin', '--organisation', 'X'], env)
  t.equal(unknownOption.code, 64)
  t.match(unknownOption.stderr, /--organisation/)

  const notAnId = await cli(['api-keys', 'revoke', 'abc'], env)
  t.equal(notAnId.code, 64)
  t.match(notAnId.stderr, /`abc` is not an API key id: ids are UUIDs/)
  const theKeyItself = await cli(['api-keys', 'revoke', 'gck_abcdefgh_xyz'], env)
  t.equal(theKeyItself.code, 64)
  t.match(theKeyItself.stderr, /looks like the key or its prefix; give the key's id/)
  const noId = await cli(['api-keys', 'revoke'], env)
  t.equal(noId.code, 64)
  t.match(noId.stderr, /needs the id of the key/)

  const unknownId = await cli(['api-keys', 'revoke', '00000000-0000-4000-8000-000000000000'], env)
  t.equal(unknownId.code, 1, 'a well-formed id that names no key is a failure, not a usage error')
  t.match(unknownId.stderr, /No API key has the id 00000000-0000-4000-8000-000000000000/)
})

t.test('an unknown command prints the usage without starting a database', async (t) => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'gc-cli-'))
  t.teardown(() => rmSync(scratch, { recursive: true, force: true }))
  const dataDir = path.join(scratch, 'postgres')
  // No DATABASE_URL: a database would mean starting the embedded PostgreSQL in dataDir.
  for (const args of [['frobnicate'], ['api-keys', 'rotate'], ['api-keys'], [], ['migrate', 'now']]) {
    const outcome = await cli(args, { EMBEDDED_DATA_DIR: dataDir })
    t.equal(outcome.code, 64, `${args.join(' ') || '(nothing)'}: exit 64`)
    t.match(outcome.stderr, /Usage: npm run cli -- <command>/, 'prints the usage')
    t.notMatch(outcome.stderr, /starting the embedded PostgreSQL|listening on/, 'starts no database')
  }
  t.match((await cli(['frobnicate'], { EMBEDDED_DATA_DIR: dataDir })).stderr, /^Unknown command `frobnicate`\./)
  t.match((await cli(['migrate', 'now'], { EMBEDDED_DATA_DIR: dataDir })).stderr, /^Unexpected argument after `migrate`: now/)
  t.notOk(existsSync(dataDir), 'no embedded PostgreSQL was initialized')

  const help = await cli(['--help'], { EMBEDDED_DATA_DIR: dataDir })
  t.equal(help.code, 0)
  t.match(help.stdout, /api-keys list +Lists keys with their creation dates/)
})
