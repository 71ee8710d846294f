/**
 * Whether a works or road geometry is usable, in the manner of the Dutch KLIC dig-notice checks: valid and
 * simple (no self-intersection, no spike doubling back on itself), at most so many vertices, inside the
 * jurisdiction's bounding box, and no side longer than a maximum (a long side is usually a typing error
 * in a coordinate). The limits are rule-set data (rule-set.schema.ts `geography`).
 *
 * Each issue names its JSON path relative to the geometry (`coordinates.3`, `coordinates.0.5`); the caller
 * prefixes where the geometry sits (`location.geometry`). Positions are already finite and within ±180/±90
 * (geometry.schema.ts), so nothing here can meet NaN or infinity.
 */
import { booleanValid } from '@turf/boolean-valid'
import { distance } from '@turf/distance'
import { kinks } from '@turf/kinks'
import type { FieldIssue } from '../validation/field-issue.ts'
import type { BoundingBox } from './geometry-parts.ts'
import type { Geometry } from './geometry.schema.ts'
import { localProjectionFor, type PlanePoint } from './local-projection.ts'
import { segmentPointDistance } from './planar.ts'

export interface GeometryLimits {
  /** The jurisdiction's bounding box [minLon, minLat, maxLon, maxLat], WGS84, edges included. */
  bbox: BoundingBox
  jurisdiction: string
  maxVertices: number
  maxSideMeters: number
}

/** One issue per kind is enough for a person to act on; a list of 500 is not. */
const MAX_ISSUES_PER_KIND = 10

interface Vertex {
  path: string
  position: number[]
}

/** The polylines of the geometry with the JSON path of each position. */
function indexedPolylines(geometry: Geometry): Vertex[][] {
  if (geometry.type === 'LineString') return [geometry.coordinates.map((position, i) => ({ path: `coordinates.${i}`, position }))]
  return geometry.coordinates.map((line, l) => line.map((position, i) => ({ path: `coordinates.${l}.${i}`, position })))
}

function samePosition(a: number[], b: number[]): boolean {
  return a[0] === b[0] && a[1] === b[1]
}

const format = (meters: number) => `${Math.round(meters * 100) / 100} m`

export function validateGeometry(geometry: Geometry, limits: GeometryLimits): FieldIssue[] {
  const lines = indexedPolylines(geometry)
  const issues: FieldIssue[] = []
  const push = (kind: FieldIssue[], issue: FieldIssue) => {
    if (kind.length < MAX_ISSUES_PER_KIND) kind.push(issue)
  }

  // A polygon ring repeats its first position at the end: that is one vertex, not two (RFC 7946 §3.1.6).
  const vertexCount = lines.reduce((sum, line) => sum + line.length - (geometry.type === 'Polygon' ? 1 : 0), 0)
  if (vertexCount > limits.maxVertices) {
    issues.push({ path: 'coordinates', message: `has ${vertexCount} vertices; at most ${limits.maxVertices} are accepted` })
  }

  const [minLon, minLat, maxLon, maxLat] = limits.bbox
  const isOutside = ([lon = 0, lat = 0]: number[]) => lon < minLon || lon > maxLon || lat < minLat || lat > maxLat
  const outside: FieldIssue[] = []
  const repeated: FieldIssue[] = []
  const long: FieldIssue[] = []
  for (const line of lines) {
    line.forEach((vertex, i) => {
      const [lon = 0, lat = 0] = vertex.position
      if (isOutside(vertex.position)) {
        push(outside, { path: vertex.path, message: `[${lon}, ${lat}] is outside ${limits.jurisdiction} (longitude ${minLon}–${maxLon}, latitude ${minLat}–${maxLat})` })
      }
      const previous = line[i - 1]
      // A side to a position outside the jurisdiction is long because of that position, which is already named.
      if (previous === undefined || isOutside(previous.position) || isOutside(vertex.position)) return
      if (samePosition(previous.position, vertex.position)) {
        push(repeated, { path: vertex.path, message: 'repeats the previous position (a side of zero length)' })
        return
      }
      const side = distance(previous.position, vertex.position, { units: 'meters' })
      if (side > limits.maxSideMeters) {
        push(long, { path: vertex.path, message: `the side ending here is ${format(side)} long; at most ${format(limits.maxSideMeters)} is accepted` })
      }
    })
  }
  issues.push(...outside, ...repeated, ...long)
  // Simplicity is only meaningful once positions are distinct and the extent is sane.
  if (outside.length > 0 || repeated.length > 0) return issues
  issues.push(...simplicityIssues(geometry, lines))
  return issues
}

/**
 * Self-intersections (turf kinks: proper crossings between non-adjacent sides) located at the side that
 * carries them, spikes (a side folding back along the previous one, which kinks cannot see: the two are
 * collinear) and, for a polygon, holes outside their shell (turf booleanValid).
 */
function simplicityIssues(geometry: Geometry, lines: Vertex[][]): FieldIssue[] {
  const issues: FieldIssue[] = []
  const projection = localProjectionFor(lines.flat().map((v) => v.position))
  const planar = lines.map((line) => line.map((v) => ({ ...v, point: projection.toPlane(v.position) })))

  for (const kink of kinks(geometry).features.slice(0, MAX_ISSUES_PER_KIND)) {
    const at = projection.toPlane(kink.geometry.coordinates)
    const side = nearestSide(planar, at)
    if (side !== undefined) issues.push({ path: side, message: 'the geometry crosses itself on the side starting here: it must be simple' })
  }
  for (const line of planar) {
    for (let i = 2; i < line.length; i++) {
      const [a, b, c] = [line[i - 2]!.point, line[i - 1]!.point, line[i]!.point]
      const cross = (b.x - a.x) * (c.y - b.y) - (b.y - a.y) * (c.x - b.x)
      const dot = (b.x - a.x) * (c.x - b.x) + (b.y - a.y) * (c.y - b.y)
      const lengths = Math.hypot(b.x - a.x, b.y - a.y) * Math.hypot(c.x - b.x, c.y - b.y)
      // Folding back: the turn is (within 1e-9 of) a half turn.
      if (dot < 0 && Math.abs(cross) <= 1e-9 * lengths) {
        issues.push({ path: line[i - 1]!.path, message: 'the geometry folds back on itself at this position (a spike): it must be simple' })
      }
    }
  }
  if (issues.length === 0 && geometry.type === 'Polygon' && !booleanValid(geometry)) {
    issues.push({ path: 'coordinates', message: 'is not a valid polygon: a hole must lie inside the outer ring and rings must not touch along a side' })
  }
  return [...new Map(issues.map((issue) => [`${issue.path}|${issue.message}`, issue])).values()]
}

/** The path of the first position of the side nearest a plane point (a crossing lies on two sides; the first found is named). */
function nearestSide(lines: Array<Array<Vertex & { point: PlanePoint }>>, at: PlanePoint): string | undefined {
  let best: { path: string; d: number } | undefined
  for (const line of lines) {
    for (let i = 1; i < line.length; i++) {
      const d = segmentPointDistance(line[i - 1]!.point, line[i]!.point, at)
      if (best === undefined || d < best.d) best = { path: line[i - 1]!.path, d }
    }
  }
  return best?.path
}

/** The issues of a geometry at `path` in a request (`location.geometry`), for a ValidationFailedError. */
export function geometryIssuesAt(path: string, geometry: Geometry, limits: GeometryLimits): FieldIssue[] {
  return validateGeometry(geometry, limits).map((issue) => ({ ...issue, path: `${path}.${issue.path}` }))
}
