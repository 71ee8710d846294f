/**
 * A local metric plane for small extents (a trench, a street, a district): an equirectangular projection
 * about a reference latitude, x east and y north in metres. Over a few kilometres its distortion is far
 * below the tolerances the rule sets use (metres), and it keeps the planar algorithms (convex hull,
 * rotating calipers, segment distance) exact in their own terms. Radius: the mean Earth radius turf uses
 * (6371008.8 m), so planar and geodesic lengths agree on short lines.
 */
export const EARTH_RADIUS_METERS = 6_371_008.8

export interface PlanePoint {
  x: number
  y: number
}

export interface LocalProjection {
  toPlane(position: readonly number[]): PlanePoint
}

const RADIANS = Math.PI / 180

/** The projection about the mean latitude of the positions (the longitude origin is the first position's). */
export function localProjectionFor(positions: ReadonlyArray<readonly number[]>): LocalProjection {
  const first = positions[0] ?? [0, 0]
  const lat0 = positions.reduce((sum, p) => sum + (p[1] ?? 0), 0) / Math.max(1, positions.length)
  const lon0 = first[0] ?? 0
  const kx = EARTH_RADIUS_METERS * Math.cos(lat0 * RADIANS) * RADIANS
  const ky = EARTH_RADIUS_METERS * RADIANS
  return { toPlane: (p) => ({ x: ((p[0] ?? 0) - lon0) * kx, y: ((p[1] ?? 0) - lat0) * ky }) }
}
