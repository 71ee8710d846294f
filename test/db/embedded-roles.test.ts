/**
 * The embedded default (no DATABASE_URL) sets up both roles by itself: an owner that migrates and a serving role
 * that answers requests, with passwords generated into the data directory (mode 0600), not superusers. Runs a
 * throwaway embedded cluster of its own in a temporary folder.
 */
import { promises as fs, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import t from 'tap'
import { testConfig } from '../../src/platform/config/config.ts'
import { createDatabase } from '../../src/platform/database/database.ts'
import { resolveDatabaseUrl } from '../../src/platform/database/database-url.ts'
import { prepareDatabaseAs } from '../../src/prepare-database.ts'

t.test('the embedded PostgreSQL serves as green_channel_app and migrates as green_channel_owner', async (t) => {
  const parent = await fs.mkdtemp(path.join(os.tmpdir(), 'gc-embedded-roles-'))
  const config = testConfig({ DATABASE_URL: undefined, DATABASE_MIGRATION_URL: undefined, EMBEDDED_DATA_DIR: path.join(parent, 'postgres') })
  const logs: string[] = []
  const urls = await resolveDatabaseUrl(config, (line) => logs.push(line))
  t.teardown(async () => {
    await urls.embedded?.stop()
    await fs.rm(parent, { recursive: true, force: true })
  })
  const secretsFile = path.join(config.EMBEDDED_DATA_DIR, 'green-channel-roles.json')
  t.equal(statSync(secretsFile).mode & 0o777, 0o600, 'the generated passwords are kept in the data directory, mode 0600')
  const secrets = JSON.parse(await fs.readFile(secretsFile, 'utf8')) as { owner: { password: string }; serving: { password: string } }
  t.notOk(logs.join('\n').includes(secrets.serving.password) || logs.join('\n').includes(secrets.owner.password), 'no password is logged')

  const serving = createDatabase({ connectionString: urls.connectionString, poolMax: 2 })
  t.teardown(() => serving.close())
  const applied = await prepareDatabaseAs(serving, urls)
  t.ok(applied.length > 0, 'migrated')
  const { rows } = await sql<{ user: string; superuser: boolean }>`select current_user as user, rolsuper as superuser from pg_roles where rolname = current_user`.execute(
    serving.db,
  )
  t.same(rows[0], { user: 'green_channel_app', superuser: false }, 'requests are served by green_channel_app, not a superuser')
  const owners = await sql<{ owner: string }>`select distinct tableowner as owner from pg_tables where schemaname = 'public'`.execute(serving.db)
  t.same(
    owners.rows.map((row) => row.owner),
    ['green_channel_owner'],
    'the tables belong to green_channel_owner',
  )
  const owner = await sql<{ superuser: boolean }>`select rolsuper as superuser from pg_roles where rolname = 'green_channel_owner'`.execute(serving.db)
  t.equal(owner.rows[0]?.superuser, false, 'the owner is no superuser either')
  await t.rejects(sql`update case_event set type = type`.execute(serving.db), { code: '42501' }, 'the serving role cannot change history')

  // The CLI finds the running server (postmaster.pid) and gets the same two roles.
  const again = await resolveDatabaseUrl(config, () => {})
  t.same([again.connectionString, again.migrationConnectionString, again.embedded], [urls.connectionString, urls.migrationConnectionString, null])
})
