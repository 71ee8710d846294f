import t from 'tap'
import type { Geometry } from '../../../src/core/geo/geometry.schema.ts'
import { validateGeometry, type GeometryLimits } from '../../../src/core/geo/geometry-validation.ts'
import { DEFAULT_GEOGRAPHY, geometryLimitsOf } from '../../../src/core/rules/geography.ts'

const limits: GeometryLimits = geometryLimitsOf(DEFAULT_GEOGRAPHY)
const line = (...coordinates: number[][]) => ({ type: 'LineString', coordinates }) as Geometry
const polygon = (...rings: number[][][]) => ({ type: 'Polygon', coordinates: rings }) as Geometry

t.test('geometry limits: each fault names its path relative to the geometry', async (t) => {
  const [minLon, minLat, maxLon, maxLat] = limits.bbox
  const table: Array<[string, Geometry, string[]]> = [
    ['a short street in Longwen', line([117.647, 24.513], [117.652, 24.515]), []],
    ['exactly on the jurisdiction corner (edges included)', line([minLon, minLat], [minLon + 0.001, minLat]), []],
    ['just outside the west edge', line([minLon - 1e-9, 24.5], [minLon + 0.001, 24.5]), ['coordinates.0']],
    ['north of the city', line([117.6, 24.5], [117.6, maxLat + 0.0001]), ['coordinates.1']],
    ['Xiamen is not Zhangzhou (east edge)', line([maxLon + 0.01, 24.48], [maxLon + 0.011, 24.48]), ['coordinates.0', 'coordinates.1']],
    ['-0 is just a number (and far outside)', line([-0, 0], [0.001, -0]), ['coordinates.0', 'coordinates.1']],
    ['a repeated position', line([117.647, 24.513], [117.647, 24.513], [117.648, 24.513]), ['coordinates.1']],
    ['a side longer than 1000 m', line([117.6, 24.5], [117.6, 24.5 + 1001 / 111195.08]), ['coordinates.1']],
    ['a side of 999 m', line([117.6, 24.5], [117.6, 24.5 + 999 / 111195.08]), []],
    ['a crossing (bow tie) line', line([117.6, 24.5], [117.601, 24.501], [117.601, 24.5], [117.6, 24.501]), ['coordinates.0']],
    ['a spike folding back', line([117.6, 24.5], [117.601, 24.5], [117.6005, 24.5]), ['coordinates.1']],
    [
      'a bow-tie polygon',
      polygon([
        [117.6, 24.5],
        [117.601, 24.501],
        [117.601, 24.5],
        [117.6, 24.501],
        [117.6, 24.5],
      ]),
      ['coordinates.0.0'],
    ],
    [
      'a simple square',
      polygon([
        [117.6, 24.5],
        [117.601, 24.5],
        [117.601, 24.501],
        [117.6, 24.501],
        [117.6, 24.5],
      ]),
      [],
    ],
    [
      'a multi-line with one bad part',
      {
        type: 'MultiLineString',
        coordinates: [
          [
            [117.6, 24.5],
            [117.601, 24.5],
          ],
          [
            [117.6, 24.6],
            [200 - 80, 24.6],
          ],
        ],
      },
      ['coordinates.1.1'],
    ],
  ]
  for (const [label, geometry, paths] of table) {
    const issues = validateGeometry(geometry, limits)
    t.same(
      issues.map((i) => i.path),
      paths,
      `${label}: ${JSON.stringify(issues)}`,
    )
  }
})

t.test('at most 500 vertices; a ring counts its closing position once', async (t) => {
  const zigzag = (n: number) => line(...Array.from({ length: n }, (_, i) => [117.6 + i * 0.0001, 24.5 + (i % 2) * 0.0001]))
  t.same(validateGeometry(zigzag(500), limits), [], '500 vertices')
  t.same(
    validateGeometry(zigzag(501), limits).map((i) => i.path),
    ['coordinates'],
    '501 vertices',
  )
  // A 500-vertex ring: 501 positions, the last repeating the first.
  const ring = Array.from({ length: 500 }, (_, i) => [117.6 + 0.001 * Math.cos((2 * Math.PI * i) / 500), 24.5 + 0.001 * Math.sin((2 * Math.PI * i) / 500)])
  t.same(validateGeometry(polygon([...ring, ring[0]!]), limits), [], 'a 500-vertex ring')
})

t.test('extreme floats never throw', async (t) => {
  for (const value of [Number.MIN_VALUE, -Number.MIN_VALUE, 1e-300, 179.99999999999997, -0, 89.99999999999999, 117.6 + Number.EPSILON]) {
    t.doesNotThrow(() => validateGeometry(line([117.6, 24.5], [value, value]), limits), String(value))
    t.doesNotThrow(() => validateGeometry(line([value, value], [value, value]), limits), `${value} twice`)
  }
})
