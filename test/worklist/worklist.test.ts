import t from 'tap'
import type { Test } from 'tap'
import { createApiKey } from '../../src/api-keys/api-key.service.ts'
import { ManualClock } from '../../src/platform/clock.ts'
import { sweepWarnings } from '../../src/supervision/warning-sweep.ts'
import { bearer, buildTestApp, type TestApp } from '../helpers/test-app.ts'
import { approval, lifecycleClient } from '../helpers/lifecycle-client.ts'

const sh = (local: string) => `${local}+08:00`

interface Item {
  id: string
  caseNumber: string
  status: string
  queue: string
  route: string
  district: string
  organization: string
  stage: { key: string; name: string; index: number } | null
  dueAt: string | null
  dueDate: string | null
  workingDaysRemaining: number | null
  warningLevel: string | null
}

async function worklist(testApp: TestApp, key: string, query = '') {
  const response = await testApp.app.inject({ method: 'GET', url: `/v1/worklist${query}`, headers: bearer(key) })
  return response
}

/**
 * Six cases on 2026-02-12 (the day before the Spring Festival week): two submitted, a fast track and two joint
 * reviews accepted, one of them then paused for a supplement, and one approved (not in the worklist); one of
 * ORG-B in another district.
 */
async function seed(t: Test) {
  const clock = new ManualClock(sh('2026-02-12T09:00:00'))
  const testApp = await buildTestApp(t, { clock })
  const client = lifecycleClient(testApp)
  const dispatchA = await testApp.key('dispatch', 'ORG-A')
  const dispatchB = await testApp.key('dispatch', 'ORG-B')
  const office = await testApp.key('office')
  const submittedA = await client.submit(dispatchA, { excavationLengthMeters: 30 })
  const submittedB = await client.submit(dispatchB, { excavationLengthMeters: 30, location: { district: 'Xiangcheng', roadName: "Yan'an Road" } })
  const fast = await client.submit(dispatchA, { excavationLengthMeters: 30 })
  const joint = await client.submit(dispatchA, { excavationLengthMeters: 120 })
  const paused = await client.submit(dispatchA, { excavationLengthMeters: 120 })
  const approved = await client.submit(dispatchA, { excavationLengthMeters: 30 })
  const changed = await client.submit(dispatchA, { excavationLengthMeters: 30 })
  clock.set(sh('2026-02-12T10:00:00'))
  for (const c of [fast, joint, paused, approved, changed]) await client.ok(office, c.id, { action: 'accept' })
  await client.ok(office, paused.id, { action: 'request_supplement', items: [{ item: 'traffic diversion plan' }] })
  await client.ok(office, approved.id, approval)
  await client.ok(office, changed.id, approval)
  await client.ok(dispatchA, changed.id, {
    action: 'request_change',
    kind: 'extend',
    description: 'more days for the cable pull',
    requestedPeriod: { from: '2026-03-02', to: '2026-03-20' },
  })
  return { testApp, clock, client, office, dispatchA, cases: { submittedA, submittedB, fast, joint, paused, approved, changed } }
}

t.test('the worklist: queues, order, counts, live working days across the Spring Festival', async (t) => {
  const { testApp, clock, client, office, cases } = await seed(t)

  clock.set(sh('2026-02-13T09:00:00'))
  const response = await worklist(testApp, office)
  t.equal(response.statusCode, 200, response.body)
  const body = response.json()
  t.same(Object.keys(body).sort(), ['asOf', 'counts', 'dueSoonDays', 'items', 'nextCursor', 'today'])
  t.equal(body.today, '2026-02-13')
  t.equal(body.dueSoonDays, 2)
  const items: Item[] = body.items
  t.same(
    items.map((item) => item.id),
    [cases.fast.id, cases.joint.id, ...[cases.paused, cases.submittedA, cases.submittedB, cases.changed].map((c) => c.id).sort((a, b) => numberOf(a).localeCompare(numberOf(b)))],
    'soonest deadline first, cases without one last by case number',
  )
  function numberOf(id: string): string {
    return Object.values(cases).find((c) => c.id === id)?.number as string
  }
  t.notOk(
    items.some((item) => item.id === cases.approved.id),
    'a decided case waits on no one at the office',
  )
  const fastItem = items[0] as Item
  t.same(Object.keys(fastItem).sort(), [
    'caseNumber',
    'district',
    'dueAt',
    'dueDate',
    'id',
    'organization',
    'queue',
    'route',
    'stage',
    'status',
    'warningLevel',
    'workingDaysRemaining',
  ])
  t.match(fastItem, { status: 'accepted', queue: 'in_review', route: 'fast_track', organization: 'ORG-A', district: 'Longwen', dueDate: '2026-02-14', workingDaysRemaining: 1 })
  const jointItem = items[1] as Item
  t.match(jointItem, { queue: 'in_review', route: 'joint_review', dueDate: '2026-03-02', stage: { key: 'joint_survey', index: 0 } })
  const byId = new Map(items.map((item) => [item.id, item]))
  t.match(byId.get(cases.paused.id), { queue: 'supplement_pending', status: 'supplement_requested', dueAt: null, stage: null })
  t.match(byId.get(cases.submittedB.id), {
    queue: 'awaiting_acceptance',
    organization: 'ORG-B',
    district: 'Xiangcheng',
    dueAt: null,
    workingDaysRemaining: null,
    warningLevel: null,
  })

  // Every item before a decision shows what GET /v1/cases/{id} shows at the same instant.
  for (const item of items.filter((i) => i.queue !== 'change_pending')) {
    const read = (await testApp.app.inject({ method: 'GET', url: `/v1/cases/${item.id}`, headers: bearer(office) })).json()
    t.same(
      [item.caseNumber, item.dueAt, item.dueDate, item.workingDaysRemaining, item.warningLevel],
      [read.number, read.dueAt, read.dueDate, read.workingDaysRemaining, read.clock?.warningLevel ?? null],
      `${item.caseNumber} as the case read shows it`,
    )
  }

  t.match(byId.get(cases.changed.id), { queue: 'change_pending', status: 'approved', dueAt: null, stage: null, warningLevel: null })
  t.same(body.counts, {
    total: 6,
    queues: { awaiting_acceptance: 2, in_review: 2, supplement_pending: 1, change_pending: 1 },
    stages: { joint_survey: 1 },
    dueSoon: 1,
    yellow: 1,
    red: 0,
    overdue: 0,
  })
  t.same(
    (await worklist(testApp, office, '?queue=change_pending')).json().items.map((item: Item) => item.id),
    [cases.changed.id],
  )

  // The scheduler's sweep stores the levels and when to look again: the counts then come from the stored columns
  // (no live computation), and are the same.
  await sweepWarnings(testApp.database.db, await testApp.app.calendarService.calendar(), clock.now(), 'test-run')
  const stale = await testApp.database.db.selectFrom('case').select('id').where('supervision_due_at', '<=', clock.now()).execute()
  t.same(stale, [], 'no case left for a live computation')
  const afterSweep = (await worklist(testApp, office)).json()
  t.same(afterSweep.counts, body.counts)
  t.same(afterSweep.items, body.items)
  t.same(
    (await worklist(testApp, office, '?queue=yellow')).json().items.map((item: Item) => item.id),
    [cases.fast.id],
  )

  // Spring Festival (15–23 February 2026 off, 14 and 28 February make-up workdays): the joint review due 2 March.
  clock.set(sh('2026-02-20T11:00:00'))
  let joint = (await worklist(testApp, office, '?queue=in_review&stage=joint_survey')).json().items
  t.equal(joint.length, 1)
  t.equal(joint[0].workingDaysRemaining, 6, 'on a festival day: 13 and the make-up 14 February used, none of the holiday')
  clock.set(sh('2026-02-26T11:00:00'))
  joint = (await worklist(testApp, office, '?queue=in_review&stage=joint_survey')).json().items
  t.equal(joint[0].workingDaysRemaining, 3, '27, the make-up 28 February and 2 March are left')
  t.equal((await worklist(testApp, office, '?queue=due_soon')).json().items.length, 0, 'fast track overdue, joint review 3 days left')
  clock.set(sh('2026-02-27T11:00:00'))
  const dueSoon = (await worklist(testApp, office, '?queue=due_soon')).json()
  t.same(
    dueSoon.items.map((item: Item) => [item.id, item.workingDaysRemaining]),
    [[cases.joint.id, 2]],
  )
  t.equal(dueSoon.counts.dueSoon, 1)
  t.equal((await worklist(testApp, office, '?queue=due_soon&dueSoonDays=1')).json().items.length, 0)
  const overdue = (await worklist(testApp, office, '?queue=overdue')).json()
  t.same(
    overdue.items.map((item: Item) => [item.id, item.warningLevel]),
    [[cases.fast.id, 'overdue']],
  )
  t.equal(overdue.counts.overdue, 1)
  t.equal(overdue.counts.total, 6, 'counts ignore the queue')

  // The office decides the change: the case leaves the worklist.
  await client.ok(office, cases.changed.id, { action: 'approve_change' })
  t.equal((await worklist(testApp, office, '?queue=change_pending')).json().counts.queues.change_pending, 0)
})

t.test('filters, cursor paging, scoping and roles', async (t) => {
  const { testApp, office, cases } = await seed(t)

  const byOrg = (await worklist(testApp, office, '?organization=ORG-B')).json()
  t.same(
    byOrg.items.map((item: Item) => item.id),
    [cases.submittedB.id],
  )
  t.equal(byOrg.counts.total, 1, 'counts apply the filters')
  t.same(
    (await worklist(testApp, office, '?district=Xiangcheng')).json().items.map((item: Item) => item.id),
    [cases.submittedB.id],
  )
  t.same((await worklist(testApp, office, '?route=joint_review')).json().counts.queues, { awaiting_acceptance: 0, in_review: 1, supplement_pending: 1, change_pending: 0 })
  t.equal((await worklist(testApp, office, '?organization=NOBODY')).json().items.length, 0)
  t.same(
    (await worklist(testApp, office, '?queue=awaiting_acceptance')).json().items.map((item: Item) => item.status),
    ['submitted', 'submitted'],
  )

  // Paging: two at a time through the six, the same order as one page.
  const all: string[] = (await worklist(testApp, office)).json().items.map((item: Item) => item.id)
  const paged: string[] = []
  let cursor: string | null = null
  let pages = 0
  do {
    const page: { items: Item[]; nextCursor: string | null } = (await worklist(testApp, office, `?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)).json()
    paged.push(...page.items.map((item) => item.id))
    cursor = page.nextCursor
    pages++
  } while (cursor !== null && pages < 10)
  t.same(paged, all)
  t.equal(pages, 3)

  const badCursor = await worklist(testApp, office, '?cursor=garbage')
  t.equal(badCursor.statusCode, 400)
  t.equal(badCursor.json().code, 'invalid_cursor')
  const badQueue = await worklist(testApp, office, '?queue=someday&limit=500')
  t.equal(badQueue.statusCode, 400)
  t.match(
    badQueue.json().errors.map((e: { path: string }) => e.path),
    ['query.queue', 'query.limit'],
  )

  const otherOffice = (await createApiKey(testApp.database.db, { role: 'office', jurisdictionCode: 'zhongshan' })).key
  const other = (await worklist(testApp, otherOffice)).json()
  t.same(other.items, [], "another jurisdiction's office sees none")
  t.equal(other.counts.total, 0)

  const admin = await testApp.key('admin')
  t.equal((await worklist(testApp, admin)).json().counts.total, 6, 'an admin spans every jurisdiction')
  const dispatch = await testApp.key('dispatch', 'ORG-A')
  const forbidden = await worklist(testApp, dispatch)
  t.equal(forbidden.statusCode, 403)
  t.match(forbidden.headers['content-type'], /application\/problem\+json/)
  t.equal((await worklist(testApp, await testApp.key('auditor'))).statusCode, 403)
  t.equal((await testApp.app.inject({ method: 'GET', url: '/v1/worklist' })).statusCode, 401)
})
