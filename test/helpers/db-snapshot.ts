import { sql, type Kysely } from 'kysely'
import type { Database } from '../../src/platform/database/database.types.ts'

/** Row counts and a content hash of every table: "nothing was written" is a comparison of two snapshots. */
export async function snapshotDatabase(db: Kysely<Database>): Promise<Record<string, string>> {
  const tables = ['organization', 'api_key', 'rule_set', 'calendar_year', 'case', 'case_event']
  const extra = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE' and table_name not like 'kysely_%'`.execute(db)
  const all = [...new Set([...tables, ...extra.rows.map((r) => r.table_name)])].sort()
  const snapshot: Record<string, string> = {}
  for (const table of all) {
    const { rows } = await sql<{ digest: string | null; n: number }>`
      select count(*)::int as n, md5(string_agg(t::text, '|' order by t::text)) as digest from ${sql.table(table)} t`.execute(db)
    snapshot[table] = `${rows[0]?.n}:${rows[0]?.digest ?? ''}`
  }
  return snapshot
}
