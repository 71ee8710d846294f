import t from 'tap'
import { ManualClock } from '../../src/platform/clock.ts'
import { bearer, buildTestApp } from '../helpers/test-app.ts'
import { approval, lifecycleClient } from '../helpers/lifecycle-client.ts'

// Instants in Shanghai time: the calendar questions are asked there.
const sh = (local: string) => `${local}+08:00`

t.test('fast track: accept, 2 working days over a make-up Saturday, approve, works, failed and passed reinstatement, close', async (t) => {
  const clock = new ManualClock(sh('2026-02-11T09:00:00'))
  const testApp = await buildTestApp(t, { clock })
  const client = lifecycleClient(testApp)
  const dispatch = await testApp.key('dispatch')
  const office = await testApp.key('office')
  const auditor = await testApp.key('auditor')

  const submitted = await client.submit(dispatch, { excavationLengthMeters: 30 })
  t.equal(submitted.status, 'submitted')
  t.same(submitted.allowedActions, ['withdraw'], 'dispatch may only withdraw a submitted case')
  t.same((await client.read(office, submitted.id)).allowedActions, ['accept', 'not_accept'])
  t.same((await client.read(auditor, submitted.id)).allowedActions, [], 'an auditor changes nothing')
  t.equal(submitted.dueDate, null, 'no clock before acceptance')

  clock.set(sh('2026-02-12T10:00:00'))
  const accepted = await client.ok(office, submitted.id, { action: 'accept' })
  t.match(accepted, {
    status: 'accepted',
    dueDate: '2026-02-14',
    dueAt: '2026-02-14T23:59:59.999+08:00',
    paused: false,
    workingDaysUsed: 0,
    workingDaysRemaining: 2,
    overdue: false,
  })
  t.equal(accepted.clock.ledger.length, 1)
  t.match(accepted.clock.ledger[0], { kind: 'start', date: '2026-02-12', workingDaysRemaining: 2, dueDate: '2026-02-14' })

  clock.set(sh('2026-02-14T12:00:00'))
  const midway = await client.read(office, submitted.id)
  t.match(midway, { workingDaysUsed: 2, workingDaysRemaining: 0, overdue: false }, 'on the make-up Saturday the second day is in use')

  const approved = await client.ok(office, submitted.id, approval)
  t.equal(approved.status, 'approved')
  t.equal(approved.decision.outcome, 'approved')
  t.equal(approved.decision.withinTimeLimit, true)
  t.equal(approved.clock.status, 'stopped')

  clock.set(sh('2026-03-02T08:00:00'))
  await client.ok(dispatch, submitted.id, { action: 'start_works' })
  clock.set(sh('2026-03-09T17:00:00'))
  await client.ok(dispatch, submitted.id, { action: 'complete_works' })
  const failed = await client.ok(office, submitted.id, { action: 'inspect_reinstatement', passed: false, inspector: 'Chen', notes: 'surface not level' })
  t.equal(failed.status, 'reinstatement_failed')
  t.same(failed.allowedActions, ['inspect_reinstatement'], 'only a re-inspection follows a failure')
  const passed = await client.ok(office, submitted.id, { action: 'inspect_reinstatement', passed: true, inspector: 'Chen' })
  t.equal(passed.status, 'reinstatement_passed')
  const closed = await client.ok(office, submitted.id, { action: 'close' })
  t.equal(closed.status, 'closed')
  t.same(closed.allowedActions, [])
  t.equal(closed.version, 8, 'one version per change: submitted + 7 transitions')

  const events = (await testApp.app.inject({ method: 'GET', url: `/v1/cases/${submitted.id}/events`, headers: bearer(auditor) })).json().items
  t.same(
    events.map((e: { type: string }) => e.type),
    [
      'case.submitted',
      'case.accepted',
      'case.approved',
      'case.works_started',
      'case.works_completed',
      'case.reinstatement_inspected',
      'case.reinstatement_inspected',
      'case.closed',
    ],
  )
  t.ok(events.every((e: { seq: number }, i: number) => e.seq === i + 1))
  const verify = (await testApp.app.inject({ method: 'GET', url: `/v1/cases/${submitted.id}/events/verify`, headers: bearer(auditor) })).json()
  t.match(verify, { valid: true, events: 8, firstBreak: null })

  const timeline = (await testApp.app.inject({ method: 'GET', url: `/v1/cases/${submitted.id}/timeline`, headers: bearer(auditor) })).json()
  const review = timeline.timeline.phases.find((p: { key: string }) => p.key === 'review')
  t.match(review, { workingDaysTaken: 2, onTime: true, dueDate: '2026-02-14' })
  t.same(timeline.ruleSet, { id: 'zz-green-channel', version: 1, effectiveFrom: '2019-11-01' })
  t.ok(timeline.calendarYears.some((y: { year: number }) => y.year === 2026))
})

t.test('joint review "4+2+1+1" through all four stages across the 2026 Spring Festival', async (t) => {
  const clock = new ManualClock(sh('2026-02-12T09:00:00'))
  const testApp = await buildTestApp(t, { clock })
  const client = lifecycleClient(testApp)
  const dispatch = await testApp.key('dispatch')
  const office = await testApp.key('office')
  const auditor = await testApp.key('auditor')

  const submitted = await client.submit(dispatch, { excavationLengthMeters: 120 })
  t.equal(submitted.route, 'joint_review')
  clock.set(sh('2026-02-12T10:00:00'))
  const accepted = await client.ok(office, submitted.id, { action: 'accept' })
  t.equal(accepted.dueDate, '2026-03-02', '8 working days skip Spring Festival and count both make-up Saturdays')
  t.same(
    accepted.stages.map((s: { key: string; dueDate: string }) => [s.key, s.dueDate]),
    [
      ['joint_survey', '2026-02-25'],
      ['consultation', '2026-02-27'],
      ['decision', '2026-02-28'],
      ['issuance', '2026-03-02'],
    ],
  )
  t.match(accepted.currentStage, { key: 'joint_survey', dueDate: '2026-02-25' })
  const approveTooEarly = await client.act(office, submitted.id, approval)
  t.equal(approveTooEarly.statusCode, 409, 'no decision before the survey and consultation')

  clock.set(sh('2026-02-24T15:00:00'))
  await client.ok(office, submitted.id, { action: 'record_opinion', department: 'Municipal engineering', opinion: 'agree' })
  await client.ok(office, submitted.id, { action: 'record_opinion', department: 'Traffic police', opinion: 'agree_with_conditions', conditions: ['No works 07:00–09:00'] })
  const surveyed = await client.ok(office, submitted.id, { action: 'complete_stage', stage: 'joint_survey', summary: 'site surveyed' })
  t.equal(surveyed.currentStage.key, 'consultation')
  t.equal(surveyed.stages[0].late, false)
  t.equal(surveyed.stages[1].dueDate, '2026-02-26', 'finished a day early: the next stages move forward from the actual end')

  clock.set(sh('2026-02-26T16:00:00'))
  await client.ok(office, submitted.id, { action: 'complete_stage', stage: 'consultation' })
  clock.set(sh('2026-02-27T11:00:00'))
  const decided = await client.ok(office, submitted.id, { ...approval, approvedArea: { lengthMeters: 120, widthMeters: 1 } })
  t.equal(decided.status, 'approved')
  t.equal(decided.currentStage.key, 'issuance')
  t.notOk(decided.allowedActions.includes('start_works'), 'no works before the permit is issued')
  t.same((await client.read(dispatch, submitted.id)).allowedActions.includes('start_works'), false)

  clock.set(sh('2026-02-28T10:00:00'))
  const issued = await client.ok(office, submitted.id, { action: 'complete_stage', stage: 'issuance' })
  t.equal(issued.clock.status, 'stopped')
  t.ok((await client.read(dispatch, submitted.id)).allowedActions.includes('start_works'))

  const timeline = (await testApp.app.inject({ method: 'GET', url: `/v1/cases/${submitted.id}/timeline`, headers: bearer(auditor) })).json().timeline
  const stages = timeline.phases.filter((p: { kind: string }) => p.kind === 'stage')
  t.same(
    stages.map((s: { key: string; onTime: boolean }) => [s.key, s.onTime]),
    [
      ['stage:joint_survey', true],
      ['stage:consultation', true],
      ['stage:decision', true],
      ['stage:issuance', true],
    ],
  )
  t.same(
    stages.map((s: { workingDaysTaken: number }) => s.workingDaysTaken),
    [3, 2, 1, 1],
  )
})

t.test('a supplement request pauses the clock across National Day; resubmission resumes with the days left', async (t) => {
  const clock = new ManualClock(sh('2026-09-28T09:00:00'))
  const testApp = await buildTestApp(t, { clock })
  const client = lifecycleClient(testApp)
  const dispatch = await testApp.key('dispatch')
  const office = await testApp.key('office')

  const submitted = await client.submit(dispatch, { excavationLengthMeters: 20 })
  const accepted = await client.ok(office, submitted.id, { action: 'accept' })
  t.equal(accepted.dueDate, '2026-09-30')

  clock.set(sh('2026-09-29T11:00:00'))
  const paused = await client.ok(office, submitted.id, {
    action: 'request_supplement',
    items: [{ item: 'traffic diversion plan' }, { item: 'pipeline survey', detail: 'scale 1:500' }],
  })
  t.match(paused, { status: 'supplement_requested', paused: true, dueDate: null, workingDaysUsed: 1, workingDaysRemaining: 1, overdue: false })
  t.match(paused.clock.ledger.at(-1), { kind: 'pause', date: '2026-09-29', workingDaysUsed: 1, workingDaysRemaining: 1 })

  clock.set(sh('2026-10-05T11:00:00'))
  t.match(await client.read(office, submitted.id), { paused: true, overdue: false, workingDaysRemaining: 1 }, 'no time runs while paused')

  clock.set(sh('2026-10-09T09:30:00'))
  const resumed = await client.ok(dispatch, submitted.id, { action: 'submit_supplement', documents: ['diversion-plan.pdf', 'survey.pdf'] })
  t.match(resumed, { status: 'accepted', paused: false, dueDate: '2026-10-10', workingDaysRemaining: 1 }, 'one day left: Saturday 10 October is a make-up workday')
  t.match(resumed.clock.ledger.at(-1), { kind: 'resume', date: '2026-10-09', dueDate: '2026-10-10' })
  t.equal(resumed.supplements.length, 1)
  t.equal(resumed.supplements[0].items.length, 2)

  const again = await client.act(office, submitted.id, { action: 'request_supplement', items: [{ item: 'one more thing' }] })
  t.equal(again.statusCode, 409, 'everything missing is asked for once (行政许可法 art. 32)')
  t.match(again.json().detail, /once/)

  clock.set(sh('2026-10-12T09:00:00'))
  const late = await client.read(office, submitted.id)
  t.match(late, { overdue: true, status: 'accepted' }, 'overdue, and not approved by default')
  const refused = await client.ok(office, submitted.id, { action: 'refuse', reasons: ['the diversion plan blocks the hospital entrance'] })
  t.equal(refused.status, 'refused')
  t.equal(refused.decision.withinTimeLimit, false)
  t.equal(refused.overdue, false, 'a decided case is no longer overdue')
})

t.test('commitment filing, emergency repair, standard extension, withdrawal and change requests', async (t) => {
  const clock = new ManualClock(sh('2026-03-02T09:00:00'))
  const testApp = await buildTestApp(t, { clock })
  const client = lifecycleClient(testApp)
  const dispatch = await testApp.key('dispatch')
  const office = await testApp.key('office')

  // Commitment filing: works may start at once; the office may revoke a non-compliant filing.
  const filing = await client.submit(dispatch, { voltageVolts: 380, excavationLengthMeters: 80, commitment: { signedBy: 'Li Ming', statement: 'We commit to the rules.' } })
  t.same(filing.allowedActions, ['start_works'])
  await client.ok(dispatch, filing.id, { action: 'start_works' })
  const revoked = await client.ok(office, filing.id, { action: 'revoke_filing', reason: 'trench wider than filed' })
  t.equal(revoked.status, 'revoked')

  // Emergency: formalities due 24 clock hours after notification, overdue after that.
  const emergency = await client.submit(dispatch, { emergency: true })
  t.match(emergency, { status: 'notified', dueAt: '2026-03-03T09:00:00.000+08:00', overdue: false })
  clock.set(sh('2026-03-03T09:00:01'))
  t.match(await client.read(office, emergency.id), { overdue: true, formalities: { overdue: true } })
  const formal = await client.ok(dispatch, emergency.id, { action: 'complete_formalities', permitReference: 'ZZ-PERMIT-7' })
  t.match(formal, { status: 'formalities_completed', overdue: false, formalities: { completedLate: true } })
  await client.ok(dispatch, emergency.id, { action: 'complete_works' })

  // Standard route: one extension by 10 working days, named approver.
  clock.set(sh('2026-03-02T10:00:00'))
  const standard = await client.submit(dispatch, { voltageVolts: 35000 })
  const accepted = await client.ok(office, standard.id, { action: 'accept' })
  t.equal(accepted.dueDate, '2026-03-30')
  const extended = await client.ok(office, standard.id, { action: 'extend_time_limit', approver: { name: 'Wang Jun', title: 'Director' }, reason: 'expert review of the crossing' })
  t.equal(extended.dueDate, '2026-04-14')
  t.equal(extended.clock.limitWorkingDays, 30)
  t.equal((await client.act(office, standard.id, { action: 'extend_time_limit', approver: { name: 'Wang Jun', title: 'Director' }, reason: 'again' })).statusCode, 409, 'once only')
  const fastTrack = await client.submit(dispatch)
  await client.ok(office, fastTrack.id, { action: 'accept' })
  t.equal((await client.act(office, fastTrack.id, { action: 'extend_time_limit', approver: { name: 'W', title: 'D' }, reason: 'x' })).statusCode, 409, 'not on the green channel')

  // Withdrawal before a decision.
  const withdrawn = await client.ok(dispatch, standard.id, { action: 'withdraw', reason: 'route redesigned' })
  t.equal(withdrawn.status, 'withdrawn')
  t.equal(withdrawn.clock.status, 'stopped')

  // A change request: move the approved works; approved in advance (城市道路管理条例 art. 36).
  await client.ok(office, fastTrack.id, approval)
  const requested = await client.ok(dispatch, fastTrack.id, {
    action: 'request_change',
    kind: 'move',
    description: 'avoid a gas main',
    requestedPosition: 'south side, km 1.2–1.3',
  })
  t.ok(requested.pendingChange)
  t.notOk(requested.allowedActions.includes('request_change'), 'one pending change at a time')
  t.same(
    (await client.read(office, fastTrack.id)).allowedActions.filter((a: string) => a.endsWith('_change')),
    ['approve_change', 'refuse_change'],
  )
  const changed = await client.ok(office, fastTrack.id, { action: 'approve_change' })
  t.equal(changed.pendingChange, null)
  t.equal(changed.decision.approvedPosition, 'south side, km 1.2–1.3', 'the binding position is the approved change')
})
