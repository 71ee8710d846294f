/**
 * The facts about where works are that the service establishes itself, before a route is decided: the
 * geometry is usable (core/geo/geometry-validation.ts), its measured length against the declared one
 * (core/rules/length-check.ts), and the register roads it runs along or crosses, with their protection on
 * the planned start date and the restrictions the planned period overlaps. Read through the pool BEFORE the
 * intake transaction opens (a transaction waiting for a second pool connection can deadlock).
 *
 * Road matching: an index-backed prefilter in PostgreSQL (the road's bounding box, a GiST-indexed `box`,
 * meets the works' box widened by the tolerance), then the exact distance in TypeScript
 * (core/geo/geometry-distance.ts) against the rule set's `roadMatchToleranceMeters`.
 */
import type { Kysely } from 'kysely'
import type { CivilDate } from '../core/calendar/civil-date.ts'
import { boundingBoxOf, type BoundingBox } from '../core/geo/geometry-parts.ts'
import { geometryDistanceMeters } from '../core/geo/geometry-distance.ts'
import type { Geometry } from '../core/geo/geometry.schema.ts'
import { geometryIssuesAt } from '../core/geo/geometry-validation.ts'
import { EARTH_RADIUS_METERS } from '../core/geo/local-projection.ts'
import { measuredLengthMeters } from '../core/geo/measure.ts'
import { geographyOf, geometryLimitsOf } from '../core/rules/geography.ts'
import { checkLength } from '../core/rules/length-check.ts'
import { protectedUntil, protectionOn, protectionsOf } from '../core/rules/protection-period.ts'
import type { CaseRoad, MatchedRoad, RestrictionHit, WorksFacts } from '../core/rules/route-decision.ts'
import type { RuleSet } from '../core/rules/rule-set.schema.ts'
import type { Database } from '../platform/database/database.types.ts'
import { ValidationFailedError } from '../platform/errors/domain-errors.ts'
import { roadsMeeting } from './road.repository.ts'

export interface WorksInput {
  geometry?: Geometry | undefined
  excavationLengthMeters: number
  plannedStartDate: CivilDate
  plannedEndDate: CivilDate
  emergency: boolean
}

export interface EstablishedWorksFacts {
  facts: WorksFacts
  roads: CaseRoad[]
}

/** The works' box widened by `meters` on every side (degrees of longitude shrink with latitude). */
function widened([minLon, minLat, maxLon, maxLat]: BoundingBox, meters: number): BoundingBox {
  const dLat = (meters / EARTH_RADIUS_METERS) * (180 / Math.PI) * 1.001
  const cos = Math.max(0.01, Math.cos((Math.max(Math.abs(minLat), Math.abs(maxLat)) * Math.PI) / 180))
  const dLon = dLat / cos
  return [minLon - dLon, minLat - dLat, maxLon + dLon, maxLat + dLat]
}

/**
 * Throws a 422 `invalid_geometry` naming each fault's path (`location.geometry.coordinates.3`) when the
 * geometry breaks the rule set's limits; the shape (types, ranges, closed rings) is the schema's 400.
 */
function assertUsableWorksGeometry(ruleSet: Pick<RuleSet, 'parameters'>, geometry: Geometry, path: string): void {
  const issues = geometryIssuesAt(path, geometry, geometryLimitsOf(geographyOf(ruleSet)))
  if (issues.length === 0) return
  throw new ValidationFailedError(`The works geometry cannot be used: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`, issues, 'invalid_geometry')
}

/**
 * Establishes the facts for `decideRoute`. Without geometry the declared length decides unchecked and no
 * road is matched. Works overlapping a restriction are refused here (422 `road_restricted`) when the rule
 * set says so, except an emergency repair, which digs first (城市道路管理条例 art. 34).
 */
export async function establishWorksFacts(
  db: Kysely<Database>,
  ruleSet: Pick<RuleSet, 'parameters'>,
  works: WorksInput,
  geometryPath = 'location.geometry',
): Promise<EstablishedWorksFacts> {
  const { geometry } = works
  if (geometry === undefined) return { facts: { plannedStartDate: works.plannedStartDate, lengthCheck: null, roads: [], restrictions: [] }, roads: [] }
  assertUsableWorksGeometry(ruleSet, geometry, geometryPath)
  const geography = geographyOf(ruleSet)
  const lengthCheck = checkLength(works.excavationLengthMeters, measuredLengthMeters(geometry), geography.lengthTolerance)

  const tolerance = geography.roadMatchToleranceMeters
  const candidates = await roadsMeeting(db, widened(boundingBoxOf(geometry), tolerance))
  const roads: CaseRoad[] = []
  const restrictions: RestrictionHit[] = []
  for (const road of candidates) {
    const distanceMeters = geometryDistanceMeters(geometry, road.geometry)
    if (distanceMeters > tolerance) continue
    const protections = protectionsOf(road, geography.protectionPeriods)
    roads.push({
      code: road.code,
      name: road.name,
      class: road.class,
      protectedUntil: protectedUntil(protections),
      restrictions: road.restrictions,
      protection: protectionOn(protections, works.plannedStartDate) ?? null,
      distanceMeters: Math.round(distanceMeters * 100) / 100,
      builtOn: road.builtOn,
      reconstructedOn: road.reconstructedOn,
      overhauledOn: road.overhauledOn,
      registerVersion: road.version,
    })
    // Dates inclusive on both sides: the works' first day may not be a restriction's last.
    for (const r of road.restrictions) {
      if (r.from <= works.plannedEndDate && works.plannedStartDate <= r.to) restrictions.push({ road: road.code, ...r })
    }
  }
  const outcome = geography.restrictionOutcome
  if (outcome.kind === 'refuse' && restrictions.length > 0 && !works.emergency) {
    throw new ValidationFailedError(
      `The planned period ${works.plannedStartDate} to ${works.plannedEndDate} overlaps a no-dig period: ${restrictions.map((r) => `road ${r.road} from ${r.from} to ${r.to} (${r.reason})`).join('; ')}. ` +
        `${outcome.basis.citation}: ${outcome.basis.text}`,
      restrictions.map((r) => ({ path: 'plannedStartDate', message: `the works overlap the restriction of road ${r.road} from ${r.from} to ${r.to}: ${r.reason}` })),
      'road_restricted',
    ).withParams('period', { from: works.plannedStartDate, to: works.plannedEndDate })
  }
  const matched: MatchedRoad[] = roads.map((road) => ({ code: road.code, name: road.name, class: road.class, protection: road.protection ?? undefined }))
  return { facts: { plannedStartDate: works.plannedStartDate, lengthCheck, roads: matched, restrictions }, roads }
}
