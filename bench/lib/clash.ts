/**
 * The clash scenario (issue 10): works footprints spread over Zhangzhou's urban area, then
 * - intake with and without a works geometry, alternating, sequential: the difference of the medians is what the
 *   clash check (prefilter, exact test, footprint, any clash events) adds to a submission (target < 20 ms);
 * - the map feed for a district-sized box over a month (target < 100 ms).
 */
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../src/platform/database/database.types.ts'
import { syncWorksAndClashes } from '../../src/cases/case-coordination.service.ts'
import { findCase } from '../../src/cases/case.repository.ts'
import type { TimedResult } from './load.ts'

export const CLASH_SCENARIOS = ['intake-no-geometry', 'intake-geometry', 'clash-step', 'works-feed']
const CLASH_TARGETS = { overheadMs: 20, feedMs: 100 }

/** Longwen and Xiangcheng's built-up area, about 20 km × 17 km. */
const CITY = { lon: 117.55, lat: 24.45, width: 0.2, height: 0.15 }

/**
 * `count` footprints on the seeded cases (set-based): 30–100 m trenches at random bearings, periods of 3–30 days
 * starting in 2026–2027. The cases keep their own rows; only the footprint table (what the check and the feed read) is filled.
 */
export async function seedFootprints(db: Kysely<Database>, count: number): Promise<number> {
  const { rows } = await sql<{ n: string }>`
    with picked as (
      select id, jurisdiction_code, organization_id, organization_code, number, route, random() as r1, random() as r2, random() as r3, random() as r4, random() as r5, random() as r6
      from "case" limit ${count}
    ), lines as (
      select *, ${CITY.lon} + r1 * ${CITY.width} as lon1, ${CITY.lat} + r2 * ${CITY.height} as lat1, (30 + r3 * 70) as len, r4 * 2 * pi() as bearing from picked
    ), ends as (
      select *, lon1 + len * sin(bearing) / (111195.08 * cos(radians(lat1))) as lon2, lat1 + len * cos(bearing) / 111195.08 as lat2 from lines
    ), ins as (
      insert into works_footprint (case_id, jurisdiction_code, organization_id, organization_code, case_number, route, status, road_name, extent, period, geometry, updated_at)
      select id, jurisdiction_code, organization_id, organization_code, number, route, 'approved', 'Bench Road ' || floor(r1 * 500)::int, box(point(lon1, lat1), point(lon2, lat2)),
        daterange(date '2026-01-01' + floor(r5 * 730)::int, date '2026-01-01' + floor(r5 * 730)::int + 3 + floor(r6 * 27)::int, '[]'),
        jsonb_build_object('type', 'LineString', 'coordinates', jsonb_build_array(jsonb_build_array(lon1, lat1), jsonb_build_array(lon2, lat2))), now()
      from ends on conflict (case_id, jurisdiction_code) do nothing returning 1
    ) select count(*)::text as n from ins`.execute(db)
  return Number(rows[0]?.n ?? 0)
}

function intake(reference: string, index: number, withGeometry: boolean): string {
  // A 60 m trench at a pseudo-random spot of the city; dates in the seeded footprints' span.
  const x = (index * 0.6180339887) % 1
  const y = (index * 0.4142135623) % 1
  const lon = CITY.lon + x * CITY.width
  const lat = CITY.lat + y * CITY.height
  const start = new Date(Date.UTC(2026, 2, 1) + (index % 300) * 86_400_000).toISOString().slice(0, 10)
  const end = new Date(Date.UTC(2026, 2, 15) + (index % 300) * 86_400_000).toISOString().slice(0, 10)
  return JSON.stringify({
    externalReference: reference,
    voltageVolts: 10000,
    excavationLengthMeters: 60,
    works: { title: '10 kV cable' },
    location: {
      district: 'Longwen',
      roadName: 'Bench Road',
      ...(withGeometry
        ? {
            geometry: {
              type: 'LineString',
              coordinates: [
                [lon, lat],
                [lon + 60 / (111195.08 * Math.cos((lat * Math.PI) / 180)), lat],
              ],
            },
          }
        : {}),
    },
    plannedStartDate: start,
    plannedEndDate: end,
    contact: { name: 'Li Ming', phone: '0596-2345678' },
  })
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}
const round = (ms: number) => Math.round(ms * 100) / 100

function result(
  name: string,
  description: string,
  path: string,
  times: number[],
  statuses: Record<string, number>,
  errors: number,
  targetMs: number,
  size: number | null,
): TimedResult {
  return {
    name,
    description,
    path,
    calls: times.length,
    coldMs: round(times[0] ?? Number.NaN),
    medianMs: round(median(times.slice(1))),
    maxMs: round(Math.max(...times.slice(1))),
    minMs: round(Math.min(...times.slice(1))),
    errors,
    statusCodes: statuses,
    resultSize: size,
    targetMs,
  }
}

/**
 * The clash step alone, as intake runs it (area locks, footprint, GiST prefilter, exact geodesic test, clash rows and
 * events on both chains), for cases the service wrote: each in a transaction of its own, with its footprint and
 * clashes removed first so that it is checked as new, then rolled back.
 */
async function timeClashStep(db: Kysely<Database>, caseIds: string[]): Promise<number[]> {
  const times: number[] = []
  // The events name a real key (case_event.actor_key_id): the bench's dispatch key.
  const keyId = (await sql<{ id: string }>`select id from api_key where role = 'dispatch' order by created_at desc limit 1`.execute(db)).rows[0]?.id as string
  for (const id of caseIds) {
    await db
      .transaction()
      .execute(async (trx) => {
        const record = await findCase(trx, id)
        if (!record) throw new Error(`case ${id} not found`)
        await sql`delete from works_clash where case_a = ${id}::uuid or case_b = ${id}::uuid`.execute(trx)
        await sql`delete from works_footprint where case_id = ${id}::uuid`.execute(trx)
        const principal = { keyId, role: 'dispatch' as const, organizationId: record.organizationId, organizationCode: record.organizationCode }
        const started = performance.now()
        await syncWorksAndClashes(trx, { record, bufferMeters: 10, context: { principal, requestId: 'bench-clash-step' }, at: new Date() })
        times.push(performance.now() - started)
        throw new Rollback()
      })
      .catch((error: unknown) => {
        if (!(error instanceof Rollback)) throw error
      })
  }
  return times
}

class Rollback extends Error {}

export async function runClashTimings(context: {
  db: Kysely<Database>
  base: string
  dispatch: string
  office: string
  calls: number
  footprints: number
  timed: TimedResult[]
  log: (message: string) => void
}): Promise<{ clashesFound: number }> {
  const { db, base, dispatch, office, calls, footprints, timed, log } = context
  const geometryCaseIds: string[] = []
  const runTag = Date.now().toString(36)
  const times = { plain: [] as number[], geometry: [] as number[] }
  const statuses = { plain: {} as Record<string, number>, geometry: {} as Record<string, number> }
  const errors = { plain: 0, geometry: 0 }
  let clashesFound = 0
  log(`clash: ${calls} submissions without and ${calls} with a works geometry, alternating, over ${footprints.toLocaleString('en-US')} footprints`)
  for (let i = 0; i < calls * 2; i++) {
    const kind = i % 2 === 0 ? 'plain' : 'geometry'
    const body = intake(`CLASH-${runTag}-${i}`, i, kind === 'geometry')
    const started = performance.now()
    const response = await fetch(`${base}/v1/cases`, { method: 'POST', headers: { authorization: `Bearer ${dispatch}`, 'content-type': 'application/json' }, body })
    const json = (await response.json().catch(() => null)) as { id?: string; coordination?: { clashes: unknown[] } } | null
    if (kind === 'geometry' && json?.id) geometryCaseIds.push(json.id)
    times[kind].push(performance.now() - started)
    statuses[kind][String(response.status)] = (statuses[kind][String(response.status)] ?? 0) + 1
    if (response.status !== 201) errors[kind]++
    clashesFound += json?.coordination?.clashes.length ?? 0
  }
  const plain = result(
    'intake-no-geometry',
    'POST /v1/cases without a geometry (sequential)',
    '/v1/cases',
    times.plain,
    statuses.plain,
    errors.plain,
    Number.POSITIVE_INFINITY,
    null,
  )
  const geometry = result(
    'intake-geometry',
    'POST /v1/cases with a 60 m trench (sequential; clash check included)',
    '/v1/cases',
    times.geometry,
    statuses.geometry,
    errors.geometry,
    Number.POSITIVE_INFINITY,
    clashesFound,
  )
  timed.push(plain, geometry)
  const overhead = round(geometry.medianMs - plain.medianMs)
  log(
    `  → without ${plain.medianMs} ms, with ${geometry.medianMs} ms median (${overhead} ms more: geometry validation, length, road matching and the clash check); ${clashesFound} clashes found`,
  )
  const stepTimes = await timeClashStep(db, geometryCaseIds)
  const step = result(
    'clash-step',
    `the clash step of intake alone, over ${footprints.toLocaleString('en-US')} footprints (in-process, rolled back)`,
    'syncWorksAndClashes',
    stepTimes,
    { ok: stepTimes.length },
    0,
    CLASH_TARGETS.overheadMs,
    null,
  )
  timed.push(step)
  log(`  → the clash step: cold ${step.coldMs} ms, median ${step.medianMs} ms, max ${step.maxMs} ms`)

  // A district-sized box (0.05° ≈ 5 km × 5.5 km, the centre of the seeded area) over one month.
  const box = [CITY.lon + 0.075, CITY.lat + 0.05, CITY.lon + 0.125, CITY.lat + 0.1].map((v) => v.toFixed(4)).join(',')
  const path = `/v1/works?bbox=${box}&from=2026-06-01&to=2026-06-30`
  const feedTimes: number[] = []
  const feedStatuses: Record<string, number> = {}
  let features: number | null = null
  let feedErrors = 0
  for (let i = 0; i <= calls; i++) {
    const started = performance.now()
    const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${office}` } })
    const json = (await response.json().catch(() => null)) as { features?: unknown[] } | null
    feedTimes.push(performance.now() - started)
    feedStatuses[String(response.status)] = (feedStatuses[String(response.status)] ?? 0) + 1
    if (response.status !== 200) feedErrors++
    features = json?.features?.length ?? null
  }
  const feed = result(
    'works-feed',
    'GET /v1/works, a 0.05° box (~5 × 5.5 km) over June 2026, office key',
    path,
    feedTimes,
    feedStatuses,
    feedErrors,
    CLASH_TARGETS.feedMs,
    features,
  )
  timed.push(feed)
  log(`  → works feed: cold ${feed.coldMs} ms, median ${feed.medianMs} ms, max ${feed.maxMs} ms, ${features} features`)
  return { clashesFound }
}
