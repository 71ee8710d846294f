/**
 * Whether two works clash (issue 10, "clash detection"): their geometries come within the rule set's buffer and
 * their periods overlap, dates inclusive. PostgreSQL only prefilters (works_footprint's GiST index on the lon/lat
 * box and the period, migration 2026-12-01T0800); the exact test is here: the geodesic distance (turf, great
 * circles on the mean-radius sphere) between the two geometries, 0 when they cross or one lies inside the other.
 */
import { lineString } from '@turf/helpers'
import { lineIntersect } from '@turf/line-intersect'
import { pointToLineDistance } from '@turf/point-to-line-distance'
import type { CivilDate } from '../calendar/civil-date.ts'
import { type BoundingBox, polylinesOf, positionsOf } from './geometry-parts.ts'
import type { Geometry } from './geometry.schema.ts'
import { EARTH_RADIUS_METERS, localProjectionFor } from './local-projection.ts'
import { ringContains } from './planar.ts'

/** A period of works, both dates inclusive (the planned period, or the approved one once approved). */
export interface WorksPeriod {
  from: CivilDate
  to: CivilDate
}

/** The days both periods cover (inclusive), or null when they share none. 'YYYY-MM-DD' compares as text. */
export function periodOverlap(a: WorksPeriod, b: WorksPeriod): WorksPeriod | null {
  const [, from = a.from] = [a.from, b.from].sort()
  const [to = a.to] = [a.to, b.to].sort()
  return from <= to ? { from, to } : null
}

/** A point of one polygon inside the other's outer ring (the rings themselves are measured by distance). */
function inside(polygon: Geometry, other: Geometry): boolean {
  if (polygon.type !== 'Polygon') return false
  const shell = polygon.coordinates[0] ?? []
  const projection = localProjectionFor(shell)
  const ring = shell.map((p) => projection.toPlane(p))
  return positionsOf(other).some((p) => ringContains(ring, projection.toPlane(p)))
}

/**
 * The geodesic distance in metres between two works geometries: 0 when they cross, touch or one contains the other;
 * otherwise the least distance from a vertex of one to a side of the other (the closest approach of two
 * polylines always has a vertex at one end).
 */
export function worksDistanceMeters(a: Geometry, b: Geometry): number {
  const linesA = polylinesOf(a).map((line) => lineString(line))
  const linesB = polylinesOf(b).map((line) => lineString(line))
  for (const la of linesA) for (const lb of linesB) if (lineIntersect(la, lb).features.length > 0) return 0
  if (inside(a, b) || inside(b, a)) return 0
  let best = Infinity
  for (const [points, lines] of [
    [positionsOf(a), linesB],
    [positionsOf(b), linesA],
  ] as const) {
    for (const p of points) for (const line of lines) best = Math.min(best, pointToLineDistance(p, line, { units: 'meters', method: 'geodesic' }))
  }
  return best
}

export interface WorksFootprint {
  geometry: Geometry
  period: WorksPeriod
}

export interface Clash {
  distanceMeters: number
  overlap: WorksPeriod
}

/** A clash when the periods share a day and the geometries come within `bufferMeters` (the edge counts). */
export function clashBetween(a: WorksFootprint, b: WorksFootprint, bufferMeters: number): Clash | null {
  const overlap = periodOverlap(a.period, b.period)
  if (overlap === null) return null
  const distanceMeters = worksDistanceMeters(a.geometry, b.geometry)
  return distanceMeters <= bufferMeters ? { distanceMeters, overlap } : null
}

const RADIANS = Math.PI / 180
const METERS_PER_DEGREE = EARTH_RADIUS_METERS * RADIANS

/**
 * The box the prefilter searches: the geometry's box grown by the buffer in degrees, the longitude margin taken at
 * the box's latitude farthest from the equator (where a degree of longitude is shortest), and 1 % more so that
 * rounding never drops a pair the exact test would keep.
 */
export function searchBoxOf(box: BoundingBox, bufferMeters: number): BoundingBox {
  const [minLon, minLat, maxLon, maxLat] = box
  const dLat = (bufferMeters / METERS_PER_DEGREE) * 1.01
  const cos = Math.max(Math.cos(Math.min(89, Math.max(Math.abs(minLat), Math.abs(maxLat)) + dLat) * RADIANS), 1e-6)
  const dLon = dLat / cos
  return [minLon - dLon, minLat - dLat, maxLon + dLon, maxLat + dLat]
}

/** About 1.1 km: the cell of the lock grid below. */
const LOCK_CELL_DEGREES = 0.01
/** More cells than this (a geometry over ~16 km²): one city-wide lock instead. */
const MAX_LOCK_CELLS = 256
const CITY_LOCK = 0

/**
 * The advisory-lock keys a clash check takes before it reads the footprints: the grid cells its search box covers,
 * ascending (every writer takes its keys in that order, so two never wait for each other in a circle). Two works that
 * can clash have search boxes that share a cell, so concurrent checks of clashing works run one after the other and
 * the second sees the first's footprint; an enormous box takes the city-wide key, which every check also takes, shared.
 */
export function lockCellsOf(searchBox: BoundingBox): { exclusive: number[]; cityWide: boolean } {
  const [minLon, minLat, maxLon, maxLat] = searchBox.map((v) => Math.floor(v / LOCK_CELL_DEGREES))
  const count = (maxLon! - minLon! + 1) * (maxLat! - minLat! + 1)
  if (count > MAX_LOCK_CELLS) return { exclusive: [CITY_LOCK], cityWide: true }
  const keys: number[] = []
  // 36,000 × 18,000 cells cover the globe: lon index × 20,000 + lat index is unique and well within 2^53.
  for (let x = minLon!; x <= maxLon!; x++) for (let y = minLat!; y <= maxLat!; y++) keys.push(1 + (x + 18_000) * 20_000 + (y + 9_000))
  return { exclusive: keys.sort((p, q) => p - q), cityWide: false }
}
