import { sql, type Kysely } from 'kysely'
import type { DecisionRecord } from '../core/lifecycle/lifecycle.types.ts'
import type { Database } from '../platform/database/database.types.ts'

/** What a public permit verification reads of a case: nothing personal (no contact, applicant text or organization). */
export interface PermitCase {
  id: string
  number: string
  status: string
  district: string
  roadName: string
  /** The register roads the works were matched to at intake (code and name only). */
  roads: { code: string; name: string }[]
  decision: DecisionRecord | null
  /** The case's own hash chain: its last event's hash and its number of events. */
  headHash: string | null
  eventCount: number
}

/** The case with this number (unique across jurisdictions: each has its own prefix), or undefined. */
export async function findPermitCase(db: Kysely<Database>, caseNumber: string): Promise<PermitCase | undefined> {
  const row = await db
    .selectFrom('case')
    .select([
      'case.id',
      'case.number',
      'case.status',
      'case.district',
      sql<string>`"case".location->>'roadName'`.as('road_name'),
      sql<
        { code: string; name: string }[]
      >`coalesce((select jsonb_agg(jsonb_build_object('code', r->>'code', 'name', r->>'name')) from jsonb_array_elements("case".roads) r), '[]'::jsonb)`.as('roads'),
      sql<DecisionRecord | null>`"case".lifecycle->'decision'`.as('decision'),
      (eb) => eb.selectFrom('case_event').select('case_event.hash').whereRef('case_event.case_id', '=', 'case.id').orderBy('case_event.seq', 'desc').limit(1).as('head_hash'),
      (eb) => eb.selectFrom('case_event').select(sql<string>`count(*)`.as('n')).whereRef('case_event.case_id', '=', 'case.id').as('event_count'),
    ])
    .where('case.number', '=', caseNumber)
    .executeTakeFirst()
  if (!row) return undefined
  return {
    id: row.id,
    number: row.number,
    status: row.status,
    district: row.district,
    roadName: row.road_name,
    roads: row.roads,
    decision: row.decision,
    headHash: row.head_hash ?? null,
    eventCount: Number(row.event_count ?? 0),
  }
}
