import t from 'tap'
import type { Geometry } from '../../../src/core/geo/geometry.schema.ts'
import { EARTH_RADIUS_METERS } from '../../../src/core/geo/local-projection.ts'
import { clashBetween, lockCellsOf, periodOverlap, searchBoxOf, worksDistanceMeters } from '../../../src/core/geo/works-clash.ts'

// Lines of known length by construction in Longwen, Zhangzhou: meridian segments (great circles), offsets east along a parallel.
const M = (EARTH_RADIUS_METERS * Math.PI) / 180
const LAT = 24.513
const LON = 117.647
const north = (m: number) => m / M
const east = (m: number) => m / (M * Math.cos((LAT * Math.PI) / 180))
const line = (...coordinates: number[][]) => ({ type: 'LineString', coordinates }) as Geometry
/** A 200 m trench running north from (LON, LAT). */
const trench = line([LON, LAT], [LON, LAT + north(200)])
/** A 100 m trench parallel to it, `m` metres east, beside its middle. */
const beside = (m: number) => line([LON + east(m), LAT + north(50)], [LON + east(m), LAT + north(150)])
/** A trench starting `m` metres beyond the first's north end, on the same line. */
const after = (m: number) => line([LON, LAT + north(200 + m)], [LON, LAT + north(300)])
const square = (w: number, e: number, s: number, n: number) =>
  ({
    type: 'Polygon',
    coordinates: [
      [
        [LON + east(w), LAT + north(s)],
        [LON + east(e), LAT + north(s)],
        [LON + east(e), LAT + north(n)],
        [LON + east(w), LAT + north(n)],
        [LON + east(w), LAT + north(s)],
      ],
    ],
  }) as Geometry

t.test('the geodesic distance between works', async (t) => {
  const table: Array<[string, Geometry, Geometry, number]> = [
    ['parallel, 9.9 m apart', trench, beside(9.9), 9.9],
    ['parallel, 10.1 m apart', trench, beside(10.1), 10.1],
    ['end to end, 9.9 m gap', trench, after(9.9), 9.9],
    ['end to end, 10.1 m gap', trench, after(10.1), 10.1],
    ['crossing', trench, line([LON - east(20), LAT + north(100)], [LON + east(20), LAT + north(100)]), 0],
    ['touching at an end', trench, line([LON, LAT + north(200)], [LON + east(30), LAT + north(200)]), 0],
    ['a line inside a polygon', square(-5, 5, 20, 180), beside(1), 0],
    ['a polygon 9.9 m west of a line', square(-50, -9.9, 0, 200), trench, 9.9],
    ['a multi-line: the nearer part counts', trench, { type: 'MultiLineString', coordinates: [beside(300).coordinates, beside(12).coordinates] } as Geometry, 12],
  ]
  for (const [name, a, b, expected] of table) {
    t.ok(Math.abs(worksDistanceMeters(a, b) - expected) < 0.01, `${name}: ${worksDistanceMeters(a, b)} ≈ ${expected}`)
    t.ok(Math.abs(worksDistanceMeters(b, a) - expected) < 0.01, `${name}, either way round`)
  }
})

t.test('a clash needs the buffer (edge included) and a shared day (dates inclusive)', async (t) => {
  const period = { from: '2026-03-02', to: '2026-03-10' }
  const table: Array<[string, Geometry, { from: string; to: string }, { from: string; to: string } | null]> = [
    ['9.9 m, same period', beside(9.9), period, period],
    ['10.1 m, same period', beside(10.1), period, null],
    ['exactly 10 m is within', after(10), period, period],
    ['9.9 m, the other ends the day this one starts', beside(9.9), { from: '2026-02-20', to: '2026-03-02' }, { from: '2026-03-02', to: '2026-03-02' }],
    ['9.9 m, the other starts the day this one ends', beside(9.9), { from: '2026-03-10', to: '2026-03-20' }, { from: '2026-03-10', to: '2026-03-10' }],
    ['9.9 m, the other ends the day before', beside(9.9), { from: '2026-02-20', to: '2026-03-01' }, null],
    ['9.9 m, the other starts the day after', beside(9.9), { from: '2026-03-11', to: '2026-03-20' }, null],
    [
      'crossing, one day inside',
      line([LON - east(5), LAT + north(10)], [LON + east(5), LAT + north(10)]),
      { from: '2026-03-05', to: '2026-03-05' },
      { from: '2026-03-05', to: '2026-03-05' },
    ],
  ]
  for (const [name, other, otherPeriod, overlap] of table) {
    const clash = clashBetween({ geometry: trench, period }, { geometry: other, period: otherPeriod }, 10)
    t.same(clash?.overlap ?? null, overlap, name)
  }
  t.same(periodOverlap({ from: '2026-01-01', to: '2026-12-31' }, { from: '2026-06-01', to: '2026-06-30' }), { from: '2026-06-01', to: '2026-06-30' }, 'one period inside the other')
})

t.test('the prefilter box and the lock cells', async (t) => {
  const box: [number, number, number, number] = [LON, LAT, LON + east(1), LAT + north(200)]
  const grown = searchBoxOf(box, 10)
  // Never narrower than the buffer: the prefilter must not drop a pair the exact test keeps.
  t.ok((box[0] - grown[0]) * M * Math.cos((LAT * Math.PI) / 180) >= 10, 'west margin ≥ 10 m')
  t.ok((grown[3] - box[3]) * M >= 10, 'north margin ≥ 10 m')
  t.ok((grown[3] - box[3]) * M < 10.2, 'and not much more')
  const cells = lockCellsOf(grown)
  t.equal(cells.cityWide, false)
  t.same(
    cells.exclusive,
    [...cells.exclusive].sort((a, b) => a - b),
    'ascending',
  )
  t.ok(
    cells.exclusive.every((k) => Number.isInteger(k) && k > 0 && k < 2 ** 31),
    'each key fits an int4 advisory key',
  )
  // Two works that can clash share a cell: their grown boxes meet.
  const otherCells = lockCellsOf(searchBoxOf([LON + east(9), LAT, LON + east(9), LAT + north(10)], 10))
  t.ok(
    otherCells.exclusive.some((k) => cells.exclusive.includes(k)),
    'clashing neighbours share a lock cell',
  )
  t.same(lockCellsOf([116.9, 23.6, 118.1, 25.2]), { exclusive: [0], cityWide: true }, 'a city-sized box takes the city-wide lock')
})
