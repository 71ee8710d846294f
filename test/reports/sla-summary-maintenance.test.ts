import { sql } from 'kysely'
import t, { type Test } from 'tap'
import { ManualClock } from '../../src/platform/clock.ts'
import { rebuildSlaSummary } from '../../src/reports/sla-summary.repository.ts'
import { approval, lifecycleClient } from '../helpers/lifecycle-client.ts'
import { bearer, buildTestApp, type TestApp } from '../helpers/test-app.ts'

const sh = (local: string) => `${local}+08:00`

async function summaryRows(testApp: TestApp) {
  return (await sql`select * from sla_daily_summary order by dimension, decided_on, group_key, working_days`.execute(testApp.database.db)).rows
}

async function setup(t: Test, start: string) {
  const clock = new ManualClock(sh(start))
  const testApp = await buildTestApp(t, { clock })
  return { clock, testApp, client: lifecycleClient(testApp) }
}

/** The maintained summary must be exactly what a rebuild from the cases gives. */
async function assertSummaryIsRebuildable(t: Test, testApp: TestApp) {
  const maintained = await summaryRows(testApp)
  await rebuildSlaSummary(testApp.database.db)
  t.same(await summaryRows(testApp), maintained, 'the maintained summary equals a rebuild from the cases')
}

t.test('loading a year recomputes provisional deadlines: decided cases move in the summary', async (t) => {
  // 2027 has no schedule yet: working days are Monday to Friday, deadlines provisional.
  const { clock, testApp, client } = await setup(t, '2027-02-04T09:00:00')
  const dispatch = await testApp.key('dispatch')
  const office = await testApp.key('office')
  const auditor = await testApp.key('auditor')
  const admin = await testApp.key('admin')

  // P1: accepted Thu 4 Feb, approved Tue 9 Feb: 5, 8, 9 Feb = 3 days, due Mon 8 Feb: late.
  const p1 = await client.submit(dispatch, { externalReference: 'P1' })
  await client.ok(office, p1.id, { action: 'accept' })
  // P2: accepted Thu 4 Feb, supplement asked Fri 5 Feb (1 day), answered Wed 10 Feb (paused 8, 9, 10 = 3),
  // approved Thu 11 Feb: 5, 11 Feb = 2 days, due 11 Feb: on time.
  const p2 = await client.submit(dispatch, { externalReference: 'P2' })
  await client.ok(office, p2.id, { action: 'accept' })
  clock.set(sh('2027-02-05T10:00:00'))
  await client.ok(office, p2.id, { action: 'request_supplement', items: [{ item: 'survey' }] })
  clock.set(sh('2027-02-09T10:00:00'))
  await client.ok(office, p1.id, approval)
  clock.set(sh('2027-02-10T10:00:00'))
  await client.ok(dispatch, p2.id, { action: 'submit_supplement', documents: ['survey.pdf'] })
  clock.set(sh('2027-02-11T10:00:00'))
  await client.ok(office, p2.id, approval)

  const report = async () => (await testApp.app.inject({ method: 'GET', url: '/v1/reports/sla?from=2027-02-01&to=2027-02-28', headers: bearer(auditor) })).json().totals
  t.match(await report(), { casesDecided: 2, decidedOnTime: 1, medianWorkingDays: 2.5, pausedWorkingDaysTotal: 3 }, 'weekends-only figures: 3 and 2 days, 3 paused')

  // The State Council makes 8 and 9 Feb 2027 holidays: P1 took 1 day (5 Feb) and was due 10 Feb: on time;
  // P2 was paused only on 10 Feb (1 day) and still took 2 days.
  const loaded = await testApp.app.inject({
    method: 'PUT',
    url: '/v1/calendar/years/2027',
    headers: bearer(admin),
    payload: { holidays: ['2027-02-08', '2027-02-09'], makeupWorkdays: [], source: 'test notice' },
  })
  t.equal(loaded.statusCode, 200)
  t.ok(loaded.json().recomputedCases >= 2)
  t.match(await report(), { casesDecided: 2, decidedOnTime: 2, onTimeRate: 1, medianWorkingDays: 1.5, pausedWorkingDaysTotal: 1 }, 'the summary moved with the cases')

  for (const id of [p1.id, p2.id]) {
    const review = (await testApp.app.inject({ method: 'GET', url: `/v1/cases/${id}/timeline`, headers: bearer(auditor) }))
      .json()
      .timeline.phases.find((p: { key: string }) => p.key === 'review')
    const row = await testApp.database.db
      .selectFrom('case')
      .select(['sla_working_days', 'sla_within_limit', 'sla_paused_working_days'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
    t.same(
      [row.sla_working_days, row.sla_within_limit, row.sla_paused_working_days],
      [review.workingDaysTaken, review.onTime, review.pausedIntervals.reduce((s: number, i: { workingDays: number }) => s + i.workingDays, 0)],
      'stored facts agree with the recomputed timeline',
    )
  }
  await assertSummaryIsRebuildable(t, testApp)
})

t.test('concurrent decisions on the same day update the same summary rows without losing one', async (t) => {
  const { clock, testApp, client } = await setup(t, '2026-03-02T09:00:00')
  const office = await testApp.key('office')
  const dispatches = [await testApp.key('dispatch', 'ORG-A'), await testApp.key('dispatch', 'ORG-B')]
  const ids: string[] = []
  for (let i = 0; i < 24; i++) {
    const created = await client.submit(dispatches[i % 2] as string, {
      externalReference: `C${i}`,
      voltageVolts: i % 3 === 0 ? 35000 : 10000,
      location: { district: i % 4 === 0 ? 'Longwen' : 'Xiangcheng', roadName: 'Shuixian Avenue' },
    })
    await client.ok(office, created.id, { action: 'accept' })
    ids.push(created.id)
  }
  clock.set(sh('2026-03-04T10:00:00'))
  const outcomes = await Promise.all(ids.map((id, i) => client.act(office, id, i % 5 === 0 ? { action: 'refuse', reasons: ['no'] } : approval)))
  t.same(
    outcomes.map((o) => o.statusCode),
    ids.map(() => 200),
    'every decision committed',
  )
  const totals = (await testApp.app.inject({ method: 'GET', url: '/v1/reports/sla?from=2026-03-04&to=2026-03-04', headers: bearer(office) })).json().totals
  t.match(totals, { casesDecided: 24, decidedOnTime: 24, medianWorkingDays: 2 }, 'accepted Mon 2 Mar, decided Wed 4 Mar: 2 days each')
  const byRoute = (await testApp.app.inject({ method: 'GET', url: '/v1/reports/sla?from=2026-03-04&to=2026-03-04&groupBy=organization', headers: bearer(office) })).json().groups
  t.same(
    byRoute.map((g: { group: string; casesDecided: number }) => [g.group, g.casesDecided]),
    [
      ['ORG-A', 12],
      ['ORG-B', 12],
    ],
  )
  await assertSummaryIsRebuildable(t, testApp)
})
