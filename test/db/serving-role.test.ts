/**
 * Least privilege in the database (SECURITY.md "Database roles"), against the real PostgreSQL of `npm test`:
 * migrations run as an owner role, requests as a serving role that owns nothing and holds only the grants of
 * src/platform/database/database-roles.ts. The serving role cannot rewrite history: no UPDATE, DELETE or
 * TRUNCATE of case_event, no ALTER TABLE … DISABLE TRIGGER, no DROP, no new tables; and the app works as it.
 *
 * Roles are cluster-wide and the server is shared by parallel runs: this file's roles carry a random suffix and
 * are dropped at teardown.
 */
import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import t from 'tap'
import type { Test } from 'tap'
import { createApiKey } from '../../src/api-keys/api-key.service.ts'
import { buildApp } from '../../src/app.ts'
import { testConfig } from '../../src/platform/config/config.ts'
import { createDatabase, type DatabaseHandle } from '../../src/platform/database/database.ts'
import { ensureDatabaseRoles, SERVING_ROLE_GRANTS, tablesWithoutGrants, type DatabaseRoleSecrets } from '../../src/platform/database/database-roles.ts'
import { withRole } from '../../src/platform/database/database-url.ts'
import { ManualClock } from '../../src/platform/clock.ts'
import { prepareDatabaseAs } from '../../src/prepare-database.ts'
import { adminQuery, withDatabase } from '../../scripts/test-database.ts'
import { approval, lifecycleClient } from '../helpers/lifecycle-client.ts'
import { bearer, caseBody, createTestDatabase, type TestApp } from '../helpers/test-app.ts'

const server = () => process.env.TEST_DATABASE_SERVER_URL as string

/** Two roles of this test's own (random names: the cluster is shared), dropped at teardown after the databases. */
function testRoles(t: Test): DatabaseRoleSecrets {
  const suffix = randomBytes(5).toString('hex')
  const roles = {
    owner: { name: `gc_owner_${suffix}`, password: randomBytes(18).toString('base64url') },
    serving: { name: `gc_app_${suffix}`, password: randomBytes(18).toString('base64url') },
  }
  t.teardown(async () => {
    for (const role of [roles.serving, roles.owner]) await adminQuery(server(), `drop role if exists "${role.name}"`).catch(() => {})
  })
  return roles
}

/** Runs `statement` as `db`'s role and returns the SQLSTATE it fails with (null when it succeeds, rolled back anyway). */
async function failureCode(db: DatabaseHandle['db'], statement: string): Promise<string | null> {
  try {
    await db.transaction().execute(async (trx) => {
      await sql.raw(statement).execute(trx)
      throw Object.assign(new Error('rollback'), { code: 'succeeded' })
    })
    return null
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'unknown'
    return code === 'succeeded' ? null : code
  }
}

t.test('a fresh database migrated as the owner, served as the serving role: the app works, history cannot be rewritten', async (t) => {
  const roles = testRoles(t)
  const name = `gc_test_roles_${randomBytes(5).toString('hex')}`
  await adminQuery(server(), `create database "${name}"`)
  t.teardown(async () => adminQuery(server(), `drop database if exists "${name}" with (force)`))
  const superuserUrl = withDatabase(server(), name)
  const bootstrap = createDatabase({ connectionString: superuserUrl, poolMax: 1 })
  await ensureDatabaseRoles(bootstrap.db, roles)
  await ensureDatabaseRoles(bootstrap.db, roles) // idempotent: every start runs it again
  await bootstrap.close()

  const urls = { connectionString: withRole(superuserUrl, roles.serving), migrationConnectionString: withRole(superuserUrl, roles.owner) }
  const serving = createDatabase({ connectionString: urls.connectionString, poolMax: 5 })
  t.teardown(() => serving.close())
  const applied = await prepareDatabaseAs(serving, urls)
  t.ok(applied.includes('2026-12-01T0200-serving-role'), 'the migrations ran (as the owner)')
  t.same(await prepareDatabaseAs(serving, urls), [], 'a second start applies nothing and re-applies the grants')

  const owner = createDatabase({ connectionString: urls.migrationConnectionString, poolMax: 1 })
  t.teardown(() => owner.close())
  const owners = await sql<{ owner: string; n: number }>`
    select pg_get_userbyid(c.relowner) as owner, count(*)::int as n from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'S') group by 1`.execute(owner.db)
  t.same(
    owners.rows.map((row) => row.owner),
    [roles.owner.name],
    'every table and sequence belongs to the owner',
  )
  t.same(await tablesWithoutGrants(owner.db), [], 'every table has an entry in SERVING_ROLE_GRANTS (add one for a new table)')

  // Exactly the map's privileges, nothing more (has_table_privilege per table and privilege).
  const all = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']
  for (const [table, privileges] of Object.entries(SERVING_ROLE_GRANTS)) {
    const held = []
    for (const privilege of all) {
      const { rows } = await sql<{ ok: boolean }>`select has_table_privilege(${roles.serving.name}, ${`public."${table}"`}, ${privilege}) as ok`.execute(owner.db)
      if (rows[0]?.ok) held.push(privilege.toLowerCase())
    }
    const expected = privileges.replace(/ \([^)]*\)/g, '').split(', ')
    const columnOnly = /update \(/.test(privileges)
    t.same(
      held,
      expected.filter((p) => !(columnOnly && p === 'update')),
      `${table}: ${privileges}`,
    )
  }
  const { rows: column } = await sql<{ revoked: boolean; role: boolean }>`
    select has_column_privilege(${roles.serving.name}, 'public.api_key', 'revoked_at', 'UPDATE') as revoked,
           has_column_privilege(${roles.serving.name}, 'public.api_key', 'role', 'UPDATE') as role`.execute(owner.db)
  t.same(column[0], { revoked: true, role: false }, 'api_key: only revoked_at may be updated')
  for (const table of ['kysely_migration', 'kysely_migration_lock']) {
    const { rows } = await sql<{ ok: boolean }>`select has_table_privilege(${roles.serving.name}, ${`public.${table}`}, 'SELECT') as ok`.execute(owner.db)
    t.equal(rows[0]?.ok, false, `${table}: nothing`)
  }

  // The app, connected as the serving role, runs a case through intake → decision, its audit and its keys.
  const clock = new ManualClock('2026-02-12T02:00:00Z')
  const app = await buildApp({ config: testConfig(), database: serving, clock })
  t.teardown(() => app.close())
  await app.ready()
  const key = async (role: 'dispatch' | 'office' | 'auditor' | 'admin') =>
    (await createApiKey(serving.db, { role, organizationCode: role === 'dispatch' ? 'ORG-A' : undefined })).key
  const [dispatch, office, auditor, admin] = [await key('dispatch'), await key('office'), await key('auditor'), await key('admin')]
  const client = lifecycleClient({ app } as TestApp)
  const submitted = await client.submit(dispatch)
  await client.ok(office, submitted.id, { action: 'accept' })
  const approved = await client.ok(office, submitted.id, approval)
  t.equal(approved.status, 'approved', 'intake → acceptance → approval as the serving role')
  const idempotent = () =>
    app.inject({ method: 'POST', url: '/v1/cases', headers: { ...bearer(dispatch), 'idempotency-key': 'roles-1' }, payload: caseBody({ externalReference: 'ROLES-1' }) })
  t.equal((await idempotent()).statusCode, 201, 'an Idempotency-Key is claimed and its answer stored')
  t.equal((await idempotent()).headers['idempotent-replayed'], 'true', 'and replayed')
  const checkpoint = await app.inject({ method: 'POST', url: '/v1/audit/checkpoints', headers: bearer(admin) })
  t.equal(checkpoint.statusCode, 201, `an audit checkpoint is taken (${checkpoint.body.slice(0, 200)})`)
  const verify = await app.inject({ method: 'GET', url: '/v1/audit/verify', headers: bearer(auditor) })
  t.equal(verify.json().valid, true, 'and the history verifies')
  const revoke = await app.inject({ method: 'DELETE', url: `/v1/api-keys/${(await createApiKey(serving.db, { role: 'auditor' })).record.id}`, headers: bearer(admin) })
  t.equal(revoke.statusCode, 200, 'a key is revoked (UPDATE of revoked_at)')

  // What the serving role cannot do: 42501 insufficient_privilege (ALTER/DROP: must be owner).
  const refused: Array<[string, string]> = [
    ['UPDATE case_event', `update case_event set type = type`],
    ['DELETE case_event', `delete from case_event`],
    ['TRUNCATE case_event', `truncate case_event`],
    ['DISABLE TRIGGER', `alter table case_event disable trigger case_event_append_only`],
    ['DISABLE TRIGGER ALL', `alter table case_event disable trigger all`],
    ['DROP case_event', `drop table case_event`],
    ['DROP TRIGGER', `drop trigger case_event_append_only on case_event`],
    ['DELETE case', `delete from "case"`],
    ['TRUNCATE case', `truncate "case" cascade`],
    ['UPDATE audit_checkpoint', `update audit_checkpoint set signature = signature`],
    ['DELETE audit_checkpoint_leaf', `delete from audit_checkpoint_leaf`],
    ['UPDATE api_key.role', `update api_key set role = 'admin'`],
    ['CREATE TABLE', `create table intruder (id int)`],
    ['CREATE FUNCTION', `create function intruder() returns int language sql as 'select 1'`],
    ['kysely_migration', `delete from kysely_migration`],
    ['CREATE ROLE', `create role intruder`],
  ]
  for (const [what, statement] of refused) t.equal(await failureCode(serving.db, statement), '42501', `the serving role cannot: ${what}`)
  const events = await sql<{ n: number }>`select count(*)::int as n from case_event`.execute(serving.db)
  t.equal(events.rows[0]?.n, 4, 'the events are all there')
})

t.test('a database migrated before the roles existed (tables of the superuser) is handed to the owner', async (t) => {
  const roles = testRoles(t)
  const { connectionString } = await createTestDatabase(t)
  const bootstrap = createDatabase({ connectionString, poolMax: 1 })
  await ensureDatabaseRoles(bootstrap.db, roles)
  await bootstrap.close()
  const urls = { connectionString: withRole(connectionString, roles.serving), migrationConnectionString: withRole(connectionString, roles.owner) }
  const serving = createDatabase({ connectionString: urls.connectionString, poolMax: 2 })
  t.teardown(() => serving.close())
  t.same(await prepareDatabaseAs(serving, urls), [], 'nothing to migrate; the grants are applied')
  const { rows } = await sql<{ owner: string }>`
    select distinct pg_get_userbyid(c.relowner) as owner from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'S')
    union select distinct pg_get_userbyid(p.proowner) from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'public'`.execute(serving.db)
  t.same(
    rows.map((row) => row.owner),
    [roles.owner.name],
    'tables, sequences and functions belong to the owner',
  )
  t.equal(await failureCode(serving.db, 'alter table case_event disable trigger case_event_append_only'), '42501', 'the serving role cannot disable the trigger')
  t.equal(await failureCode(serving.db, `insert into organization (code, name) values ('ORG-Z', 'Z')`), null, 'but inserts where it may')
})
