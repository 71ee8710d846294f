import { sql, type Kysely } from 'kysely'
import { CalendarService } from '../../src/calendar/calendar.service.ts'
import type { LifecycleState } from '../../src/core/lifecycle/lifecycle.types.ts'
import { superviseLifecycle } from '../../src/core/lifecycle/supervision.ts'
import { systemClock } from '../../src/platform/clock.ts'
import type { Database } from '../../src/platform/database/database.types.ts'
import type { TimedResult } from './load.ts'

/**
 * The worklist group (`BENCH_SCENARIOS=worklist`): GET /v1/worklist, the office console's first screen, over the
 * seeded cases, timed sequentially (median and p95 of the first page with its counts):
 * - `worklist-first-page`: the steady state, every open case's warning level stored with the instant it can next
 *   change (what the scheduler's sweep keeps; done here in-process, without its events);
 * - `worklist-district`: the same filtered by the most common district;
 * - `worklist-red`: the red queue;
 * - `worklist-first-page-stale`: the worst case, the scheduler never having run: every open case's level is
 *   computed from its lifecycle on each call.
 * Target: the issue's "within a second".
 */
export const WORKLIST_SCENARIOS = ['worklist-first-page', 'worklist-district', 'worklist-red', 'worklist-first-page-stale']
const WORKLIST_TARGET_MS = 1000

const OPEN = sql`status in ('submitted', 'accepted', 'supplement_requested')`

/** Stores every open case's warning level and next check as the scheduler's sweep would; returns how many. */
async function storeLevels(db: Kysely<Database>): Promise<number> {
  const calendar = await new CalendarService(db, systemClock).calendar()
  const now = new Date()
  let done = 0
  let after = '00000000-0000-0000-0000-000000000000'
  for (;;) {
    const rows = (await sql<{ id: string; lifecycle: LifecycleState }>`select id, lifecycle from "case" where ${OPEN} and id > ${after}::uuid order by id limit 2000`.execute(db))
      .rows
    if (rows.length === 0) return done
    const values = rows.map((row) => {
      const view = superviseLifecycle(row.lifecycle, calendar, now)
      return { id: row.id, level: view.warningLevel, next: view.nextCheckAt?.toISOString() ?? null }
    })
    await sql`
      update "case" c set warning_level = v.level, supervision_due_at = v.next::timestamptz
      from jsonb_to_recordset(${JSON.stringify(values)}::jsonb) as v(id uuid, level text, next text)
      where c.id = v.id`.execute(db)
    done += rows.length
    after = rows.at(-1)?.id as string
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number
}
const round = (ms: number) => Math.round(ms * 100) / 100

async function timeCalls(base: string, office: string, name: string, description: string, path: string, calls: number): Promise<TimedResult & { p95Ms: number }> {
  const times: number[] = []
  const statusCodes: Record<string, number> = {}
  let errors = 0
  let size: number | null = null
  for (let i = 0; i <= calls; i++) {
    const started = performance.now()
    const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${office}` } })
    const body = (await response.json().catch(() => null)) as { items?: unknown[]; counts?: { total?: number } } | null
    times.push(performance.now() - started)
    statusCodes[String(response.status)] = (statusCodes[String(response.status)] ?? 0) + 1
    if (response.status !== 200) errors++
    size = body?.items?.length ?? null
  }
  const warm = times.slice(1)
  return {
    name,
    description,
    path,
    calls: warm.length,
    coldMs: round(times[0] as number),
    medianMs: round(percentile(warm, 50)),
    p95Ms: round(percentile(warm, 95)),
    maxMs: round(Math.max(...warm)),
    minMs: round(Math.min(...warm)),
    errors,
    statusCodes,
    resultSize: size,
    targetMs: WORKLIST_TARGET_MS,
  }
}

export async function runWorklistTimings(context: {
  db: Kysely<Database>
  base: string
  office: string
  calls: number
  timed: TimedResult[]
  wants: (name: string) => boolean
  log: (message: string) => void
}): Promise<void> {
  const { db, base, office, calls, timed, wants, log } = context
  const open = Number((await sql<{ n: string }>`select count(*) as n from "case" where ${OPEN}`.execute(db)).rows[0]?.n ?? 0)
  const total = Number((await sql<{ n: string }>`select count(*) as n from "case"`.execute(db)).rows[0]?.n ?? 0)
  log(`worklist: ${open.toLocaleString('en-US')} open cases of ${total.toLocaleString('en-US')}; storing their warning levels as the sweep would…`)
  const stored = await storeLevels(db)
  await sql`analyze "case"`.execute(db)
  const levels = (await sql<{ level: string | null; n: string }>`select warning_level as level, count(*) as n from "case" where ${OPEN} group by 1 order by 1`.execute(db)).rows
  log(`  ${stored} levels stored: ${levels.map((r) => `${r.level ?? 'none'} ${r.n}`).join(', ')}`)
  const district =
    (await sql<{ district: string }>`select district from "case" where ${OPEN} group by district order by count(*) desc limit 1`.execute(db)).rows[0]?.district ?? 'Longwen'
  const run = async (name: string, description: string, path: string) => {
    if (!wants(name)) return
    const result = await timeCalls(base, office, name, description, path, calls)
    timed.push(result)
    log(
      `  → ${name}: cold ${result.coldMs} ms, median ${result.medianMs} ms, p95 ${result.p95Ms} ms, max ${result.maxMs} ms, ${result.resultSize} items, statuses ${JSON.stringify(result.statusCodes)}`,
    )
  }
  await run('worklist-first-page', `GET /v1/worklist, first page of 50 with counts, over ${open} open of ${total} cases (levels stored)`, '/v1/worklist')
  await run('worklist-district', `GET /v1/worklist?district=${district}`, `/v1/worklist?district=${encodeURIComponent(district)}`)
  await run('worklist-red', 'GET /v1/worklist?queue=red', '/v1/worklist?queue=red')
  if (wants('worklist-first-page-stale')) {
    // The scheduler never ran: every open case's level is due for a look, so each call computes them all.
    await sql`update "case" set supervision_due_at = now() - interval '1 second' where ${OPEN}`.execute(db)
    await run('worklist-first-page-stale', `GET /v1/worklist, first page with counts, every one of the ${open} open cases' level computed per call (no sweep)`, '/v1/worklist')
  }
}
