/**
 * The map's data: the whole road register as GeoJSON (GET /v1/roads with Accept: application/geo+json, every page)
 * and the works of a period in a box around it (GET /v1/works; the feed answers boxes of at most 0.25° a side).
 */
import { api, unwrap } from './api/client.ts'
import type { RoadCollection, WorksCollection } from './components/works-map.tsx'
import { polylinesOf } from './components/works-map.tsx'

const MAX_BOX = 0.25
const DEFAULT_CENTRE: [number, number] = [117.655, 24.515]

export async function loadRoads(): Promise<RoadCollection> {
  const features: RoadCollection['features'] = []
  let cursor: string | undefined
  for (let page = 0; page < 50; page++) {
    const data = (await unwrap(
      api.GET('/v1/roads', { params: { query: { limit: 500, ...(cursor ? { cursor } : {}) } }, headers: { Accept: 'application/geo+json' } }),
    )) as unknown as RoadCollection
    features.push(...data.features)
    if (!data.nextCursor) break
    cursor = data.nextCursor
  }
  return { type: 'FeatureCollection', features, nextCursor: null }
}

/** A box of at most 0.25° a side around the roads' centre (central Zhangzhou when the register is empty). */
export function feedBox(roads: RoadCollection): string {
  const coords = roads.features.flatMap((feature) => polylinesOf(feature.geometry).flat())
  let centre = DEFAULT_CENTRE
  if (coords.length > 0) {
    const lons = coords.map((c) => c[0])
    const lats = coords.map((c) => c[1])
    centre = [(Math.min(...lons) + Math.max(...lons)) / 2, (Math.min(...lats) + Math.max(...lats)) / 2]
  }
  const half = MAX_BOX / 2 - 0.0001
  return [centre[0] - half, centre[1] - half, centre[0] + half, centre[1] + half].map((v) => v.toFixed(4)).join(',')
}

export async function loadWorks(bbox: string, from: string, to: string): Promise<WorksCollection> {
  return (await unwrap(api.GET('/v1/works', { params: { query: { bbox, from, to } } }))) as WorksCollection
}

/** Today in Asia/Shanghai as YYYY-MM-DD (the page clock is the service's). */
export function shanghaiToday(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date())
}

/** A Shanghai date plus a number of calendar days (display defaults only; working days come from the API). */
export function addCalendarDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + days)
  return d.toISOString().slice(0, 10)
}
