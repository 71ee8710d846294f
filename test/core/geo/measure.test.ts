import t from 'tap'
import { geometryDistanceMeters } from '../../../src/core/geo/geometry-distance.ts'
import type { Geometry } from '../../../src/core/geo/geometry.schema.ts'
import { measuredLengthMeters } from '../../../src/core/geo/measure.ts'
import { minimumBoundingRectangle } from '../../../src/core/geo/planar.ts'
import { eastDegrees, eastLine, northDegrees, northLine } from '../../helpers/zhangzhou-roads.ts'

const g = (value: unknown) => value as Geometry

t.test('geodesic length of lines known by construction', async (t) => {
  const table: Array<[string, Geometry, number]> = [
    ['a meridian arc of 1111.95 m', g(northLine(117.66, 24.5, 1111.95)), 1111.95],
    ['an east-west line of 1200 m', g(eastLine(117.64, 24.513, 1200)), 1200],
    ['an east-west line of 49.99 m', g(eastLine(117.64, 24.513, 49.99)), 49.99],
    ['a multi-line of 30 m and 20 m', g({ type: 'MultiLineString', coordinates: [eastLine(117.64, 24.5, 30).coordinates, northLine(117.7, 24.6, 20).coordinates] }), 50],
  ]
  for (const [label, geometry, meters] of table) t.ok(Math.abs(measuredLengthMeters(geometry) - meters) < 1e-6, `${label}: ${measuredLengthMeters(geometry)}`)
})

t.test('a polygon measures the long side of its minimum bounding rectangle', async (t) => {
  const rectangle = (cx: number, cy: number, long: number, short: number, degrees: number) => {
    const a = (degrees * Math.PI) / 180
    const corner = (u: number, v: number) => [cx + eastDegrees(u * Math.cos(a) - v * Math.sin(a), cy), cy + northDegrees(u * Math.sin(a) + v * Math.cos(a))]
    const ring = [corner(-long / 2, -short / 2), corner(long / 2, -short / 2), corner(long / 2, short / 2), corner(-long / 2, short / 2)]
    return g({ type: 'Polygon', coordinates: [[...ring, ring[0]]] })
  }
  const table: Array<[string, Geometry, number]> = [
    ['70 × 3 m, east-west', rectangle(117.7, 24.45, 70, 3, 0), 70],
    ['70 × 3 m turned 30°', rectangle(117.7, 24.45, 70, 3, 30), 70],
    ['120 × 8 m turned 77°', rectangle(117.6, 24.6, 120, 8, 77), 120],
    ['a 40 m square turned 45° (not its 56.6 m diagonal)', rectangle(117.6, 24.6, 40, 40, 45), 40],
  ]
  for (const [label, geometry, meters] of table) {
    const measured = measuredLengthMeters(geometry)
    t.ok(Math.abs(measured - meters) < 0.005, `${label}: ${measured}`)
  }
  // An L-shaped trench: its hull's minimum rectangle is 50 × 30 m.
  const l = g({
    type: 'Polygon',
    coordinates: [
      [
        [117.6, 24.6],
        [117.6 + eastDegrees(50, 24.6), 24.6],
        [117.6 + eastDegrees(50, 24.6), 24.6 + northDegrees(3)],
        [117.6 + eastDegrees(3, 24.6), 24.6 + northDegrees(3)],
        [117.6 + eastDegrees(3, 24.6), 24.6 + northDegrees(30)],
        [117.6, 24.6 + northDegrees(30)],
        [117.6, 24.6],
      ],
    ],
  })
  t.ok(Math.abs(measuredLengthMeters(l) - 50) < 0.01, `L shape: ${measuredLengthMeters(l)}`)
  t.same(minimumBoundingRectangle([]), { length: 0, width: 0 })
  t.same(
    minimumBoundingRectangle([
      { x: 0, y: 0 },
      { x: 3, y: 4 },
    ]),
    { length: 5, width: 0 },
    'two points: a segment',
  )
  const rotated = minimumBoundingRectangle([
    { x: 0, y: 0 },
    { x: 3, y: 4 },
    { x: -1, y: 7 },
    { x: -4, y: 3 },
  ])
  t.ok(Math.abs(rotated.length - 5) < 1e-9 && Math.abs(rotated.width - 5) < 1e-9, 'a 5 × 5 square turned 53°')
})

t.test('distance between geometries: parallel, crossing, inside, apart', async (t) => {
  const road = g(eastLine(117.64, 24.513, 1200))
  const parallel = (offset: number) => g(eastLine(117.641, 24.513 + northDegrees(offset), 100))
  t.ok(Math.abs(geometryDistanceMeters(parallel(15), road) - 15) < 0.01, '15 m north')
  t.ok(Math.abs(geometryDistanceMeters(parallel(-7.5), road) - 7.5) < 0.01, '7.5 m south')
  t.equal(geometryDistanceMeters(g(northLine(117.645, 24.512, 200)), road), 0, 'crossing')
  const square = g({
    type: 'Polygon',
    coordinates: [
      [
        [117.6, 24.6],
        [117.601, 24.6],
        [117.601, 24.601],
        [117.6, 24.601],
        [117.6, 24.6],
      ],
    ],
  })
  t.equal(geometryDistanceMeters(g(eastLine(117.6002, 24.6005, 20)), square), 0, 'a line inside a polygon')
  t.equal(geometryDistanceMeters(square, g(eastLine(117.6002, 24.6005, 20))), 0, 'either way round')
  t.ok(geometryDistanceMeters(g(eastLine(117.7, 24.6005, 20)), square) > 9000, 'kilometres apart')
})
