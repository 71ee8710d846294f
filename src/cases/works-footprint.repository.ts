/**
 * All SQL of works_footprint (migration 2026-12-01T0800): where and when an open case's works dig, for the clash
 * prefilter and the map feed. The box is the geometry's lon/lat bounding box; the period a daterange with both dates
 * included ('[]', stored canonically as [from, to + 1)).
 */
import { sql, type Kysely } from 'kysely'
import type { BoundingBox } from '../core/geo/geometry-parts.ts'
import type { Geometry } from '../core/geo/geometry.schema.ts'
import type { WorksPeriod } from '../core/geo/works-clash.ts'
import type { Database } from '../platform/database/database.types.ts'

export interface FootprintRecord {
  caseId: string
  organizationId: string
  organizationCode: string
  caseNumber: string
  route: string
  status: string
  roadName: string
  roadCodes: string[]
  box: BoundingBox
  period: WorksPeriod
  geometry: Geometry
  /** The case's jurisdiction (migration 2026-12-02T0100): part of the key, and the scope of the map feed. */
  jurisdictionCode: string
}

interface FootprintRow {
  case_id: string
  organization_id: string
  organization_code: string
  case_number: string
  route: string
  status: string
  road_name: string
  road_codes: string[]
  period_from: string
  period_to: string
  geometry: Geometry
}

const boxSql = ([minLon, minLat, maxLon, maxLat]: BoundingBox) => sql`box(point(${minLon}, ${minLat}), point(${maxLon}, ${maxLat}))`
const periodSql = (period: WorksPeriod) => sql`daterange(${period.from}::date, ${period.to}::date, '[]')`

const SELECT_FOOTPRINT = sql`case_id, organization_id, organization_code, case_number, route, status, road_name, road_codes,
  to_char(lower(period), 'YYYY-MM-DD') as period_from, to_char(upper(period) - 1, 'YYYY-MM-DD') as period_to, geometry`

export type FootprintView = Omit<FootprintRecord, 'box' | 'jurisdictionCode'>

function toFootprint(row: FootprintRow): FootprintView {
  return {
    caseId: row.case_id,
    organizationId: row.organization_id,
    organizationCode: row.organization_code,
    caseNumber: row.case_number,
    route: row.route,
    status: row.status,
    roadName: row.road_name,
    roadCodes: row.road_codes,
    period: { from: row.period_from, to: row.period_to },
    geometry: row.geometry,
  }
}

export async function upsertFootprint(trx: Kysely<Database>, f: FootprintRecord, at: Date): Promise<void> {
  await sql`
    insert into works_footprint (case_id, jurisdiction_code, organization_id, organization_code, case_number, route, status, road_name, road_codes, extent, period, geometry, updated_at)
    values (${f.caseId}, ${f.jurisdictionCode}, ${f.organizationId}, ${f.organizationCode}, ${f.caseNumber}, ${f.route}, ${f.status}, ${f.roadName}, ${f.roadCodes}::text[], ${boxSql(f.box)},
      ${periodSql(f.period)}, ${JSON.stringify(f.geometry)}, ${at})
    on conflict (case_id, jurisdiction_code) do update set status = excluded.status, route = excluded.route, road_name = excluded.road_name, road_codes = excluded.road_codes, extent = excluded.extent,
      period = excluded.period, geometry = excluded.geometry, updated_at = excluded.updated_at`.execute(trx)
}

/** The case no longer digs (withdrawn, refused, completed…): it leaves the map and the prefilter. */
export async function deleteFootprint(trx: Kysely<Database>, caseId: string): Promise<void> {
  await sql`delete from works_footprint where case_id = ${caseId}`.execute(trx)
}

/**
 * Footprints of one jurisdiction whose box meets `box` and whose period shares a day with `period` (the GiST index),
 * but not `exceptCaseId`'s. A clash is between two cases of one jurisdiction (its office decides it; the key of
 * works_clash holds one jurisdiction, README "Scaling out").
 */
export async function findFootprintsNear(trx: Kysely<Database>, jurisdictionCode: string, box: BoundingBox, period: WorksPeriod, exceptCaseId: string): Promise<FootprintView[]> {
  const { rows } = await sql<FootprintRow>`
    select ${SELECT_FOOTPRINT} from works_footprint
    where extent && ${boxSql(box)} and period && ${periodSql(period)} and case_id <> ${exceptCaseId} and jurisdiction_code = ${jurisdictionCode}`.execute(trx)
  return rows.map(toFootprint)
}

/**
 * The map feed as GeoJSON text, built by PostgreSQL (the geometries are stored as GeoJSON already, so they are never
 * parsed and re-serialized): footprints in a box over a period, optionally of some statuses, ordered by case number,
 * at most `limit` (`count` says how many matched, up to limit + 1: more than `limit` means truncated). With `confinedTo` (a dispatch key's organization) another organization's works are only
 * `{ occupied: true, period }`. With `jurisdictionCode` only that jurisdiction's works (core/access: jurisdictionScopeOf).
 * `clash`: at least one clash of the case is still open (neither linked nor dismissed).
 */
export async function worksFeedJson(
  db: Kysely<Database>,
  filter: { box: BoundingBox; period: WorksPeriod; statuses?: string[] | undefined; limit: number; confinedTo: string | null; jurisdictionCode: string | undefined },
): Promise<{ featuresJson: string; count: number }> {
  const { rows } = await sql<{ features: string | null; count: number }>`
    with hits as (
      select case_id, organization_id, organization_code, case_number, route, status, road_name, period, geometry
      from works_footprint
      where extent && ${boxSql(filter.box)} and period && ${periodSql(filter.period)}
        ${filter.statuses ? sql`and status = any(${filter.statuses}::text[])` : sql``}
        ${filter.jurisdictionCode !== undefined ? sql`and jurisdiction_code = ${filter.jurisdictionCode}` : sql``}
      order by case_number limit ${filter.limit + 1}
    ), numbered as (
      select *, row_number() over (order by case_number) as n from hits
    ), features as (
      select case_number, n, json_build_object('type', 'Feature', 'geometry', geometry, 'properties',
        case when ${filter.confinedTo}::uuid is not null and organization_id <> ${filter.confinedTo}::uuid
          then json_build_object('occupied', true, 'period', json_build_object('from', lower(period), 'to', upper(period) - 1))
          else json_build_object('caseId', case_id, 'caseNumber', case_number, 'route', route, 'status', status,
            'period', json_build_object('from', lower(period), 'to', upper(period) - 1), 'organization', organization_code, 'road', road_name,
            'clash', exists (select 1 from works_clash c where c.case_a = numbered.case_id and c.status = 'open')
              or exists (select 1 from works_clash c where c.case_b = numbered.case_id and c.status = 'open'))
        end) as feature
      from numbered
    )
    select string_agg(feature::text, ',' order by case_number) filter (where n <= ${filter.limit}) as features, count(*)::int as count from features`.execute(db)
  return { featuresJson: rows[0]?.features ?? '', count: rows[0]?.count ?? 0 }
}

/** The geometry and period of a case's footprint, read without a lock (to know which area locks to take first). */
export async function findFootprintGeometry(db: Kysely<Database>, caseId: string): Promise<Geometry | undefined> {
  const { rows } = await sql<{ geometry: Geometry | null }>`select location -> 'geometry' as geometry from "case" where id = ${caseId}`.execute(db)
  return rows[0]?.geometry ?? undefined
}

/**
 * Transaction-scoped advisory locks, ascending (src/core/geo/works-clash.ts lockCellsOf): the city-wide key shared
 * (or exclusive for an enormous box), then the cells. Taken before any case row lock of the check.
 */
export async function lockWorksCells(trx: Kysely<Database>, cells: { exclusive: number[]; cityWide: boolean }, namespace: number): Promise<void> {
  if (cells.cityWide) {
    await sql`select pg_advisory_xact_lock(${namespace}::int, 0)`.execute(trx)
    return
  }
  await sql`select pg_advisory_xact_lock_shared(${namespace}::int, 0)`.execute(trx)
  await sql`select count(pg_advisory_xact_lock(${namespace}::int, k)) from (select unnest(${cells.exclusive}::int[]) as k order by 1) cells`.execute(trx)
}
