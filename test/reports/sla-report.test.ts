/**
 * A fixture of cases with known timelines, driven through the real API with a ManualClock, and the
 * facts of each worked out by hand (March 2026 has no holiday: working days are Monday to Friday;
 * Monday 2 March, 9, 16, 23, 30 March are Mondays). Working days are counted after the acceptance day,
 * up to and including the decision day; paused days are those after the pause day up to and including
 * the resume day.
 */
import t, { type Test } from 'tap'
import { ManualClock } from '../../src/platform/clock.ts'
import { approval, lifecycleClient } from '../helpers/lifecycle-client.ts'
import { bearer, buildTestApp, type TestApp } from '../helpers/test-app.ts'
import { sql } from 'kysely'
import * as slaMigration from '../../migrations/2026-11-27T0500-sla-reporting.ts'
import * as jurisdictionKeysMigration from '../../migrations/2026-12-02T0100-jurisdiction-keys.ts'
import { rebuildSlaSummary } from '../../src/reports/sla-summary.repository.ts'

const sh = (local: string) => `${local}+08:00`

/** The report's instant: Thursday 2 April 2026, noon in Shanghai. */
const REPORT_NOW = sh('2026-04-02T12:00:00')

interface DecidedFacts {
  decidedOn: string
  workingDays: number
  pausedWorkingDays: number
  /** null: the route has no working-day limit. */
  onTime: boolean | null
  hadSupplement: boolean
}

interface FixtureCase {
  name: string
  route: string
  organization: string
  district: string
  id: string
  /** Set for cases decided in the SLA sense. */
  decided: DecidedFacts | null
  /** Set for open cases past a pending deadline at REPORT_NOW: the Shanghai date of that deadline. */
  overdueSince: string | null
}

interface Fixture {
  testApp: TestApp
  clock: ManualClock
  cases: FixtureCase[]
  keys: { office: string; auditor: string; admin: string; dispatchA: string; dispatchB: string }
}

const bodies = {
  fast_track: { voltageVolts: 10000, excavationLengthMeters: 30 },
  joint_review: { voltageVolts: 10000, excavationLengthMeters: 120 },
  standard: { voltageVolts: 35000, excavationLengthMeters: 80 },
  special_approval: { voltageVolts: 10000, excavationLengthMeters: 30, roadProtected: true },
  emergency_repair: { voltageVolts: 10000, excavationLengthMeters: 30, emergency: true },
  commitment_filing: { voltageVolts: 380, excavationLengthMeters: 50, commitment: { signedBy: 'Li Ming', statement: 'We commit to the rules.' } },
} as const

async function buildFixture(t: Test): Promise<Fixture> {
  const clock = new ManualClock(sh('2026-02-02T08:00:00'))
  const testApp = await buildTestApp(t, { clock })
  const client = lifecycleClient(testApp)
  const keys = {
    office: await testApp.key('office'),
    auditor: await testApp.key('auditor'),
    admin: await testApp.key('admin'),
    dispatchA: await testApp.key('dispatch', 'ORG-A'),
    dispatchB: await testApp.key('dispatch', 'ORG-B'),
  }
  const cases: FixtureCase[] = []

  /** Submits a case at `submittedAt` and runs `steps` ([local instant, role, body]) in order. */
  async function run(spec: Omit<FixtureCase, 'id'>, submittedAt: string, steps: Array<[string, 'office' | 'dispatch', Record<string, unknown>]>): Promise<void> {
    const dispatch = spec.organization === 'ORG-A' ? keys.dispatchA : keys.dispatchB
    clock.set(sh(submittedAt))
    const submitted = await client.submit(dispatch, {
      ...bodies[spec.route as keyof typeof bodies],
      externalReference: spec.name,
      location: { district: spec.district, roadName: 'Shuixian Avenue' },
    })
    if (submitted.route !== spec.route) throw new Error(`${spec.name}: expected route ${spec.route}, got ${submitted.route}`)
    for (const [at, role, body] of steps) {
      clock.set(sh(at))
      await client.ok(role === 'office' ? keys.office : dispatch, submitted.id, body)
    }
    cases.push({ ...spec, id: submitted.id })
  }

  const accept = { action: 'accept' }
  const supplement = { action: 'request_supplement', items: [{ item: 'traffic diversion plan' }] }
  const answer = { action: 'submit_supplement', documents: ['diversion-plan.pdf'] }
  const refuse = { action: 'refuse', reasons: ['the diversion plan blocks the hospital entrance'] }
  const jrApproval = { ...approval, approvedArea: { lengthMeters: 120, widthMeters: 1 } }
  const stage = (key: string) => ({ action: 'complete_stage', stage: key })

  // Decided before the period: accepted Mon 2 Feb, approved Wed 4 Feb: 3, 4 Feb = 2 days, due 4 Feb.
  await run(
    {
      name: 'FT8',
      route: 'fast_track',
      organization: 'ORG-B',
      district: 'Longwen',
      decided: { decidedOn: '2026-02-04', workingDays: 2, pausedWorkingDays: 0, onTime: true, hadSupplement: false },
      overdueSince: null,
    },
    '2026-02-02T09:00:00',
    [
      ['2026-02-02T10:00:00', 'office', accept],
      ['2026-02-04T15:00:00', 'office', approval],
    ],
  )
  // Open, overdue with a deadline before the period: accepted Wed 25 Feb, due Fri 27 Feb.
  await run({ name: 'FT9', route: 'fast_track', organization: 'ORG-A', district: 'Longhai', decided: null, overdueSince: '2026-02-27' }, '2026-02-25T09:00:00', [
    ['2026-02-25T10:00:00', 'office', accept],
  ])
  // Accepted Mon 2 Mar, approved Wed 4 Mar: 3, 4 Mar = 2 days; due Wed 4 Mar: on time.
  await run(
    {
      name: 'FT1',
      route: 'fast_track',
      organization: 'ORG-A',
      district: 'Longwen',
      decided: { decidedOn: '2026-03-04', workingDays: 2, pausedWorkingDays: 0, onTime: true, hadSupplement: false },
      overdueSince: null,
    },
    '2026-03-02T09:00:00',
    [
      ['2026-03-02T10:00:00', 'office', accept],
      ['2026-03-04T16:00:00', 'office', approval],
    ],
  )
  // Accepted Mon 2 Mar, approved Fri 6 Mar: 3, 4, 5, 6 Mar = 4 days; due Wed 4 Mar: late.
  await run(
    {
      name: 'FT2',
      route: 'fast_track',
      organization: 'ORG-A',
      district: 'Xiangcheng',
      decided: { decidedOn: '2026-03-06', workingDays: 4, pausedWorkingDays: 0, onTime: false, hadSupplement: false },
      overdueSince: null,
    },
    '2026-03-02T09:00:00',
    [
      ['2026-03-02T10:30:00', 'office', accept],
      ['2026-03-06T11:00:00', 'office', approval],
    ],
  )
  // Accepted Tue 3 Mar; supplement asked Wed 4 Mar (1 day used); answered Tue 10 Mar: paused 5, 6, 9, 10 Mar
  // = 4 days; 1 day left, due Wed 11 Mar; refused Wed 11 Mar: 4, 11 Mar = 2 days: on time.
  await run(
    {
      name: 'FT3',
      route: 'fast_track',
      organization: 'ORG-B',
      district: 'Longwen',
      decided: { decidedOn: '2026-03-11', workingDays: 2, pausedWorkingDays: 4, onTime: true, hadSupplement: true },
      overdueSince: null,
    },
    '2026-03-03T09:00:00',
    [
      ['2026-03-03T10:00:00', 'office', accept],
      ['2026-03-04T10:00:00', 'office', supplement],
      ['2026-03-10T09:30:00', 'dispatch', answer],
      ['2026-03-11T17:00:00', 'office', refuse],
    ],
  )
  // Joint review accepted Mon 9 Mar (8 days: due Thu 19 Mar); survey Thu 12, consultation Mon 16, approved
  // Tue 17, permit issued Wed 18 Mar, when the clock stops: 10, 11, 12, 13, 16, 17, 18 Mar = 7 days, on time.
  await run(
    {
      name: 'JR1',
      route: 'joint_review',
      organization: 'ORG-B',
      district: 'Longhai',
      decided: { decidedOn: '2026-03-18', workingDays: 7, pausedWorkingDays: 0, onTime: true, hadSupplement: false },
      overdueSince: null,
    },
    '2026-03-09T09:00:00',
    [
      ['2026-03-09T10:00:00', 'office', accept],
      ['2026-03-12T15:00:00', 'office', stage('joint_survey')],
      ['2026-03-16T15:00:00', 'office', stage('consultation')],
      ['2026-03-17T11:00:00', 'office', jrApproval],
      ['2026-03-18T10:00:00', 'office', stage('issuance')],
    ],
  )
  // Joint review accepted Mon 16 Mar; supplement asked Wed 18 Mar (17, 18 = 2 days used), answered Fri 20 Mar
  // (paused 19, 20 = 2 days); due: 6 days after 20 Mar = Mon 30 Mar. Approved Mon 30 Mar, permit issued
  // Wed 1 Apr: 2 + (23..27, 30, 31 Mar, 1 Apr = 8) = 10 days: late, and decided in April (issuance), not March.
  await run(
    {
      name: 'JR2',
      route: 'joint_review',
      organization: 'ORG-A',
      district: 'Longwen',
      decided: { decidedOn: '2026-04-01', workingDays: 10, pausedWorkingDays: 2, onTime: false, hadSupplement: true },
      overdueSince: null,
    },
    '2026-03-16T09:00:00',
    [
      ['2026-03-16T10:00:00', 'office', accept],
      ['2026-03-18T10:00:00', 'office', supplement],
      ['2026-03-20T16:00:00', 'dispatch', answer],
      ['2026-03-25T15:00:00', 'office', stage('joint_survey')],
      ['2026-03-27T15:00:00', 'office', stage('consultation')],
      ['2026-03-30T11:00:00', 'office', jrApproval],
      ['2026-04-01T10:00:00', 'office', stage('issuance')],
    ],
  )
  // Standard (20 days) accepted Mon 2 Mar, approved Fri 20 Mar: 4 + 5 + 5 = 14 days: on time.
  await run(
    {
      name: 'STD1',
      route: 'standard',
      organization: 'ORG-B',
      district: 'Xiangcheng',
      decided: { decidedOn: '2026-03-20', workingDays: 14, pausedWorkingDays: 0, onTime: true, hadSupplement: false },
      overdueSince: null,
    },
    '2026-03-02T09:00:00',
    [
      ['2026-03-02T11:00:00', 'office', accept],
      ['2026-03-20T11:00:00', 'office', approval],
    ],
  )
  // Special approval (no limit) accepted Mon 2 Mar, refused Mon 23 Mar: 4 + 5 + 5 + 1 = 15 days, on time n/a.
  await run(
    {
      name: 'SA1',
      route: 'special_approval',
      organization: 'ORG-A',
      district: 'Longhai',
      decided: { decidedOn: '2026-03-23', workingDays: 15, pausedWorkingDays: 0, onTime: null, hadSupplement: false },
      overdueSince: null,
    },
    '2026-03-02T09:00:00',
    [
      ['2026-03-02T11:30:00', 'office', accept],
      ['2026-03-23T11:00:00', 'office', refuse],
    ],
  )
  // Open: accepted Mon 23 Mar, due Wed 25 Mar: overdue.
  await run({ name: 'FT4', route: 'fast_track', organization: 'ORG-B', district: 'Longwen', decided: null, overdueSince: '2026-03-25' }, '2026-03-23T09:00:00', [
    ['2026-03-23T10:00:00', 'office', accept],
  ])
  // Open: accepted Wed 1 Apr, due Fri 3 Apr: not yet overdue.
  await run({ name: 'FT5', route: 'fast_track', organization: 'ORG-A', district: 'Longwen', decided: null, overdueSince: null }, '2026-04-01T09:00:00', [
    ['2026-04-01T10:00:00', 'office', accept],
  ])
  // Open and paused since Tue 24 Mar: no pending deadline, not overdue.
  await run({ name: 'FT6', route: 'fast_track', organization: 'ORG-A', district: 'Xiangcheng', decided: null, overdueSince: null }, '2026-03-23T09:00:00', [
    ['2026-03-23T10:00:00', 'office', accept],
    ['2026-03-24T10:00:00', 'office', supplement],
  ])
  // Joint review approved Tue 10 Mar but the permit never issued: not decided (the clock runs), due Thu 12 Mar
  // (3, 4, 5, 6, 9, 10, 11, 12 Mar): overdue.
  await run({ name: 'JR3', route: 'joint_review', organization: 'ORG-B', district: 'Xiangcheng', decided: null, overdueSince: '2026-03-12' }, '2026-03-02T09:00:00', [
    ['2026-03-02T10:00:00', 'office', accept],
    ['2026-03-05T15:00:00', 'office', stage('joint_survey')],
    ['2026-03-09T15:00:00', 'office', stage('consultation')],
    ['2026-03-10T11:00:00', 'office', jrApproval],
  ])
  // Emergency repair notified Mon 30 Mar 09:00, formalities due Tue 31 Mar 09:00, never completed: overdue.
  await run({ name: 'EM1', route: 'emergency_repair', organization: 'ORG-A', district: 'Xiangcheng', decided: null, overdueSince: '2026-03-31' }, '2026-03-30T09:00:00', [])
  // Withdrawn: the clock stopped without a decision.
  await run({ name: 'WD1', route: 'fast_track', organization: 'ORG-B', district: 'Longhai', decided: null, overdueSince: null }, '2026-03-09T09:00:00', [
    ['2026-03-09T10:00:00', 'office', accept],
    ['2026-03-10T10:00:00', 'dispatch', { action: 'withdraw', reason: 'route redesigned' }],
  ])
  // A commitment filing has no clock.
  await run({ name: 'CF1', route: 'commitment_filing', organization: 'ORG-A', district: 'Longwen', decided: null, overdueSince: null }, '2026-03-04T09:00:00', [])

  clock.set(REPORT_NOW)
  return { testApp, clock, cases, keys }
}

// ---------------------------------------------------------------------------------------------------
// The expected report, computed independently of the service from the hand-worked facts
// ---------------------------------------------------------------------------------------------------

interface ExpectedFigures {
  casesDecided: number
  casesWithTimeLimit: number
  decidedOnTime: number
  onTimeRate: number | null
  medianWorkingDays: number | null
  p90WorkingDays: number | null
  pausedWorkingDaysTotal: number
  pausedWorkingDaysAverage: number | null
  casesWithSupplement: number
  supplementRate: number | null
  overdueOpenCases: number
}

/** percentile_cont on a plain sorted list, rounded to 2 decimals to shed floating-point noise. */
function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null
  const h = p * (sorted.length - 1)
  const lo = Math.floor(h)
  const hi = Math.min(lo + 1, sorted.length - 1)
  const value = (sorted[lo] as number) + (h - lo) * ((sorted[hi] as number) - (sorted[lo] as number))
  return Math.round(value * 100) / 100
}

const round = (value: number, decimals: number) => Math.round(value * 10 ** decimals) / 10 ** decimals

function expectedFigures(decided: DecidedFacts[], overdue: number): ExpectedFigures {
  const withLimit = decided.filter((d) => d.onTime !== null)
  const onTime = withLimit.filter((d) => d.onTime === true).length
  const days = decided.map((d) => d.workingDays).sort((a, b) => a - b)
  const paused = decided.reduce((sum, d) => sum + d.pausedWorkingDays, 0)
  const supplements = decided.filter((d) => d.hadSupplement).length
  return {
    casesDecided: decided.length,
    casesWithTimeLimit: withLimit.length,
    decidedOnTime: onTime,
    onTimeRate: withLimit.length === 0 ? null : round(onTime / withLimit.length, 4),
    medianWorkingDays: percentile(days, 0.5),
    p90WorkingDays: percentile(days, 0.9),
    pausedWorkingDaysTotal: paused,
    pausedWorkingDaysAverage: decided.length === 0 ? null : round(paused / decided.length, 2),
    casesWithSupplement: supplements,
    supplementRate: decided.length === 0 ? null : round(supplements / decided.length, 4),
    overdueOpenCases: overdue,
  }
}

type GroupBy = 'route' | 'month' | 'district' | 'organization'

/** The expected report for [from, to] grouped one way: groups sorted by key, and the totals. */
function expectedReport(cases: FixtureCase[], from: string, to: string, groupBy: GroupBy) {
  const inPeriod = (date: string) => date >= from && date <= to
  const keyOf = (c: FixtureCase, date: string) =>
    groupBy === 'route' ? c.route : groupBy === 'district' ? c.district : groupBy === 'organization' ? c.organization : date.slice(0, 7)
  const decided = cases.filter((c) => c.decided !== null && inPeriod(c.decided.decidedOn))
  const overdue = cases.filter((c) => c.overdueSince !== null && inPeriod(c.overdueSince))
  const keys = [...new Set([...decided.map((c) => keyOf(c, (c.decided as DecidedFacts).decidedOn)), ...overdue.map((c) => keyOf(c, c.overdueSince as string))])].sort()
  const groups = keys.map((key) => ({
    group: key,
    ...expectedFigures(
      decided.filter((c) => keyOf(c, (c.decided as DecidedFacts).decidedOn) === key).map((c) => c.decided as DecidedFacts),
      overdue.filter((c) => keyOf(c, c.overdueSince as string) === key).length,
    ),
  }))
  return {
    groups,
    totals: expectedFigures(
      decided.map((c) => c.decided as DecidedFacts),
      overdue.length,
    ),
  }
}

/** A small RFC 4180 reader for the tests (quoted fields, doubled quotes, CRLF records). */
function parseCsv(text: string): string[][] {
  const records: string[][] = []
  let record: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (ch === '"') quoted = false
      else field += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') {
      record.push(field)
      field = ''
    } else if (ch === '\r' && text[i + 1] === '\n') {
      record.push(field)
      records.push(record)
      record = []
      field = ''
      i++
    } else field += ch
  }
  if (field !== '' || record.length > 0) throw new Error('CSV does not end with CRLF')
  return records
}

// ---------------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------------

const fixture = await buildFixture(t)
const { app, database } = fixture.testApp
const { auditor, office } = fixture.keys

async function report(query: string, key = auditor, headers: Record<string, string> = {}) {
  return await app.inject({ method: 'GET', url: `/v1/reports/sla?${query}`, headers: { ...bearer(key), ...headers } })
}

interface Phase {
  key: string
  endDate: string | null
  workingDaysTaken: number | null
  onTime: boolean | null
  pausedIntervals: Array<{ workingDays: number }>
}

async function timelineOf(id: string) {
  const response = await app.inject({ method: 'GET', url: `/v1/cases/${id}/timeline`, headers: bearer(auditor) })
  return response.json().timeline as { phases: Phase[] }
}

t.test('each decided case: its timeline, its stored SLA facts and the hand-worked facts agree', async (t) => {
  const { rows } = await sql<{
    id: string
    sla_decided_on: string | null
    sla_working_days: number | null
    sla_paused_working_days: number | null
    sla_within_limit: boolean | null
    sla_had_supplement: boolean | null
  }>`
    select id, sla_decided_on, sla_working_days, sla_paused_working_days, sla_within_limit, sla_had_supplement from "case"`.execute(database.db)
  for (const c of fixture.cases) {
    const row = rows.find((r) => r.id === c.id)
    const stored =
      row?.sla_decided_on == null
        ? null
        : {
            decidedOn: row.sla_decided_on,
            workingDays: row.sla_working_days,
            pausedWorkingDays: row.sla_paused_working_days,
            onTime: row.sla_within_limit,
            hadSupplement: row.sla_had_supplement,
          }
    t.same(stored, c.decided, `${c.name}: stored SLA facts are the hand-worked ones`)
    if (c.decided === null) continue
    const review = (await timelineOf(c.id)).phases.find((p) => p.key === 'review') as Phase
    t.match(
      { end: review.endDate, days: review.workingDaysTaken, onTime: review.onTime, paused: review.pausedIntervals.reduce((s, i) => s + i.workingDays, 0) },
      { end: c.decided.decidedOn, days: c.decided.workingDays, onTime: c.decided.onTime, paused: c.decided.pausedWorkingDays },
      `${c.name}: the timeline's review phase shows the same facts`,
    )
  }
})

t.test('the report over March–April, every grouping, against figures computed from the hand-worked facts', async (t) => {
  for (const groupBy of ['route', 'month', 'district', 'organization'] as const) {
    const response = await report(`from=2026-03-01&to=2026-04-30&groupBy=${groupBy}`)
    t.equal(response.statusCode, 200, groupBy)
    const body = response.json()
    t.match(body, { from: '2026-03-01', to: '2026-04-30', groupBy, generatedAt: '2026-04-02T12:00:00.000+08:00' })
    const expected = expectedReport(fixture.cases, '2026-03-01', '2026-04-30', groupBy)
    t.same(body.groups, expected.groups, `groups by ${groupBy}`)
    t.same(body.totals, expected.totals, `totals by ${groupBy}`)
  }
  // The headline numbers, by hand: 7 decided (FT1 2, FT2 4, FT3 2, JR1 7, JR2 10, STD1 14, SA1 15 days);
  // 6 with a limit, 4 on time; sorted 2 2 4 7 10 14 15: median 7, p90 at 0.9·6 = 5.4 → 14 + 0.4·1 = 14.4;
  // paused 4 + 2 = 6; supplements FT3, JR2; overdue: FT4 (25 Mar), JR3 (12 Mar), EM1 (31 Mar).
  const totals = (await report('from=2026-03-01&to=2026-04-30')).json().totals
  t.same(totals, {
    casesDecided: 7,
    casesWithTimeLimit: 6,
    decidedOnTime: 4,
    onTimeRate: 0.6667,
    medianWorkingDays: 7,
    p90WorkingDays: 14.4,
    pausedWorkingDaysTotal: 6,
    pausedWorkingDaysAverage: 0.86,
    casesWithSupplement: 2,
    supplementRate: 0.2857,
    overdueOpenCases: 3,
  })
  const byRoute = (await report('from=2026-03-01&to=2026-04-30&groupBy=route')).json().groups
  t.same(
    byRoute.map(
      (g: { group: string; casesDecided: number; medianWorkingDays: number | null; p90WorkingDays: number | null; onTimeRate: number | null; overdueOpenCases: number }) => [
        g.group,
        g.casesDecided,
        g.medianWorkingDays,
        g.p90WorkingDays,
        g.onTimeRate,
        g.overdueOpenCases,
      ],
    ),
    [
      ['emergency_repair', 0, null, null, null, 1],
      // 2 2 4: median 2, p90 at 1.8 → 2 + 0.8·2 = 3.6
      ['fast_track', 3, 2, 3.6, 0.6667, 1],
      // 7 10: median 8.5, p90 at 0.9 → 7 + 0.9·3 = 9.7
      ['joint_review', 2, 8.5, 9.7, 0.5, 1],
      ['special_approval', 1, 15, 15, null, 0],
      ['standard', 1, 14, 14, 1, 0],
    ],
  )
  const byMonth = (await report('from=2026-03-01&to=2026-04-30&groupBy=month')).json().groups
  t.same(
    byMonth.map((g: { group: string; casesDecided: number; overdueOpenCases: number }) => [g.group, g.casesDecided, g.overdueOpenCases]),
    [
      ['2026-03', 6, 3],
      ['2026-04', 1, 0],
    ],
    'JR2 was approved on 30 March but its permit issued on 1 April: April',
  )
})

t.test('the period selects decision dates, and deadlines for overdue open cases', async (t) => {
  const february = (await report('from=2026-02-01&to=2026-02-28&groupBy=organization')).json()
  t.same(february, { ...february, groups: expectedReport(fixture.cases, '2026-02-01', '2026-02-28', 'organization').groups })
  t.match(february.totals, { casesDecided: 1, medianWorkingDays: 2, overdueOpenCases: 1 }, 'FT8 decided, FT9 overdue since 27 Feb')
  const april = (await report('from=2026-04-01&to=2026-04-30')).json()
  t.match(april.totals, { casesDecided: 1, medianWorkingDays: 10, onTimeRate: 0, overdueOpenCases: 0 }, 'JR2 only; FT5 is due tomorrow')
  const empty = (await report('from=2025-01-01&to=2025-12-31')).json()
  t.same(empty.groups, [])
  t.same(empty.totals, expectedFigures([], 0), 'no case: counts are 0 and rates null')
})

t.test('the report as CSV (RFC 4180) says the same as the JSON', async (t) => {
  for (const groupBy of ['route', 'month', 'district', 'organization', 'jurisdiction'] as const) {
    const query = `from=2026-03-01&to=2026-04-30&groupBy=${groupBy}`
    const json = (await report(query)).json()
    const response = await report(query, auditor, { accept: 'text/csv' })
    t.equal(response.statusCode, 200)
    t.equal(response.headers['content-type'], 'text/csv; charset=utf-8')
    t.equal(response.headers['content-disposition'], `attachment; filename="sla-report_${groupBy}_2026-03-01_2026-04-30.csv"`)
    const [header, ...rows] = parseCsv(response.body)
    t.same(header, [
      'period_from',
      'period_to',
      'row_type',
      groupBy,
      'cases_decided',
      'cases_with_time_limit',
      'decided_on_time',
      'on_time_rate',
      'median_working_days',
      'p90_working_days',
      'paused_working_days_total',
      'paused_working_days_average',
      'cases_with_supplement',
      'supplement_rate',
      'overdue_open_cases',
      'measure',
      'reason_action',
      'reason_code',
      'reason_list_version',
      'count',
    ])
    const cell = (v: number | null) => (v === null ? '' : String(v))
    const asRow = (type: string, group: string, f: ExpectedFigures) => [
      '2026-03-01',
      '2026-04-30',
      type,
      group,
      ...[
        f.casesDecided,
        f.casesWithTimeLimit,
        f.decidedOnTime,
        f.onTimeRate,
        f.medianWorkingDays,
        f.p90WorkingDays,
        f.pausedWorkingDaysTotal,
        f.pausedWorkingDaysAverage,
        f.casesWithSupplement,
        f.supplementRate,
        f.overdueOpenCases,
      ].map(cell),
      ...['', '', '', '', ''],
    ]
    // After the groups and totals: one row per supervision measure, then one per coded reason (JSON's supervision and reasons).
    const noFigures = Array.from({ length: 11 }, () => '')
    const supervisionRows = (
      [
        ['casesReachedYellow', 'cases_reached_yellow'],
        ['casesReachedRed', 'cases_reached_red'],
        ['casesReachedOverdue', 'cases_reached_overdue'],
        ['casesWithStageOverrun', 'cases_with_stage_overrun'],
        ['stageOverruns', 'stage_overruns'],
        ['casesWithStageYellow', 'cases_with_stage_yellow'],
        ['casesWithStageRed', 'cases_with_stage_red'],
      ] as const
    ).map(([key, measure]) => ['2026-03-01', '2026-04-30', 'supervision', '', ...noFigures, measure, '', '', '', String(json.supervision[key])])
    const reasonRows = json.reasons.map((r: { action: string; code: string; listVersion: number; cases: number }) => [
      '2026-03-01',
      '2026-04-30',
      'reason',
      '',
      ...noFigures,
      'cases_with_reason',
      r.action,
      r.code,
      String(r.listVersion),
      String(r.cases),
    ])
    t.same(
      rows,
      [...json.groups.map((g: ExpectedFigures & { group: string }) => asRow('group', g.group, g)), asRow('total', '', json.totals), ...supervisionRows, ...reasonRows],
      `CSV rows by ${groupBy}`,
    )
  }
  t.equal(
    (await report('from=2026-03-01&to=2026-04-30', office, { accept: 'text/csv;q=0.5, application/json' })).headers['content-type'],
    'application/json; charset=utf-8',
    'JSON when preferred',
  )
  t.equal((await report('from=2026-03-01&to=2026-04-30', office, { accept: 'text/*' })).headers['content-type'], 'text/csv; charset=utf-8')
  t.equal(
    (await report('from=2026-03-01&to=2026-04-30', office, { accept: 'text/html' })).headers['content-type'],
    'application/json; charset=utf-8',
    'JSON when nothing offered is acceptable',
  )
})

t.test('the per-case timeline export: one row per phase, equal to each case timeline, in decision order', async (t) => {
  const response = await app.inject({ method: 'GET', url: '/v1/reports/timelines?from=2026-03-01&to=2026-04-30', headers: bearer(office) })
  t.equal(response.statusCode, 200)
  t.equal(response.headers['content-type'], 'text/csv; charset=utf-8')
  t.equal(response.headers['content-disposition'], 'attachment; filename="case-timelines_2026-03-01_2026-04-30.csv"')
  t.match(response.headers['x-calendar-fingerprint'], /^[0-9a-f]+$/)
  const [header, ...rows] = parseCsv(response.body)
  const column = (name: string) => (header as string[]).indexOf(name)
  t.same(header?.slice(0, 8), ['case_id', 'case_number', 'organization', 'route', 'district', 'case_status', 'decision_date', 'phase_key'])

  const decided = fixture.cases.filter((c) => c.decided !== null && c.decided.decidedOn >= '2026-03-01' && c.decided.decidedOn <= '2026-04-30')
  const caseIds = [...new Set(rows.map((r) => r[column('case_id')]))]
  t.same(new Set(caseIds), new Set(decided.map((c) => c.id)), 'exactly the cases decided in the period')
  const dates = caseIds.map((id) => (rows.find((r) => r[column('case_id')] === id) as string[])[column('decision_date')] as string)
  t.same(dates, [...dates].sort(), 'in decision-date order')

  for (const c of decided) {
    const timeline = await timelineOf(c.id)
    const own = rows.filter((r) => r[column('case_id')] === c.id)
    t.same(
      own.map((r) => r[column('phase_key')]),
      timeline.phases.map((p) => p.key),
      `${c.name}: one row per timeline phase`,
    )
    for (const phase of timeline.phases as Array<Phase & Record<string, unknown>>) {
      const row = own.find((r) => r[column('phase_key')] === phase.key) as string[]
      const str = (v: unknown) => (v === null || v === undefined ? '' : String(v))
      t.same(
        ['phase_start', 'phase_end', 'working_days_taken', 'due_date', 'on_time', 'overdue', 'outcome', 'paused_working_days'].map((name) => row[column(name)]),
        [
          str(phase.start),
          str(phase.end),
          str(phase.workingDaysTaken),
          str(phase.dueDate),
          str(phase.onTime),
          str(phase.overdue),
          str(phase.outcome),
          str(phase.pausedIntervals.reduce((s, i) => s + i.workingDays, 0)),
        ],
        `${c.name} ${phase.key}`,
      )
    }
    const review = own.find((r) => r[column('phase_key')] === 'review') as string[]
    t.same(
      [review[column('decision_date')], review[column('working_days_taken')], review[column('on_time')], review[column('paused_working_days')]],
      [c.decided?.decidedOn, String(c.decided?.workingDays), c.decided?.onTime === null ? '' : String(c.decided?.onTime), String(c.decided?.pausedWorkingDays)],
      `${c.name}: the review row holds what the report counts`,
    )
  }

  // Pages are keyset pages: a page size of 1 yields the same rows.
  const { timelineCsvChunks } = await import('../../src/reports/timeline-export.service.ts')
  let paged = ''
  for await (const chunk of timelineCsvChunks({
    db: database.db,
    calendar: await app.calendarService.calendar(),
    now: fixture.clock.now(),
    from: '2026-03-01',
    to: '2026-04-30',
    pageSize: 1,
    requestId: 'paged',
    onError: (error) => t.fail(String(error)),
  }))
    paged += chunk
  t.equal(paged, response.body, 'page size does not change the export')

  const none = await app.inject({ method: 'GET', url: '/v1/reports/timelines?from=2025-01-01&to=2025-01-31', headers: bearer(auditor) })
  t.equal(parseCsv(none.body).length, 1, 'an empty period: the header row alone')
})

t.test('the maintained summary equals a rebuild from the cases, and the migration backfill derives the same facts', async (t) => {
  const summary = async () => (await sql`select * from sla_daily_summary order by dimension, decided_on, group_key, working_days`.execute(database.db)).rows
  const facts = async () =>
    (await sql`select id, sla_decided_on, sla_working_days, sla_paused_working_days, sla_within_limit, sla_had_supplement from "case" order by id`.execute(database.db)).rows
  const maintained = await summary()
  const caseFacts = await facts()
  t.ok(maintained.length > 0)
  t.ok(
    maintained.every((row) => Number((row as { cases: number }).cases) > 0),
    'no empty rows',
  )
  await rebuildSlaSummary(database.db)
  t.same(await summary(), maintained, 'rebuild = maintained')

  // Down and up again: the facts and the summary are derived from the lifecycle documents in SQL.
  // The later migration that keys the summary by jurisdiction comes off first and back on after (its down and up too).
  await jurisdictionKeysMigration.down(database.db)
  await slaMigration.down(database.db)
  await slaMigration.up(database.db)
  await jurisdictionKeysMigration.up(database.db)
  t.same(await facts(), caseFacts, 'backfilled facts = facts written by the transitions')
  t.same(await summary(), maintained, 'backfilled summary = maintained summary')
})

t.test('who may ask, and what is refused', async (t) => {
  const ok = 'from=2026-03-01&to=2026-04-30'
  t.equal((await report(ok, fixture.keys.dispatchA)).statusCode, 403, 'dispatch may not read the reports')
  t.equal((await report(ok, fixture.keys.admin)).statusCode, 403, 'admin may not either')
  t.equal((await app.inject({ method: 'GET', url: `/v1/reports/sla?${ok}` })).statusCode, 401)
  t.equal((await app.inject({ method: 'GET', url: `/v1/reports/timelines?${ok}`, headers: bearer(fixture.keys.dispatchB) })).statusCode, 403)

  const refused = async (query: string, path: string) => {
    const response = await report(query)
    t.equal(response.statusCode, 400, query)
    t.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8')
    t.ok(
      response.json().errors.some((e: { path: string }) => e.path === path),
      `${query}: ${path} named`,
    )
  }
  await refused('from=2026-04-30&to=2026-03-01', 'query.to')
  await refused('from=2023-01-01&to=2026-01-01', 'query.to')
  await refused('from=2026-02-30&to=2026-03-01', 'query.from')
  await refused('from=2026-03-01&to=2026-04-30&groupBy=week', 'query.groupBy')
  await refused('to=2026-04-30', 'query.from')
  await refused('from=2026-03-01&to=2026-04-30&organization=ORG-A', 'query.organization')
  t.equal((await report('from=2024-01-01&to=2026-12-31')).statusCode, 200, '1096 days is the longest period')
  const timelines = await app.inject({ method: 'GET', url: '/v1/reports/timelines?from=2026-04-30&to=2026-03-01', headers: bearer(auditor) })
  t.equal(timelines.statusCode, 400)
})
