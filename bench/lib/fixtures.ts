/** Data the scenarios need: API keys, a template case, pre-created submitted cases, ids to read, the 1,000,000 seed. */
import { existsSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../src/platform/database/database.types.ts'
import { REPO_ROOT } from './processes.ts'

/** A valid intake body, as a dispatch system sends it (README "A first session with curl"). */
export function intakeBody(externalReference: string): string {
  // Spread over the city (a hash of the reference): works all on one spot would each clash with every earlier one.
  let hash = 0
  for (const char of externalReference) hash = (hash * 31 + char.charCodeAt(0)) >>> 0
  const [dLon, dLat] = [((hash % 1500) / 1500) * 0.15 - 0.08, ((Math.floor(hash / 1500) % 1000) / 1000) * 0.1 - 0.05]
  const at = (lon: number, lat: number) => [Math.round((lon + dLon) * 1e6) / 1e6, Math.round((lat + dLat) * 1e6) / 1e6]
  return JSON.stringify({
    externalReference,
    voltageVolts: 10000,
    excavationLengthMeters: 80,
    works: { title: '10 kV cable to the Jinfeng industrial park', description: 'Open-cut trench along the east verge, two road crossings by pipe jacking.' },
    location: {
      district: 'Longwen',
      roadName: 'Shuixian Avenue',
      geometry: {
        type: 'LineString',
        coordinates: [at(117.647, 24.513), at(117.6495, 24.514), at(117.652, 24.515)],
      },
    },
    plannedStartDate: '2026-12-07',
    plannedEndDate: '2026-12-18',
    contact: { name: 'Li Ming', phone: '0596-2345678' },
  })
}

/** Three bodies that land on different routes (joint review, fast track, standard). */
export const assessmentBodies = [
  { voltageVolts: 10000, excavationLengthMeters: 49.5, acceptedAt: '2026-02-12T10:00:00+08:00' },
  { voltageVolts: 10000, excavationLengthMeters: 120, acceptedAt: '2026-09-28T16:30:00+08:00' },
  { voltageVolts: 110000, excavationLengthMeters: 900, acceptedAt: '2026-04-30T09:15:00+08:00' },
].map((body) => JSON.stringify(body))

export async function postJson(url: string, key: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown; headers: Headers }> {
  const response = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers }, body })
  const text = await response.text()
  let parsed: unknown = text
  try {
    parsed = JSON.parse(text)
  } catch {
    // not JSON
  }
  return { status: response.status, body: parsed, headers: response.headers }
}

async function columnsOf(db: Kysely<Database>, table: string): Promise<string[]> {
  const { rows } = await sql<{ column_name: string }>`
    select column_name from information_schema.columns
    where table_schema = current_schema() and table_name = ${table} and is_generated = 'NEVER'
    order by ordinal_position`.execute(db)
  return rows.map((row) => row.column_name)
}

/**
 * Copies a submitted case (written by the service) `count` times, set-based, each with its first event:
 * the transition scenario needs one fresh case at version 1 per request. Every column is copied except
 * the keys and unique numbers, so a column added by a later migration is copied too. (The copies' event
 * hashes are the template's: the chain of a copy does not verify, which no scenario looks at.)
 */
export async function cloneCase(db: Kysely<Database>, templateId: string, count: number, tag: string): Promise<string[]> {
  if (count <= 0) return []
  const overrides: Record<string, string> = {
    id: 'gen_random_uuid()',
    number: `${quoteLiteral(tag)} || '-' || lpad(g::text, 8, '0')`,
    external_reference: 'null',
    filing_receipt_number: 'null',
    // A copy carries the template's first event only (its version = its event count): clash events the template
    // may have had with seeded works (clash scenario) are not copied.
    version: '1',
  }
  const caseColumns = await columnsOf(db, 'case')
  const eventColumns = (await columnsOf(db, 'case_event')).filter((c) => c !== 'id' && c !== 'tx_id')
  const caseSelect = caseColumns.map((c) => overrides[c] ?? `t.${quoteIdent(c)}`).join(', ')
  const eventSelect = eventColumns.map((c) => (c === 'case_id' ? 'n.id' : `e.${quoteIdent(c)}`)).join(', ')
  const { rows } = await sql<{ id: string }>`
    with t as (select * from "case" where id = ${templateId}),
    n as (
      insert into "case" (${sql.raw(caseColumns.map(quoteIdent).join(', '))})
      select ${sql.raw(caseSelect)} from t cross join generate_series(1, ${count}::int) g
      returning id
    ),
    ev as (
      insert into case_event (${sql.raw(eventColumns.map(quoteIdent).join(', '))})
      select ${sql.raw(eventSelect)} from n cross join (select * from case_event where case_id = ${templateId} and seq = 1) e
    )
    select id from n`.execute(db)
  return rows.map((row) => row.id)
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`
const quoteLiteral = (text: string) => `'${text.replace(/'/g, "''")}'`

/** Ids spread over the whole table, for the read scenario. */
export async function sampleCaseIds(db: Kysely<Database>, count: number): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`select id from "case" order by random() limit ${count}`.execute(db)
  return rows.map((row) => row.id)
}

export async function countCases(db: Kysely<Database>): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from "case"`.execute(db)
  return rows[0]?.n ?? 0
}

// ---- bench/seed-cases.ts (written by another engineer) -------------------------------------------------

export interface SeedModule {
  seedCases(db: Kysely<Database>, count: number): Promise<unknown>
  rebuildSlaSummary?: (db: Kysely<Database>) => Promise<unknown>
}

export const SEED_MODULE_PATH = path.join(REPO_ROOT, 'bench/seed-cases.ts')

/** Loaded by path so the benchmark runs (without the 1,000,000-case scenarios) before the module exists. */
export async function loadSeedModule(): Promise<SeedModule | string> {
  if (!existsSync(SEED_MODULE_PATH)) return 'bench/seed-cases.ts does not exist yet'
  const module = (await import(pathToFileURL(SEED_MODULE_PATH).href)) as Partial<SeedModule>
  if (typeof module.seedCases !== 'function') return 'bench/seed-cases.ts does not export seedCases(db, count)'
  return module as SeedModule
}

export function reportsRouteExists(): boolean {
  return existsSync(path.join(REPO_ROOT, 'src/reports'))
}
