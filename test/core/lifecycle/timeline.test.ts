import t from 'tap'

import { builtinCalendarYears } from '../../../src/calendar/builtin-schedules.ts'
import { WorkingDayCalendar } from '../../../src/core/calendar/working-day-calendar.ts'
import { DEFAULT_RULE_SET } from '../../../src/core/rules/default-rule-set.ts'
import { type RouteInput, decideRoute } from '../../../src/core/rules/route-decision.ts'
import { actionRoles, applyAction } from '../../../src/core/lifecycle/case-state-machine.ts'
import { initialLifecycleState } from '../../../src/core/lifecycle/lifecycle-state.ts'
import type { Action, LifecycleState, Role } from '../../../src/core/lifecycle/lifecycle.types.ts'
import { type TimelinePhase, buildTimeline } from '../../../src/core/lifecycle/timeline.ts'

const calendar = new WorkingDayCalendar(builtinCalendarYears())
const at = (date: string, time = '10:00:00') => new Date(`${date}T${time}+08:00`)

function start(input: Partial<RouteInput>, submittedOn: string): LifecycleState {
  const decision = decideRoute(DEFAULT_RULE_SET, { voltageVolts: 10_000, excavationLengthMeters: 30, emergency: false, roadProtected: false, ...input })
  return initialLifecycleState(decision, at(submittedOn))
}

function act(state: LifecycleState, action: Action, date: string, payload: Record<string, unknown> = {}): LifecycleState {
  const role = actionRoles[action][0] as Role
  return applyAction(state, { action, payload, actor: { keyId: `key-${role}`, role }, at: at(date) }, calendar).state
}

const APPROVE = {
  approvedPosition: 'Shengli Road',
  approvedArea: { lengthMeters: 80 },
  approvedPeriod: { from: '2026-03-09', to: '2026-03-20' },
}

const pick = (p: TimelinePhase | undefined) =>
  p === undefined
    ? undefined
    : { start: p.startDate, end: p.endDate, taken: p.workingDaysTaken, limit: p.limit?.amount ?? null, due: p.dueDate, onTime: p.onTime, paused: p.pausedIntervals.length }

t.test('a joint review across the Spring Festival with a supplement pause', async (t) => {
  let s = start({ excavationLengthMeters: 80 }, '2026-02-11')
  s = act(s, 'accept', '2026-02-12')
  s = act(s, 'request_supplement', '2026-02-13', { items: [{ item: 'traffic plan' }] })
  s = act(s, 'submit_supplement', '2026-02-25', { documents: ['plan.pdf'] })
  s = act(s, 'complete_stage', '2026-02-27', { stage: 'joint_survey' })
  s = act(s, 'complete_stage', '2026-03-03', { stage: 'consultation' })
  s = act(s, 'approve', '2026-03-03', APPROVE)
  s = act(s, 'complete_stage', '2026-03-04', { stage: 'issuance' })
  s = act(s, 'start_works', '2026-03-09')
  s = act(s, 'complete_works', '2026-03-23')
  s = act(s, 'inspect_reinstatement', '2026-03-24', { passed: false, inspector: 'Li', notes: 'cracks' })
  s = act(s, 'inspect_reinstatement', '2026-03-26', { passed: true, inspector: 'Li' })
  s = act(s, 'close', '2026-03-27')

  const timeline = buildTimeline(s, calendar, at('2026-04-01'))
  const phase = (key: string) => timeline.phases.find((p) => p.key === key)
  t.same(
    timeline.phases.map((p) => p.key),
    ['acceptance', 'review', 'stage:joint_survey', 'stage:consultation', 'stage:decision', 'stage:issuance', 'works', 'reinstatement'],
  )
  t.same(pick(phase('acceptance')), { start: '2026-02-11', end: '2026-02-12', taken: 1, limit: null, due: null, onTime: null, paused: 0 })
  // 1 day (02-13) before the pause, 6 after the resume (02-26, 27, Sat 28, 03-02, 03, 04): 7 of 8; due 03-05.
  t.same(pick(phase('review')), { start: '2026-02-12', end: '2026-03-04', taken: 7, limit: 8, due: '2026-03-05', onTime: true, paused: 1 })
  // 02-13, then 02-26, 02-27 after the pause = 3 of 4; due 02-28 (the pause pushed it from 02-25).
  t.same(pick(phase('stage:joint_survey')), { start: '2026-02-12', end: '2026-02-27', taken: 3, limit: 4, due: '2026-02-28', onTime: true, paused: 1 })
  // From 02-27: Sat 02-28, 03-02 = due 03-02; completed 03-03: 3 days, late.
  t.same(pick(phase('stage:consultation')), { start: '2026-02-27', end: '2026-03-03', taken: 3, limit: 2, due: '2026-03-02', onTime: false, paused: 0 })
  // A late stage does not push the next back: the decision runs from the consultation's due date 03-02.
  t.same(pick(phase('stage:decision')), { start: '2026-03-03', end: '2026-03-03', taken: 0, limit: 1, due: '2026-03-03', onTime: true, paused: 0 })
  t.same(pick(phase('stage:issuance')), { start: '2026-03-03', end: '2026-03-04', taken: 1, limit: 1, due: '2026-03-04', onTime: true, paused: 0 })
  // Works 03-09 → 03-23, approved until 03-20: late.
  t.same(pick(phase('works')), { start: '2026-03-09', end: '2026-03-23', taken: 10, limit: null, due: '2026-03-20', onTime: false, paused: 0 })
  t.match(phase('reinstatement'), { startDate: '2026-03-23', endDate: '2026-03-26', workingDaysTaken: 3, outcome: 'passed', name: /2 inspection/ })

  t.match(timeline.pausedIntervals, [
    { fromDate: '2026-02-13', toDate: '2026-02-25', workingDays: 3, endedByStop: false, pausedBy: { role: 'office' }, resumedBy: { role: 'dispatch' } },
  ])
  t.equal(timeline.calendarFingerprint, calendar.fingerprint())
  t.equal(timeline.storedCalendarFingerprint, calendar.fingerprint())
  t.equal(timeline.status, 'closed')
  t.equal(timeline.generatedAt, '2026-04-01T10:00:00.000+08:00')
  t.match(timeline.clock, { stopped: true, workingDaysUsed: 7, stoppedLate: false })
  t.same(JSON.parse(JSON.stringify(timeline)), timeline, 'plain JSON')
})

t.test('an open review: taken so far, overdue, no verdict yet', async (t) => {
  let s = start({}, '2026-09-25')
  s = act(s, 'accept', '2026-09-28')
  s = act(s, 'request_supplement', '2026-09-29', { items: [{ item: 'drawing' }] })
  const paused = buildTimeline(s, calendar, at('2026-10-08'))
  t.match(
    paused.phases.find((p) => p.key === 'review'),
    { open: true, end: null, workingDaysTaken: 1, onTime: null, overdue: false, dueDate: null },
  )
  // 09-30, 10-08 are working days inside the still-open pause.
  t.match(paused.pausedIntervals, [{ fromDate: '2026-09-29', toDate: null, to: null, workingDays: 2 }])

  s = act(s, 'submit_supplement', '2026-10-09', { note: 'drawing attached' })
  const late = buildTimeline(s, calendar, at('2026-10-12'))
  // Due Sat 10-10 (make-up workday); on Mon 10-12: 09-29, 10-10, 10-12 = 3 of 2.
  t.match(
    late.phases.find((p) => p.key === 'review'),
    { open: true, workingDaysTaken: 3, dueDate: '2026-10-10', onTime: null, overdue: true },
  )
})

t.test('withdrawn while paused: the pause ends with the stop', async (t) => {
  let s = start({}, '2026-09-25')
  s = act(s, 'accept', '2026-09-28')
  s = act(s, 'request_supplement', '2026-09-29', { items: [{ item: 'drawing' }] })
  s = act(s, 'withdraw', '2026-10-12')
  const timeline = buildTimeline(s, calendar, at('2026-10-20'))
  t.match(
    timeline.phases.find((p) => p.key === 'review'),
    { open: false, endDate: '2026-10-12', workingDaysTaken: 1, dueDate: null, onTime: null, outcome: 'withdrawn' },
  )
  t.match(timeline.pausedIntervals, [{ toDate: '2026-10-12', endedByStop: true }])
})

t.test('withdrawn before acceptance, not accepted', async (t) => {
  const withdrawn = act(start({}, '2026-03-02'), 'withdraw', '2026-03-04')
  t.same(
    buildTimeline(withdrawn, calendar, at('2026-03-10')).phases.map((p) => [p.key, p.outcome, p.workingDaysTaken]),
    [['acceptance', 'withdrawn', 2]],
  )
  const refused = act(start({}, '2026-03-02'), 'not_accept', '2026-03-03', { reason: 'outside the city' })
  t.same(
    buildTimeline(refused, calendar, at('2026-03-10')).phases.map((p) => [p.key, p.outcome]),
    [['acceptance', 'not_accepted']],
  )
})

t.test('emergency formalities and commitment filings', async (t) => {
  const emergency = start({ emergency: true }, '2026-02-14')
  const open = buildTimeline(emergency, calendar, at('2026-02-15', '10:00:01'))
  t.match(open.phases[0], { key: 'formalities', limit: { amount: 24, unit: 'hours' }, dueAt: '2026-02-15T10:00:00.000+08:00', overdue: true, onTime: null, hoursTaken: null })
  t.match(open.phases[1], { key: 'works', open: true, start: '2026-02-14T10:00:00.000+08:00' })
  const done = act(emergency, 'complete_formalities', '2026-02-15', { permitReference: 'EM-1' })
  t.match(buildTimeline(done, calendar, at('2026-02-20')).phases[0], { onTime: true, overdue: false, hoursTaken: 24 })

  const filing = start({ voltageVolts: 380, excavationLengthMeters: 100 }, '2026-03-02')
  t.match(buildTimeline(filing, calendar, at('2026-03-03')).phases, [{ key: 'filing', onTime: true, workingDaysTaken: 0, outcome: 'filed' }])
})

t.test('the timeline recomputes with the calendar it is given', async (t) => {
  const upTo2025 = new WorkingDayCalendar(builtinCalendarYears().filter((y) => y.year <= 2025))
  let s = start({ voltageVolts: 35_000 }, '2025-12-12')
  s = applyAction(s, { action: 'accept', payload: {}, actor: { keyId: 'k', role: 'office' }, at: at('2025-12-15') }, upTo2025).state
  const stale = buildTimeline(s, upTo2025, at('2025-12-20')).phases.find((p) => p.key === 'review')
  t.match(stale, { dueDate: '2026-01-12', provisional: true })
  const fresh = buildTimeline(s, calendar, at('2025-12-20'))
  t.match(
    fresh.phases.find((p) => p.key === 'review'),
    { dueDate: '2026-01-13', provisional: false },
  )
  t.not(fresh.calendarFingerprint, fresh.storedCalendarFingerprint, 'the stored deadlines came from another calendar')
})
