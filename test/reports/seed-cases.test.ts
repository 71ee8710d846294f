import { isDeepStrictEqual } from 'node:util'
import { sql } from 'kysely'
import t from 'tap'
import { seedCases } from '../../bench/seed-cases.ts'
import * as slaMigration from '../../migrations/2026-11-27T0500-sla-reporting.ts'
import * as jurisdictionKeysMigration from '../../migrations/2026-12-02T0100-jurisdiction-keys.ts'
import { lifecycleColumns } from '../../src/cases/case.repository.ts'
import { lifecycleView, recomputeLifecycle } from '../../src/core/lifecycle/lifecycle-state.ts'
import type { LifecycleState } from '../../src/core/lifecycle/lifecycle.types.ts'
import { ManualClock } from '../../src/platform/clock.ts'
import { bearer, buildTestApp } from '../helpers/test-app.ts'

// The benchmark's bulk seed must write what the service itself would write, or the benchmark measures
// something else: every derived column equals lifecycleColumns() of the seeded document, the documents
// pass through the API, and the report over them agrees with PostgreSQL's own percentile_cont.
const NOW = '2026-06-15T12:00:00+08:00'
const clock = new ManualClock(NOW)
const testApp = await buildTestApp(t, { clock })
const { db } = testApp.database
const seeded = await seedCases(db, 3000, { now: new Date(NOW), years: 1 })
const calendar = await testApp.app.calendarService.calendar()
const auditor = await testApp.key('auditor')
const office = await testApp.key('office')

t.test('the seed writes a realistic mix', async (t) => {
  t.equal(seeded.cases, 3000)
  const mix = await sql<{ route: string; status: string; n: number }>`select route, status, count(*)::int as n from "case" group by 1, 2 order by 1, 2`.execute(db)
  const routes = new Set(mix.rows.map((r) => r.route))
  t.same([...routes].sort(), ['commitment_filing', 'emergency_repair', 'fast_track', 'joint_review', 'special_approval', 'standard'])
  const statuses = new Set(mix.rows.map((r) => r.status))
  for (const status of ['accepted', 'supplement_requested', 'approved', 'refused', 'withdrawn', 'closed', 'filed', 'formalities_completed']) {
    t.ok(statuses.has(status), `some cases are ${status}`)
  }
  t.ok(seeded.decided > 2000 && seeded.decided < 2400, `most clock cases are decided (${seeded.decided})`)
})

t.test('every derived column is what the service would derive from the seeded document', async (t) => {
  const rows = await db.selectFrom('case').selectAll().execute()
  let mismatches = 0
  for (const row of rows) {
    const expected = lifecycleColumns(row.lifecycle as unknown as LifecycleState, calendar)
    const actual = Object.fromEntries(Object.keys(expected).map((key) => [key, (row as Record<string, unknown>)[key]]))
    const normalise = (value: Record<string, unknown>) => JSON.parse(JSON.stringify(value))
    if (JSON.stringify(normalise(actual)) !== JSON.stringify(normalise(expected))) {
      if (mismatches++ < 3) t.same(normalise(actual), normalise(expected), `case ${row.number} (${row.route}, ${row.status})`)
    }
  }
  t.equal(mismatches, 0, `all ${rows.length} rows agree`)

  // The clock ledgers carry the counts and due dates the service derives from their facts.
  let clockMismatches = 0
  for (const row of rows) {
    const state = row.lifecycle as unknown as LifecycleState
    if (state.clock === null) continue
    const recomputed = recomputeLifecycle(state, calendar)
    if (!isDeepStrictEqual(recomputed.clock, state.clock) || recomputed.decision?.withinTimeLimit !== state.decision?.withinTimeLimit) {
      if (clockMismatches++ < 3)
        t.same({ clock: state.clock, within: state.decision?.withinTimeLimit }, { clock: recomputed.clock, within: recomputed.decision?.withinTimeLimit }, `clock of ${row.number}`)
    }
  }
  t.equal(clockMismatches, 0, 'every seeded clock is what recomputeClock derives from its ledger facts')

  // The migration's SQL backfill derives the SLA facts from the documents independently: same answer.
  const facts = async () =>
    (await sql`select id, sla_decided_on, sla_working_days, sla_paused_working_days, sla_within_limit, sla_had_supplement from "case" order by id`.execute(db)).rows
  const summary = async () => (await sql`select * from sla_daily_summary order by dimension, decided_on, group_key, working_days`.execute(db)).rows
  const before = { facts: await facts(), summary: await summary() }
  // The later migration that keys the summary by jurisdiction comes off first and back on after (its down and up too).
  await jurisdictionKeysMigration.down(db)
  await slaMigration.down(db)
  await slaMigration.up(db)
  await jurisdictionKeysMigration.up(db)
  t.same(await facts(), before.facts, 'backfilled facts = seeded facts')
  t.same(await summary(), before.summary, 'backfilled summary = seeded summary')
})

t.test('seeded cases read back through the API: lists, cases, timelines', async (t) => {
  let cursor: string | null = null
  let seen = 0
  for (let page = 0; page < 5; page++) {
    const response: { statusCode: number; json(): { items: unknown[]; nextCursor: string | null } } = await testApp.app.inject({
      method: 'GET',
      url: `/v1/cases?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
      headers: bearer(office),
    })
    t.equal(response.statusCode, 200, `list page ${page}`)
    const body = response.json()
    seen += body.items.length
    cursor = body.nextCursor
  }
  t.equal(seen, 500)
  const samples = await sql<{ id: string; status: string }>`select distinct on (route, status) id, status from "case" order by route, status, id`.execute(db)
  for (const sample of samples.rows) {
    const one = await testApp.app.inject({ method: 'GET', url: `/v1/cases/${sample.id}`, headers: bearer(auditor) })
    t.equal(one.statusCode, 200, `GET case (${sample.status})`)
    t.equal(one.json().status, sample.status)
    const timeline = await testApp.app.inject({ method: 'GET', url: `/v1/cases/${sample.id}/timeline`, headers: bearer(auditor) })
    t.equal(timeline.statusCode, 200, `timeline (${sample.status})`)
  }
  // The open cases the report counts overdue are the ones the case view calls overdue on their deadline.
  const open = await db.selectFrom('case').select(['id', 'lifecycle', 'due_at']).where('due_at', 'is not', null).execute()
  const now = new Date(NOW)
  for (const row of open) {
    const view = lifecycleView(row.lifecycle as unknown as LifecycleState, calendar, now)
    const overdue = (view.clock?.overdue ?? false) || (view.formalities?.overdue ?? false)
    if (overdue !== (row.due_at as Date).getTime() < now.getTime()) t.fail(`case ${row.id}: view overdue ${overdue}, due_at ${(row.due_at as Date).toISOString()}`)
  }
  t.ok(open.length > 0, `${open.length} pending deadlines checked`)
})

t.test('the report over the seeded cases agrees with percentile_cont over the cases themselves', async (t) => {
  const from = '2025-07-01'
  const to = '2026-06-30'
  const report = (await testApp.app.inject({ method: 'GET', url: `/v1/reports/sla?from=${from}&to=${to}&groupBy=route`, headers: bearer(auditor) })).json()
  const { rows } = await sql<{ route: string; n: number; median: number; p90: number; on_time: number; with_limit: number; paused: number; supplements: number }>`
    select route, count(*)::int as n,
      percentile_cont(0.5) within group (order by sla_working_days) as median,
      percentile_cont(0.9) within group (order by sla_working_days) as p90,
      count(*) filter (where sla_within_limit)::int as on_time, count(sla_within_limit)::int as with_limit,
      sum(sla_paused_working_days)::int as paused, count(*) filter (where sla_had_supplement)::int as supplements
    from "case" where sla_decided_on between ${from}::date and ${to}::date group by route order by route`.execute(db)
  const decidedGroups = report.groups.filter((g: { casesDecided: number }) => g.casesDecided > 0)
  t.same(
    decidedGroups.map((g: Record<string, unknown>) => [
      g.group,
      g.casesDecided,
      g.medianWorkingDays,
      g.p90WorkingDays,
      g.decidedOnTime,
      g.casesWithTimeLimit,
      g.pausedWorkingDaysTotal,
      g.casesWithSupplement,
    ]),
    rows.map((r) => [r.route, r.n, Math.round(r.median * 100) / 100, Math.round(r.p90 * 100) / 100, r.on_time, r.with_limit, r.paused, r.supplements]),
  )
  const overdue = await sql<{ n: number }>`select count(*)::int as n from "case" where due_at >= ${`${from}T00:00:00+08:00`}::timestamptz and due_at < ${new Date(NOW)}`.execute(db)
  t.equal(report.totals.overdueOpenCases, overdue.rows[0]?.n)
  t.ok(report.totals.overdueOpenCases > 0, 'some seeded cases are overdue')
})
