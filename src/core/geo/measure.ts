/**
 * The length of a trench as the service measures it: the geodesic length of a line (turf length, great
 * circles on the mean-radius sphere), and for a polygon the long side of its minimum bounding rectangle
 * (a dig polygon around a trench is long and thin: its long side is the trench's length). The rectangle is
 * found by rotating calipers over the convex hull (turf convex) in a local metric plane; the projection
 * is affine in longitude and latitude, so the hull of the projected points is the projected hull.
 */
import { convex } from '@turf/convex'
import { featureCollection, point } from '@turf/helpers'
import { length } from '@turf/length'
import type { Geometry } from './geometry.schema.ts'
import { localProjectionFor } from './local-projection.ts'
import { minimumBoundingRectangle } from './planar.ts'

export function measuredLengthMeters(geometry: Geometry): number {
  if (geometry.type !== 'Polygon') return length({ type: 'Feature', properties: {}, geometry }, { units: 'meters' })
  const shell = geometry.coordinates[0] ?? []
  const hull = convex(featureCollection(shell.map((p) => point(p))))
  // A degenerate (collinear) ring has no hull polygon: its own points span the same extent.
  const ring = hull === null ? shell : hull.geometry.coordinates[0]!.slice(0, -1)
  const projection = localProjectionFor(shell)
  return minimumBoundingRectangle(ring.map((p) => projection.toPlane(p))).length
}
