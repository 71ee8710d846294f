/** All SQL of works_clash (migration 2026-12-01T0800): one row per clashing pair, the smaller case id first. */
import { sql, type Kysely } from 'kysely'
import type { WorksPeriod } from '../core/geo/works-clash.ts'
import type { Database } from '../platform/database/database.types.ts'

export type ClashStatus = 'open' | 'linked' | 'dismissed'

export interface ClashDecision {
  action: 'link_works' | 'dismiss_clash'
  kind?: 'joint_trench' | 'sequenced'
  note?: string
  reason?: string
  decidedAt: string
  decidedBy: { keyId: string; role: string }
}

/** A clash as one of its two cases sees it: the other case with its footprint facts. */
export interface ClashRecord {
  otherCaseId: string
  otherCaseNumber: string
  otherOrganizationId: string
  otherRoadName: string
  otherPeriod: WorksPeriod | null
  distanceMeters: number
  overlap: WorksPeriod
  sameRoad: boolean
  status: ClashStatus
  decision: ClashDecision | null
  detectedAt: Date
}

const pair = (a: string, b: string) => (a < b ? [a, b] : [b, a])

/** Records a clash; true when it is new (a re-check of a known pair updates its facts and keeps its status). */
export async function upsertClash(
  trx: Kysely<Database>,
  clash: { jurisdictionCode: string; caseId: string; otherCaseId: string; distanceMeters: number; overlap: WorksPeriod; sameRoad: boolean },
  at: Date,
): Promise<boolean> {
  const [a, b] = pair(clash.caseId, clash.otherCaseId)
  const { rows } = await sql<{ inserted: boolean }>`
    insert into works_clash (case_a, case_b, jurisdiction_code, distance_meters, overlap_from, overlap_to, same_road, detected_at, updated_at)
    values (${a}, ${b}, ${clash.jurisdictionCode}, ${clash.distanceMeters}, ${clash.overlap.from}, ${clash.overlap.to}, ${clash.sameRoad}, ${at}, ${at})
    on conflict (case_a, case_b, jurisdiction_code) do update set distance_meters = excluded.distance_meters, overlap_from = excluded.overlap_from,
      overlap_to = excluded.overlap_to, same_road = excluded.same_road, updated_at = excluded.updated_at
    returning (xmax = 0) as inserted`.execute(trx)
  return rows[0]?.inserted ?? false
}

interface ClashRow {
  other_id: string
  other_number: string
  other_organization_id: string
  other_road_name: string
  other_from: string | null
  other_to: string | null
  distance_meters: string
  overlap_from: string
  overlap_to: string
  same_road: boolean
  status: ClashStatus
  decision: ClashDecision | null
  detected_at: Date
}

/** The clashes of a case, nearest first. The other case's period is its footprint's (null once it no longer digs). */
export async function listClashesOf(db: Kysely<Database>, caseId: string): Promise<ClashRecord[]> {
  const { rows } = await sql<ClashRow>`
    select o.id as other_id, o.number as other_number, o.organization_id as other_organization_id, o.location ->> 'roadName' as other_road_name,
      to_char(lower(f.period), 'YYYY-MM-DD') as other_from, to_char(upper(f.period) - 1, 'YYYY-MM-DD') as other_to,
      c.distance_meters, to_char(c.overlap_from, 'YYYY-MM-DD') as overlap_from, to_char(c.overlap_to, 'YYYY-MM-DD') as overlap_to,
      c.same_road, c.status, c.decision, c.detected_at
    from works_clash c
    join "case" o on o.id = case when c.case_a = ${caseId}::uuid then c.case_b else c.case_a end
    left join works_footprint f on f.case_id = o.id
    where c.case_a = ${caseId}::uuid or c.case_b = ${caseId}::uuid
    order by c.distance_meters, o.number`.execute(db)
  return rows.map((row) => ({
    otherCaseId: row.other_id,
    otherCaseNumber: row.other_number,
    otherOrganizationId: row.other_organization_id,
    otherRoadName: row.other_road_name,
    otherPeriod: row.other_from && row.other_to ? { from: row.other_from, to: row.other_to } : null,
    distanceMeters: Number(row.distance_meters),
    overlap: { from: row.overlap_from, to: row.overlap_to },
    sameRoad: row.same_road,
    status: row.status,
    decision: row.decision,
    detectedAt: row.detected_at,
  }))
}

/** The clash between two cases, locked for its decision; undefined when they do not clash. */
export async function lockClash(trx: Kysely<Database>, caseId: string, otherCaseId: string): Promise<{ status: ClashStatus } | undefined> {
  const [a, b] = pair(caseId, otherCaseId)
  const { rows } = await sql<{ status: ClashStatus }>`select status from works_clash where case_a = ${a} and case_b = ${b} for update`.execute(trx)
  return rows[0]
}

export async function decideClash(trx: Kysely<Database>, caseId: string, otherCaseId: string, status: ClashStatus, decision: ClashDecision, at: Date): Promise<void> {
  const [a, b] = pair(caseId, otherCaseId)
  await sql`update works_clash set status = ${status}, decision = ${JSON.stringify(decision)}, updated_at = ${at} where case_a = ${a} and case_b = ${b}`.execute(trx)
}

/** Locks the cases' rows in id order (every multi-case writer does, so none waits in a circle) and bumps their versions: their views changed. */
export async function lockAndTouchCases(trx: Kysely<Database>, ids: string[], at: Date): Promise<Array<{ id: string; organizationId: string }>> {
  if (ids.length === 0) return []
  const sorted = [...new Set(ids)].sort()
  const { rows } = await sql<{ id: string; organization_id: string }>`
    with locked as (select id from "case" where id = any(${sorted}::uuid[]) order by id for update)
    update "case" c set version = c.version + 1, updated_at = ${at} from locked where c.id = locked.id
    returning c.id, c.organization_id`.execute(trx)
  return rows.map((row) => ({ id: row.id, organizationId: row.organization_id }))
}

/** The case's own version moves with every event appended to its chain beside its transition (version = event count). */
export async function advanceCaseVersion(trx: Kysely<Database>, id: string, by: number, at: Date): Promise<void> {
  if (by === 0) return
  await sql`update "case" set version = version + ${by}, updated_at = ${at} where id = ${id}`.execute(trx)
}
