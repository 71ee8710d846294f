import { formatShanghaiInstant } from '../core/calendar/civil-date.ts'
import { protectedUntil, protectionsOf } from '../core/rules/protection-period.ts'
import type { Geography } from '../core/rules/rule-set.schema.ts'
import type { RoadRecord } from './road.repository.ts'

/** The public JSON of a road, with its protection periods under the given geography (the rule set in force). */
export function presentRoad(road: RoadRecord, geography: Geography) {
  const protections = protectionsOf(road, geography.protectionPeriods)
  return {
    code: road.code,
    name: road.name,
    district: road.district,
    class: road.class,
    geometry: road.geometry,
    builtOn: road.builtOn,
    reconstructedOn: road.reconstructedOn,
    overhauledOn: road.overhauledOn,
    restrictions: road.restrictions,
    protections,
    protectedUntil: protectedUntil(protections),
    version: road.version,
    updatedAt: formatShanghaiInstant(road.updatedAt),
  }
}

/** A road as a GeoJSON Feature (RFC 7946 §3.2): the register code is the feature's id. */
export function roadFeature(road: RoadRecord, geography: Geography) {
  const { geometry, ...properties } = presentRoad(road, geography)
  return { type: 'Feature' as const, id: road.code, geometry, properties }
}

/** What road_history keeps of a road: the register facts, not the derived protection. */
export function roadSnapshot(road: RoadRecord): Record<string, unknown> {
  const { updatedAt, ...facts } = road
  return { ...facts, updatedAt: updatedAt.toISOString() }
}
