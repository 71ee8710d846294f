import { sql, type Kysely, type Selectable } from 'kysely'
import type { Geometry } from '../core/geo/geometry.schema.ts'
import type { BoundingBox } from '../core/geo/geometry-parts.ts'
import type { RoadClass } from '../core/rules/rule-set.schema.ts'
import type { Database, RoadHistoryTable, RoadTable } from '../platform/database/database.types.ts'

export interface RoadRestriction {
  from: string
  to: string
  reason: string
}

/** A register road as the domain sees it (camelCase); the row mapping lives only here. */
export interface RoadRecord {
  code: string
  name: string
  district: string
  class: RoadClass
  geometry: Geometry
  builtOn: string | null
  reconstructedOn: string | null
  overhauledOn: string | null
  restrictions: RoadRestriction[]
  version: number
  updatedAt: Date
}

export type RoadValues = Omit<RoadRecord, 'version' | 'updatedAt'>

function toRecord(row: Selectable<RoadTable>): RoadRecord {
  return {
    code: row.code,
    name: row.name,
    district: row.district,
    class: row.class as RoadClass,
    geometry: row.geometry as unknown as Geometry,
    builtOn: row.built_on,
    reconstructedOn: row.reconstructed_on,
    overhauledOn: row.overhauled_on,
    restrictions: row.restrictions,
    version: row.version,
    updatedAt: row.updated_at,
  }
}

/** A PostgreSQL box from a bounding box: box(point(minLon, minLat), point(maxLon, maxLat)). */
const boxOf = ([minLon, minLat, maxLon, maxLat]: BoundingBox) => sql<string>`box(point(${minLon}::float8, ${minLat}::float8), point(${maxLon}::float8, ${maxLat}::float8))`

export async function findRoad(db: Kysely<Database>, code: string, lock = false): Promise<RoadRecord | undefined> {
  let query = db.selectFrom('road').selectAll().where('code', '=', code)
  if (lock) query = query.forUpdate()
  const row = await query.executeTakeFirst()
  return row ? toRecord(row) : undefined
}

export interface RoadFilters {
  district?: string | undefined
  class?: RoadClass | undefined
  bbox?: BoundingBox | undefined
  afterCode?: string | undefined
  limit: number
}

/** The register in code order (keyset on code); the bbox filter is the GiST index's `&&` (boxes meet). */
export async function listRoads(db: Kysely<Database>, filters: RoadFilters): Promise<RoadRecord[]> {
  let query = db.selectFrom('road').selectAll().orderBy('code').limit(filters.limit)
  if (filters.district !== undefined) query = query.where('district', '=', filters.district)
  if (filters.class !== undefined) query = query.where('class', '=', filters.class)
  if (filters.bbox !== undefined) query = query.where(sql<boolean>`extent && ${boxOf(filters.bbox)}`)
  if (filters.afterCode !== undefined) query = query.where('code', '>', filters.afterCode)
  return (await query.execute()).map(toRecord)
}

/** The prefilter of road matching: roads whose bounding box meets `bbox` (already widened by the tolerance). */
export async function roadsMeeting(db: Kysely<Database>, bbox: BoundingBox, limit = 200): Promise<RoadRecord[]> {
  const rows = await db
    .selectFrom('road')
    .selectAll()
    .where(sql<boolean>`extent && ${boxOf(bbox)}`)
    .orderBy('code')
    .limit(limit)
    .execute()
  return rows.map(toRecord)
}

/** Creates or replaces a road (the caller holds the row lock when it exists) and returns it as stored. */
export async function upsertRoad(db: Kysely<Database>, values: RoadValues, bbox: BoundingBox, at: Date, keyId: string | null): Promise<RoadRecord> {
  const columns = {
    name: values.name,
    district: values.district,
    class: values.class,
    geometry: JSON.stringify(values.geometry),
    extent: boxOf(bbox) as unknown as string,
    built_on: values.builtOn,
    reconstructed_on: values.reconstructedOn,
    overhauled_on: values.overhauledOn,
    restrictions: JSON.stringify(values.restrictions),
    updated_at: at,
    updated_by_key_id: keyId,
  }
  const row = await db
    .insertInto('road')
    .values({ code: values.code, ...columns, version: 1, created_at: at })
    .onConflict((oc) => oc.column('code').doUpdateSet({ ...columns, version: sql<number>`road.version + 1` }))
    .returningAll()
    .executeTakeFirstOrThrow()
  return toRecord(row)
}

export async function deleteRoad(db: Kysely<Database>, code: string): Promise<RoadRecord | undefined> {
  const row = await db.deleteFrom('road').where('code', '=', code).returningAll().executeTakeFirst()
  return row ? toRecord(row) : undefined
}

export interface RoadHistoryEntry {
  id: number
  roadCode: string
  version: number
  change: 'created' | 'updated' | 'deleted'
  before: Record<string, unknown> | null
  after: Record<string, unknown> | null
  actorKeyId: string | null
  actorRole: string
  requestId: string | null
  source: 'api' | 'import' | 'cli'
  at: Date
}

export async function insertRoadHistory(db: Kysely<Database>, entries: Array<Omit<RoadHistoryEntry, 'id'>>): Promise<void> {
  if (entries.length === 0) return
  await db
    .insertInto('road_history')
    .values(
      entries.map((e) => ({
        road_code: e.roadCode,
        version: e.version,
        change: e.change,
        before: e.before === null ? null : JSON.stringify(e.before),
        after: e.after === null ? null : JSON.stringify(e.after),
        actor_key_id: e.actorKeyId,
        actor_role: e.actorRole,
        request_id: e.requestId,
        source: e.source,
        at: e.at,
      })),
    )
    .execute()
}

function historyOf(row: Selectable<RoadHistoryTable>): RoadHistoryEntry {
  return {
    id: row.id,
    roadCode: row.road_code,
    version: row.version,
    change: row.change,
    before: row.before,
    after: row.after,
    actorKeyId: row.actor_key_id,
    actorRole: row.actor_role,
    requestId: row.request_id,
    source: row.source,
    at: row.at,
  }
}

/** A road's history, oldest first (also after it was deleted). */
export async function listRoadHistory(db: Kysely<Database>, code: string): Promise<RoadHistoryEntry[]> {
  return (await db.selectFrom('road_history').selectAll().where('road_code', '=', code).orderBy('id').limit(1000).execute()).map(historyOf)
}
