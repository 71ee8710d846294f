import { sql, type Kysely } from 'kysely'
import type { Database } from './database.types.ts'

/**
 * Least privilege (SECURITY.md "Database roles"). Two roles: the OWNER runs the migrations and owns every table;
 * the SERVING role answers requests and owns nothing, so it can never ALTER (disable a trigger), DROP or TRUNCATE,
 * and gets per table only the statements the service's code runs on it:
 *
 * - case_event, audit_checkpoint, audit_checkpoint_leaf: evidence, appended and read, never changed;
 * - SELECT … FOR UPDATE needs UPDATE, LOCK TABLE … EXCLUSIVE (sla_daily_summary) needs UPDATE or DELETE;
 * - api_key: UPDATE of revoked_at only (revocation is the one change a key sees);
 * - sequences: USAGE (nextval for bigserial ids and case numbers), nothing else.
 *
 * Why a map applied after every migration run rather than ALTER DEFAULT PRIVILEGES: default privileges give
 * every future table the same set, too much for an append-only table and too little for a work queue; here each
 * table's grants are written next to the others and reviewed, the step is idempotent (revoke all, grant the map,
 * in one transaction), and a table added by a later migration gets its grants on the next start without editing a
 * frozen migration. A table missing from the map gets nothing (fail closed): test/db/serving-role.test.ts fails
 * until it has an entry.
 */
export const SERVING_ROLE_GRANTS: Readonly<Record<string, string>> = {
  organization: 'select, insert',
  api_key: 'select, insert, update (revoked_at)',
  rule_set: 'select, insert',
  calendar_year: 'select, insert, update',
  case: 'select, insert, update',
  case_event: 'select, insert',
  idempotency_key: 'select, insert, update, delete',
  webhook_endpoint: 'select, insert, update',
  webhook_delivery: 'select, insert, update',
  webhook_relay_cursor: 'select, update',
  sla_daily_summary: 'select, insert, update, delete',
  audit_checkpoint: 'select, insert',
  audit_checkpoint_leaf: 'select, insert',
  // Supervision findings and coded reasons are facts recorded once (insert … on conflict do nothing): never changed.
  case_warning: 'select, insert',
  case_reason_code: 'select, insert',
  // An admin publishes a jurisdiction (PUT /v1/jurisdictions/{code}: select … for update, then insert or update).
  jurisdiction: 'select, insert, update',
  // The road register is edited in place (PUT upserts, admin DELETE); its history is append-only, so a decision can
  // always be traced to the register as it was.
  road: 'select, insert, update, delete',
  road_history: 'select, insert',
  // Derived coordination state: a footprint follows its case (upsert, removed when the case no longer digs); a
  // clash pair is upserted when found again and its status decided once. Their events are in case_event.
  works_footprint: 'select, insert, update, delete',
  works_clash: 'select, insert, update',
}

/** The migrator's own bookkeeping: the serving role has no business there. */
const OWNER_ONLY_TABLES = new Set(['kysely_migration', 'kysely_migration_lock'])

const GRANTS_LOCK_KEY = 'green-channel:serving-role-grants'

const quoteIdentifier = (name: string) => `"${name.replaceAll('"', '""')}"`

/** Tables in the schema that neither the map nor the migrator's bookkeeping names: they get nothing. */
export async function tablesWithoutGrants(db: Kysely<Database>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = current_schema() and c.relkind in ('r', 'p') order by 1
  `.execute(db)
  return rows.map((row) => row.name).filter((name) => !(name in SERVING_ROLE_GRANTS) && !OWNER_ONLY_TABLES.has(name))
}

/**
 * Gives `servingRole` exactly the map's privileges (run as the owner, after the migrations). Idempotent and
 * atomic: every privilege of the role on the schema's tables and sequences is revoked and the map granted in one
 * transaction, under an advisory lock (concurrent GRANTs on one object fail with "tuple concurrently updated" when
 * several instances start at once).
 */
export async function applyServingRoleGrants(db: Kysely<Database>, servingRole: string): Promise<void> {
  const role = sql.raw(quoteIdentifier(servingRole))
  await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtextextended(${GRANTS_LOCK_KEY}, 0))`.execute(trx)
    const { rows } = await sql<{ name: string }>`
      select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = current_schema() and c.relkind in ('r', 'p')
    `.execute(trx)
    const existing = new Set(rows.map((row) => row.name))
    await sql`grant usage on schema public to ${role}`.execute(trx)
    await sql`revoke all on all tables in schema public from ${role}`.execute(trx)
    await sql`revoke all on all sequences in schema public from ${role}`.execute(trx)
    for (const [table, privileges] of Object.entries(SERVING_ROLE_GRANTS)) {
      if (!existing.has(table)) continue
      await sql`grant ${sql.raw(privileges)} on table ${sql.raw(quoteIdentifier(table))} to ${role}`.execute(trx)
    }
    await sql`grant usage on all sequences in schema public to ${role}`.execute(trx)
  })
}

export interface DatabaseRoleSecrets {
  owner: { name: string; password: string }
  serving: { name: string; password: string }
}

/**
 * Run as a superuser (the embedded default's bootstrap user; tests): creates the owner and the serving role if
 * missing (NOSUPERUSER, NOCREATEDB, NOCREATEROLE, NOBYPASSRLS), sets their passwords, lets them connect, gives the
 * owner CREATE on the schema and hands it every table, sequence and function already there (a database migrated
 * before the roles existed belonged to the superuser). Safe to repeat and to run from several processes at once.
 */
export async function ensureDatabaseRoles(db: Kysely<Database>, roles: DatabaseRoleSecrets): Promise<void> {
  const owner = quoteIdentifier(roles.owner.name)
  await db.transaction().execute(async (trx) => {
    // CREATE ROLE races (roles are cluster-wide): one bootstrap at a time per database. Processes bootstrapping
    // other databases of one cluster must use other role names (the tests suffix theirs at random).
    await sql`select pg_advisory_xact_lock(hashtextextended(${`${GRANTS_LOCK_KEY}:roles`}, 0))`.execute(trx)
    for (const { name, password } of [roles.owner, roles.serving]) {
      const exists = await sql<{ n: number }>`select count(*)::int as n from pg_roles where rolname = ${name}`.execute(trx)
      const verb = exists.rows[0]?.n ? 'alter' : 'create'
      await sql.raw(`${verb} role ${quoteIdentifier(name)} login nosuperuser nocreatedb nocreaterole nobypassrls noreplication password ${literal(password)}`).execute(trx)
    }
    const database = sql.raw(quoteIdentifier((await sql<{ name: string }>`select current_database() as name`.execute(trx)).rows[0]?.name ?? 'postgres'))
    await sql`grant connect on database ${database} to ${sql.raw(owner)}, ${sql.raw(quoteIdentifier(roles.serving.name))}`.execute(trx)
    await sql`grant usage, create on schema public to ${sql.raw(owner)}`.execute(trx)
    // Hand over what the superuser owns in the schema; sequences owned by a column follow their table.
    await sql
      .raw(`
      do $$ declare r record; begin
        for r in select c.oid::regclass as object, c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm', 'S') and pg_get_userbyid(c.relowner) <> ${literal(roles.owner.name)}
            and not (c.relkind = 'S' and exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype in ('a', 'i')))
        loop
          execute format('alter %s %s owner to %I', case r.relkind when 'S' then 'sequence' when 'v' then 'view' when 'm' then 'materialized view' else 'table' end, r.object, ${literal(roles.owner.name)});
        end loop;
        for r in select p.oid::regprocedure as object from pg_proc p join pg_namespace n on n.oid = p.pronamespace
          where n.nspname = 'public' and pg_get_userbyid(p.proowner) <> ${literal(roles.owner.name)}
        loop
          execute format('alter routine %s owner to %I', r.object, ${literal(roles.owner.name)});
        end loop;
      end $$`)
      .execute(trx)
  })
}

/** A SQL string literal (role passwords cannot be bound parameters in CREATE/ALTER ROLE). */
const literal = (value: string) => `'${value.replaceAll("'", "''")}'`
