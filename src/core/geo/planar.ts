/** Planar geometry in a local metric plane (local-projection.ts): exact in its own terms, no I/O. */
import type { PlanePoint } from './local-projection.ts'

/** Distance from point p to the segment a–b. */
export function segmentPointDistance(a: PlanePoint, b: PlanePoint, p: PlanePoint): number {
  const dx = b.x - a.x
  const dy = b.y - a.y
  const lengthSquared = dx * dx + dy * dy
  const t = lengthSquared === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / lengthSquared))
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy))
}

function orientation(a: PlanePoint, b: PlanePoint, c: PlanePoint): number {
  return Math.sign((b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x))
}

function onSegment(a: PlanePoint, b: PlanePoint, p: PlanePoint): boolean {
  return Math.min(a.x, b.x) <= p.x && p.x <= Math.max(a.x, b.x) && Math.min(a.y, b.y) <= p.y && p.y <= Math.max(a.y, b.y)
}

/** Do the segments a–b and c–d touch or cross (collinear overlaps included)? */
function segmentsIntersect(a: PlanePoint, b: PlanePoint, c: PlanePoint, d: PlanePoint): boolean {
  const o1 = orientation(a, b, c)
  const o2 = orientation(a, b, d)
  const o3 = orientation(c, d, a)
  const o4 = orientation(c, d, b)
  if (o1 !== o2 && o3 !== o4) return true
  return (o1 === 0 && onSegment(a, b, c)) || (o2 === 0 && onSegment(a, b, d)) || (o3 === 0 && onSegment(c, d, a)) || (o4 === 0 && onSegment(c, d, b))
}

/** Distance between the segments a–b and c–d (0 when they touch or cross). */
export function segmentDistance(a: PlanePoint, b: PlanePoint, c: PlanePoint, d: PlanePoint): number {
  if (segmentsIntersect(a, b, c, d)) return 0
  return Math.min(segmentPointDistance(a, b, c), segmentPointDistance(a, b, d), segmentPointDistance(c, d, a), segmentPointDistance(c, d, b))
}

/** Is p inside the closed ring (even-odd rule; a point on the boundary may fall either way, callers test the boundary by distance)? */
export function ringContains(ring: readonly PlanePoint[], p: PlanePoint): boolean {
  let inside = false
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const a = ring[i]!
    const b = ring[j]!
    if (a.y > p.y !== b.y > p.y && p.x < ((b.x - a.x) * (p.y - a.y)) / (b.y - a.y) + a.x) inside = !inside
  }
  return inside
}

export interface Rectangle {
  /** The longer side, metres. */
  length: number
  /** The shorter side, metres. */
  width: number
}

/**
 * The minimum-area bounding rectangle of a convex polygon (its vertices in order, not repeating the first)
 * by rotating calipers: the optimal rectangle has a side collinear with an edge of the convex hull
 * (Freeman & Shapira 1975), so each edge's direction is tried.
 */
export function minimumBoundingRectangle(hull: readonly PlanePoint[]): Rectangle {
  if (hull.length === 0) return { length: 0, width: 0 }
  if (hull.length <= 2) {
    const [a, b = a] = hull as [PlanePoint, PlanePoint?]
    return { length: Math.hypot(b.x - a.x, b.y - a.y), width: 0 }
  }
  let best: { area: number; rectangle: Rectangle } | undefined
  for (let i = 0; i < hull.length; i++) {
    const a = hull[i]!
    const b = hull[(i + 1) % hull.length]!
    const edge = Math.hypot(b.x - a.x, b.y - a.y)
    if (edge === 0) continue
    const ux = (b.x - a.x) / edge
    const uy = (b.y - a.y) / edge
    let [minU, maxU, minV, maxV] = [Infinity, -Infinity, Infinity, -Infinity]
    for (const p of hull) {
      const u = (p.x - a.x) * ux + (p.y - a.y) * uy
      const v = -(p.x - a.x) * uy + (p.y - a.y) * ux
      minU = Math.min(minU, u)
      maxU = Math.max(maxU, u)
      minV = Math.min(minV, v)
      maxV = Math.max(maxV, v)
    }
    const sides = [maxU - minU, maxV - minV].sort((p, q) => q - p) as [number, number]
    const area = sides[0] * sides[1]
    if (best === undefined || area < best.area) best = { area, rectangle: { length: sides[0], width: sides[1] } }
  }
  return best?.rectangle ?? { length: 0, width: 0 }
}
