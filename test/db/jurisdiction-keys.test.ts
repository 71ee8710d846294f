import { sql } from 'kysely'
import t from 'tap'
import { createTestDatabase } from '../helpers/test-app.ts'

// README "Scaling out": the case-owned tables are distributed by jurisdiction_code on Citus, which needs the
// distribution column in every primary key and unique constraint (and unique index) of a distributed table and in every
// foreign key between two of them. This reads the migrated catalog, so a new table or key that breaks the rule fails here.

/** Distributed by jurisdiction_code (README "Scaling out"). */
const CASE_OWNED = ['case', 'case_event', 'case_reason_code', 'case_warning', 'sla_daily_summary', 'webhook_delivery', 'works_clash', 'works_footprint'].sort()

/**
 * Tables that name a case but are not distributed with it, and why: the audit checkpoint is one deployment-wide
 * Merkle tree over every case's chain head (a local table on the coordinator, written by the checkpoint job only).
 */
const NOT_CASE_OWNED = new Set(['audit_checkpoint_leaf'])

t.test('every case-owned table has jurisdiction_code in its keys', async (t) => {
  const { database } = await createTestDatabase(t)
  const db = database.db

  // Tables that point at a case: a foreign key to "case", or a case id column.
  const { rows: referencing } = await sql<{ table_name: string }>`
    select distinct c.relname as table_name
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind = 'r' and (
      exists (select 1 from pg_constraint k where k.conrelid = c.oid and k.contype = 'f' and k.confrelid = '"case"'::regclass)
      or exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and a.attname in ('case_id', 'case_a', 'case_b'))
    )`.execute(db)
  const found = [...new Set(['case', 'sla_daily_summary', ...referencing.map((r) => r.table_name).filter((name) => !NOT_CASE_OWNED.has(name))])].sort()
  t.same(found, CASE_OWNED, 'the case-owned tables are the ones the README lists (a new one must be decided there and here)')

  const { rows: columns } = await sql<{ table_name: string; is_nullable: string }>`
    select table_name, is_nullable from information_schema.columns
    where table_schema = 'public' and column_name = 'jurisdiction_code' and table_name = any(${CASE_OWNED}::text[])`.execute(db)
  t.same(
    columns.map((c) => [c.table_name, c.is_nullable]).sort(),
    CASE_OWNED.map((name) => [name, 'NO']),
    'every case-owned table has jurisdiction_code NOT NULL',
  )

  // Primary keys, unique constraints and every other unique index (partial or not).
  const { rows: uniques } = await sql<{ table_name: string; index_name: string; columns: string[] }>`
    select t.relname as table_name, i.relname as index_name,
      array(select a.attname::text from unnest(x.indkey) with ordinality as k(attnum, ord)
            join pg_attribute a on a.attrelid = t.oid and a.attnum = k.attnum
            where k.ord <= x.indnkeyatts order by k.ord) as columns
    from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid
    where x.indisunique and t.relname = any(${CASE_OWNED}::text[])`.execute(db)
  t.ok(uniques.length >= CASE_OWNED.length, 'every case-owned table has a primary key at least')
  for (const name of CASE_OWNED)
    t.ok(
      uniques.some((u) => u.table_name === name && u.index_name.endsWith('_pkey')),
      `${name} has a primary key`,
    )
  for (const u of uniques) t.ok(u.columns.includes('jurisdiction_code'), `${u.table_name}.${u.index_name} (${u.columns.join(', ')}) includes jurisdiction_code`)

  // Foreign keys between two case-owned tables: the jurisdiction on both sides, in the same position.
  const { rows: foreign } = await sql<{ table_name: string; name: string; columns: string[]; referenced_table: string; referenced: string[] }>`
    select t.relname as table_name, k.conname as name, r.relname as referenced_table,
      array(select a.attname::text from unnest(k.conkey) with ordinality as c(attnum, ord) join pg_attribute a on a.attrelid = k.conrelid and a.attnum = c.attnum order by c.ord) as columns,
      array(select a.attname::text from unnest(k.confkey) with ordinality as c(attnum, ord) join pg_attribute a on a.attrelid = k.confrelid and a.attnum = c.attnum order by c.ord) as referenced
    from pg_constraint k join pg_class t on t.oid = k.conrelid join pg_class r on r.oid = k.confrelid
    where k.contype = 'f' and t.relname = any(${CASE_OWNED}::text[]) and r.relname = any(${CASE_OWNED}::text[])`.execute(db)
  t.ok(foreign.length >= 6, 'the foreign keys to the case are there')
  for (const fk of foreign) {
    const at = fk.columns.indexOf('jurisdiction_code')
    t.ok(at >= 0 && fk.referenced[at] === 'jurisdiction_code', `${fk.table_name}.${fk.name} (${fk.columns.join(', ')}) → ${fk.referenced_table} (${fk.referenced.join(', ')})`)
  }
})
