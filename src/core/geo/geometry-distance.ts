/**
 * The shortest distance between two geometries in metres, 0 when they touch, cross or one contains the
 * other: the exact test behind road matching (src/roads) and clash detection, after the index prefilter.
 * Computed in one local metric plane about both geometries (local-projection.ts); over the few hundred
 * metres a match or a clash is about, the plane's error is millimetres.
 */
import { polylinesOf, positionsOf } from './geometry-parts.ts'
import type { Geometry } from './geometry.schema.ts'
import { localProjectionFor, type LocalProjection, type PlanePoint } from './local-projection.ts'
import { ringContains, segmentDistance } from './planar.ts'

interface PlaneGeometry {
  lines: PlanePoint[][]
  /** The outer ring with its holes, when the geometry is a polygon. */
  polygon: PlanePoint[][] | null
}

function toPlane(geometry: Geometry, projection: LocalProjection): PlaneGeometry {
  const lines = polylinesOf(geometry).map((line) => line.map((p) => projection.toPlane(p)))
  return { lines, polygon: geometry.type === 'Polygon' ? lines : null }
}

/** Inside the outer ring and in none of the holes (a point on a ring counts either way; the boundary distance is 0 then). */
function polygonContains(polygon: PlanePoint[][], p: PlanePoint): boolean {
  const [shell, ...holes] = polygon
  return shell !== undefined && ringContains(shell, p) && !holes.some((hole) => ringContains(hole, p))
}

export function geometryDistanceMeters(a: Geometry, b: Geometry): number {
  const projection = localProjectionFor([...positionsOf(a), ...positionsOf(b)])
  const pa = toPlane(a, projection)
  const pb = toPlane(b, projection)
  // One inside the other: any of its vertices is inside (if none is, the boundaries cross or it is outside).
  if (pb.polygon !== null && pa.lines.some((line) => line.some((p) => polygonContains(pb.polygon as PlanePoint[][], p)))) return 0
  if (pa.polygon !== null && pb.lines.some((line) => line.some((p) => polygonContains(pa.polygon as PlanePoint[][], p)))) return 0
  let best = Infinity
  for (const la of pa.lines) {
    for (let i = 1; i < la.length; i++) {
      for (const lb of pb.lines) {
        for (let j = 1; j < lb.length; j++) {
          best = Math.min(best, segmentDistance(la[i - 1]!, la[i]!, lb[j - 1]!, lb[j]!))
          if (best === 0) return 0
        }
      }
    }
  }
  return best
}
