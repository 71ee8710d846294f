/**
 * The road register: create or replace, read, list, delete and bulk import roads, each change recorded in
 * road_history (who, when, source, the road before and after) in the same transaction as the change.
 * Geometry is validated like works geometry (core/geo/geometry-validation.ts) except for the side length: a
 * straight street may run kilometres between two vertices.
 */
import type { Kysely } from 'kysely'
import type { Principal } from '../core/access/principal.ts'
import { shanghaiDateOf } from '../core/calendar/civil-date.ts'
import { boundingBoxOf } from '../core/geo/geometry-parts.ts'
import { geometryIssuesAt, type GeometryLimits } from '../core/geo/geometry-validation.ts'
import { geographyOf, geometryLimitsOf } from '../core/rules/geography.ts'
import type { Geography } from '../core/rules/rule-set.schema.ts'
import type { FieldIssue } from '../core/validation/field-issue.ts'
import type { Clock } from '../platform/clock.ts'
import type { Database } from '../platform/database/database.types.ts'
import { NotFoundError, ValidationFailedError } from '../platform/errors/domain-errors.ts'
import { keysetCursor, pageOf } from '../platform/http/keyset-pagination.ts'
import type { IdempotencyHandle } from '../platform/idempotency/idempotency.plugin.ts'
import { runUnitOfWork, type WriteResponse } from '../platform/idempotency/unit-of-work.ts'
import type { RuleSetService } from '../rule-sets/rule-set.service.ts'
import { presentRoad, roadSnapshot } from './road.presenter.ts'
import { deleteRoad, findRoad, insertRoadHistory, listRoadHistory, listRoads, upsertRoad, type RoadHistoryEntry, type RoadRecord, type RoadValues } from './road.repository.ts'
import { roadResponseSchema, type PutRoadRequest, type RoadImport, type RoadListQuery } from './road.schema.ts'

export interface RoadServiceDeps {
  db: Kysely<Database>
  ruleSets: RuleSetService
  clock: Clock
}

/** Who changes the register: an API key (with its request id) or the command line. */
export interface RoadActor {
  principal: Principal | null
  requestId: string | null
  source: 'api' | 'import' | 'cli'
}

/** The geography of the rule set in force today (read before any transaction: it is cached pool data). */
async function currentGeography(deps: Pick<RoadServiceDeps, 'ruleSets' | 'clock'>): Promise<Geography> {
  return geographyOf(await deps.ruleSets.inForce(shanghaiDateOf(deps.clock.now())))
}

function roadGeometryLimits(geography: Geography): GeometryLimits {
  return { ...geometryLimitsOf(geography), maxVertices: 10_000, maxSideMeters: Number.POSITIVE_INFINITY }
}

function valuesOf(code: string, body: PutRoadRequest): RoadValues {
  return {
    code,
    name: body.name,
    district: body.district,
    class: body.class,
    geometry: body.geometry,
    builtOn: body.builtOn ?? null,
    reconstructedOn: body.reconstructedOn ?? null,
    overhauledOn: body.overhauledOn ?? null,
    restrictions: body.restrictions ?? [],
  }
}

/** Writes one road and its history entry; `before` is the locked row as it was. */
async function writeRoad(trx: Kysely<Database>, actor: RoadActor, values: RoadValues, at: Date): Promise<{ road: RoadRecord; created: boolean }> {
  const before = await findRoad(trx, values.code, true)
  const road = await upsertRoad(trx, values, boundingBoxOf(values.geometry), at, actor.principal?.keyId ?? null)
  await insertRoadHistory(trx, [
    {
      roadCode: road.code,
      version: road.version,
      change: before ? 'updated' : 'created',
      before: before ? roadSnapshot(before) : null,
      after: roadSnapshot(road),
      actorKeyId: actor.principal?.keyId ?? null,
      actorRole: actor.principal?.role ?? 'cli',
      requestId: actor.requestId,
      source: actor.source,
      at,
    },
  ])
  return { road, created: before === undefined }
}

export async function putRoad(deps: RoadServiceDeps, actor: RoadActor, code: string, body: PutRoadRequest, idempotency: IdempotencyHandle | null) {
  const geography = await currentGeography(deps)
  const issues = geometryIssuesAt('geometry', body.geometry, roadGeometryLimits(geography))
  if (issues.length > 0) throw invalidGeometry(issues)
  const at = deps.clock.now()
  return await runUnitOfWork(
    deps.db,
    idempotency,
    (trx) => writeRoad(trx, actor, valuesOf(code, body), at),
    ({ road, created }): WriteResponse<ReturnType<typeof presentRoad>> => ({
      status: created ? 201 : 200,
      headers: created ? { location: `/v1/roads/${encodeURIComponent(road.code)}` } : {},
      body: presentRoad(road, geography),
      schema: roadResponseSchema,
    }),
  )
}

function invalidGeometry(issues: FieldIssue[]): ValidationFailedError {
  return new ValidationFailedError(`The road geometry cannot be used: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues, 'invalid_geometry')
}

/**
 * Imports a FeatureCollection all or nothing: every feature is checked first (geometry, duplicate codes),
 * every fault reported with its path (`features.3.geometry.coordinates.1`), and only a clean collection is
 * written, in one transaction. Roads not in the file are left as they are (an import adds and replaces).
 */
export async function importRoads(deps: RoadServiceDeps, actor: RoadActor, collection: RoadImport) {
  const geography = await currentGeography(deps)
  const limits = roadGeometryLimits(geography)
  const issues: FieldIssue[] = []
  const seen = new Map<string, number>()
  collection.features.forEach((feature, i) => {
    issues.push(...geometryIssuesAt(`features.${i}.geometry`, feature.geometry, limits))
    const first = seen.get(feature.properties.code)
    if (first !== undefined) issues.push({ path: `features.${i}.properties.code`, message: `repeats the code of features.${first}` })
    else seen.set(feature.properties.code, i)
  })
  if (issues.length > 0) {
    throw new ValidationFailedError(
      `Nothing was imported: ${issues.length} fault(s) in the collection, e.g. ${issues[0]?.path}: ${issues[0]?.message}`,
      issues.slice(0, 200),
      'invalid_road_import',
    ).withParams('count', { count: issues.length })
  }
  const at = deps.clock.now()
  const results = await deps.db.transaction().execute(async (trx) => {
    const written: Array<{ code: string; created: boolean; version: number }> = []
    for (const feature of collection.features) {
      const { code, ...fields } = feature.properties
      const { road, created } = await writeRoad(trx, actor, valuesOf(code, { ...fields, geometry: feature.geometry }), at)
      written.push({ code: road.code, created, version: road.version })
    }
    return written
  })
  return { imported: results.length, created: results.filter((r) => r.created).length, updated: results.filter((r) => !r.created).length, roads: results }
}

export async function readRoad(deps: RoadServiceDeps, code: string) {
  const geography = await currentGeography(deps)
  const road = await findRoad(deps.db, code)
  if (!road) throw new NotFoundError(`No road ${code} in the register.`, 'road_not_found').withParams('code', { code })
  return { road, geography }
}

/** Deletes a road; its history stays (a decided case still names it, with the facts it was decided on). */
export async function removeRoad(deps: RoadServiceDeps, actor: RoadActor, code: string): Promise<void> {
  const at = deps.clock.now()
  await deps.db.transaction().execute(async (trx) => {
    const before = await findRoad(trx, code, true)
    if (!before) throw new NotFoundError(`No road ${code} in the register.`, 'road_not_found').withParams('code', { code })
    await deleteRoad(trx, code)
    await insertRoadHistory(trx, [
      {
        roadCode: code,
        version: before.version + 1,
        change: 'deleted',
        before: roadSnapshot(before),
        after: null,
        actorKeyId: actor.principal?.keyId ?? null,
        actorRole: actor.principal?.role ?? 'cli',
        requestId: actor.requestId,
        source: actor.source,
        at,
      },
    ])
  })
}

const roadListCursor = keysetCursor<{ code: string }>('roads', {
  toValues: (key) => [key.code],
  fromValues: ([code]) => (typeof code === 'string' && code.length > 0 && code.length <= 64 ? { code } : undefined),
})

export async function listRoadsFor(deps: RoadServiceDeps, query: RoadListQuery) {
  const after = query.cursor ? roadListCursor.decode(query.cursor) : undefined
  const geography = await currentGeography(deps)
  const rows = await listRoads(deps.db, { district: query.district, class: query.class, bbox: query.bbox, afterCode: after?.code, limit: query.limit + 1 })
  const page = pageOf(rows, query.limit, roadListCursor, (road) => ({ code: road.code }))
  return { roads: page.items, nextCursor: page.nextCursor, geography }
}

export async function roadHistoryFor(deps: RoadServiceDeps, code: string): Promise<RoadHistoryEntry[]> {
  const entries = await listRoadHistory(deps.db, code)
  if (entries.length === 0) throw new NotFoundError(`No road ${code} was ever in the register.`, 'road_not_found').withParams('code', { code })
  return entries
}
