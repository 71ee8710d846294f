import type { Geometry } from './geometry.schema.ts'

/** The polylines of a geometry: a line, the lines of a multi-line, the rings of a polygon. */
export function polylinesOf(geometry: Geometry): number[][][] {
  if (geometry.type === 'LineString') return [geometry.coordinates]
  return geometry.coordinates
}

/** Every position, once per occurrence (a ring's closing position included). */
export function positionsOf(geometry: Geometry): number[][] {
  return polylinesOf(geometry).flat()
}

/** [minLon, minLat, maxLon, maxLat] of a geometry (RFC 7946 §5). */
export type BoundingBox = [number, number, number, number]

export function boundingBoxOf(geometry: Geometry): BoundingBox {
  let [minLon, minLat, maxLon, maxLat] = [Infinity, Infinity, -Infinity, -Infinity]
  for (const [lon = 0, lat = 0] of positionsOf(geometry)) {
    minLon = Math.min(minLon, lon)
    minLat = Math.min(minLat, lat)
    maxLon = Math.max(maxLon, lon)
    maxLat = Math.max(maxLat, lat)
  }
  return [minLon, minLat, maxLon, maxLat]
}
