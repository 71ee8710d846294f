import t from 'tap'

import { builtinCalendarYears } from '../../../src/calendar/builtin-schedules.ts'
import { WorkingDayCalendar } from '../../../src/core/calendar/working-day-calendar.ts'
import {
  ClockError,
  addActiveWorkingDays,
  clockView,
  countActiveWorkingDays,
  extendClock,
  formalitiesDueAt,
  formalitiesView,
  pauseClock,
  pausedIntervals,
  recomputeClock,
  resumeClock,
  startClock,
  stopClock,
} from '../../../src/core/lifecycle/statutory-clock.ts'
import { applyAction } from '../../../src/core/lifecycle/case-state-machine.ts'
import { initialLifecycleState, lifecycleView, recomputeLifecycle } from '../../../src/core/lifecycle/lifecycle-state.ts'
import type { Actor, StatutoryClock } from '../../../src/core/lifecycle/lifecycle.types.ts'

const calendar = new WorkingDayCalendar(builtinCalendarYears())
const office: Actor = { keyId: 'key-office', role: 'office' }
const dispatch: Actor = { keyId: 'key-dispatch', role: 'dispatch' }
/** 10:00 in Shanghai on a civil date. */
const at = (date: string, time = '10:00:00') => new Date(`${date}T${time}+08:00`)

const JOINT_STAGES = [
  { key: 'joint_survey', workingDays: 4, name: 'Joint site survey' },
  { key: 'consultation', workingDays: 2, name: 'Consultation meeting' },
  { key: 'decision', workingDays: 1, name: 'Decision' },
  { key: 'issuance', workingDays: 1, name: 'Permit issuance' },
]

type Op =
  | { op: 'start'; date: string; limit: number | null; time?: string }
  | { op: 'pause' | 'resume' | 'stop'; date: string; time?: string }
  | { op: 'extend'; date: string; days: number }

interface Expected {
  kind: string
  date: string
  used: number
  remaining: number | null
  due: string | null
}

function run(ops: Op[], cal = calendar): StatutoryClock {
  let clock: StatutoryClock | null = null
  for (const o of ops) {
    const when = at(o.date, 'time' in o && o.time !== undefined ? o.time : '10:00:00')
    if (o.op === 'start') clock = startClock(o.limit, cal, when, office, 'accepted')
    else if (clock === null) throw new Error('start first')
    else if (o.op === 'pause') clock = pauseClock(clock, cal, when, office, 'supplement requested')
    else if (o.op === 'resume') clock = resumeClock(clock, cal, when, dispatch, 'supplement submitted')
    else if (o.op === 'extend') clock = extendClock(clock, cal, o.days, when, office, 'extension approved')
    else clock = stopClock(clock, cal, when, office, 'decision')
  }
  if (clock === null) throw new Error('no ops')
  return clock
}

t.test('ledger arithmetic, table-driven (dates verified by hand against the 2026 State Council schedule)', async (t) => {
  const table: Array<{ name: string; ops: Op[]; expected: Expected[]; final: { status: string; due: string | null } }> = [
    {
      // Thu 02-12 accepted; Fri 02-13 is day 1, Sat 02-14 (make-up workday) day 2.
      name: 'fast_track accepted 2026-02-12 is due 2026-02-14 (a make-up Saturday)',
      ops: [{ op: 'start', date: '2026-02-12', limit: 2 }],
      expected: [{ kind: 'start', date: '2026-02-12', used: 0, remaining: 2, due: '2026-02-14' }],
      final: { status: 'running', due: '2026-02-14' },
    },
    {
      // 16:30Z on 02-12 is 00:30 on 02-13 in Shanghai: 02-14 is day 1, the Spring Festival 02-15..23 off, 02-24 day 2.
      name: 'acceptance just after midnight in Shanghai counts from the Shanghai date',
      ops: [{ op: 'start', date: '2026-02-13', time: '00:30:00', limit: 2 }],
      expected: [{ kind: 'start', date: '2026-02-13', used: 0, remaining: 2, due: '2026-02-24' }],
      final: { status: 'running', due: '2026-02-24' },
    },
    {
      name: 'joint review 8 working days across the Spring Festival: due Mon 2026-03-02',
      ops: [{ op: 'start', date: '2026-02-12', limit: 8 }],
      expected: [{ kind: 'start', date: '2026-02-12', used: 0, remaining: 8, due: '2026-03-02' }],
      final: { status: 'running', due: '2026-03-02' },
    },
    {
      // Mon 09-28 accepted; Tue 09-29 paused = 1 day used; National Day 10-01..07; resumed Fri 10-09 (not
      // counted); the one day left is Sat 10-10, a make-up workday.
      name: 'supplement pause across National Day 2026',
      ops: [
        { op: 'start', date: '2026-09-28', limit: 2 },
        { op: 'pause', date: '2026-09-29' },
        { op: 'resume', date: '2026-10-09' },
      ],
      expected: [
        { kind: 'start', date: '2026-09-28', used: 0, remaining: 2, due: '2026-09-30' },
        { kind: 'pause', date: '2026-09-29', used: 1, remaining: 1, due: null },
        { kind: 'resume', date: '2026-10-09', used: 1, remaining: 1, due: '2026-10-10' },
      ],
      final: { status: 'running', due: '2026-10-10' },
    },
    {
      // Wed 04-01 accepted (standard, 20). Pause Fri 04-03: 04-02, 04-03 used = 2. Resume Fri 04-10.
      // Pause Mon 04-20: 04-13..17 and 04-20 = 6 more, 8 used. Resume Thu 04-30 with 12 left:
      // Labour Day 05-01..05 off; 05-06, 07, 08, Sat 05-09 (make-up) = 4; 05-11..15 = 9; 05-18, 19, 20 = 12.
      name: 'two pause/resume cycles accumulate (standard, Qingming and Labour Day)',
      ops: [
        { op: 'start', date: '2026-04-01', limit: 20 },
        { op: 'pause', date: '2026-04-03' },
        { op: 'resume', date: '2026-04-10' },
        { op: 'pause', date: '2026-04-20' },
        { op: 'resume', date: '2026-04-30' },
      ],
      expected: [
        { kind: 'start', date: '2026-04-01', used: 0, remaining: 20, due: '2026-04-30' },
        { kind: 'pause', date: '2026-04-03', used: 2, remaining: 18, due: null },
        // 18 working days after Fri 04-10: 04-13..17 (5), 04-20..24 (10), 04-27..30 (14), 05-06..08 (17), Sat 05-09 (18).
        { kind: 'resume', date: '2026-04-10', used: 2, remaining: 18, due: '2026-05-09' },
        { kind: 'pause', date: '2026-04-20', used: 8, remaining: 12, due: null },
        { kind: 'resume', date: '2026-04-30', used: 8, remaining: 12, due: '2026-05-20' },
      ],
      final: { status: 'running', due: '2026-05-20' },
    },
    {
      // Mon 03-02 accepted: 20 working days end Mon 03-30; +10: 03-31, 04-01..03 (4), Qingming 04-04..06,
      // 04-07..10 (8), 04-13, 04-14 (10).
      name: 'standard extended once: 20 + 10 working days',
      ops: [
        { op: 'start', date: '2026-03-02', limit: 20 },
        { op: 'extend', date: '2026-03-20', days: 10 },
        { op: 'stop', date: '2026-04-14' },
      ],
      expected: [
        { kind: 'start', date: '2026-03-02', used: 0, remaining: 20, due: '2026-03-30' },
        { kind: 'extend', date: '2026-03-20', used: 14, remaining: 16, due: '2026-04-14' },
        { kind: 'stop', date: '2026-04-14', used: 30, remaining: 0, due: '2026-04-14' },
      ],
      final: { status: 'stopped', due: '2026-04-14' },
    },
    {
      name: 'a pause on the acceptance day uses no working day',
      ops: [
        { op: 'start', date: '2026-02-12', limit: 2, time: '09:00:00' },
        { op: 'pause', date: '2026-02-12', time: '15:00:00' },
        { op: 'resume', date: '2026-02-13' },
      ],
      expected: [
        { kind: 'start', date: '2026-02-12', used: 0, remaining: 2, due: '2026-02-14' },
        { kind: 'pause', date: '2026-02-12', used: 0, remaining: 2, due: null },
        // Fri 02-13 resume not counted; Sat 02-14 day 1; Spring Festival; Tue 02-24 day 2.
        { kind: 'resume', date: '2026-02-13', used: 0, remaining: 2, due: '2026-02-24' },
      ],
      final: { status: 'running', due: '2026-02-24' },
    },
    {
      // Paused 02-25 after the 2 days ran out on 02-14 (02-24 is a third day used): remaining is negative and
      // the clock does not pretend otherwise; on resumption the due date is still the past 02-14.
      name: 'a late pause keeps a negative remainder and the past due date',
      ops: [
        { op: 'start', date: '2026-02-12', limit: 2 },
        { op: 'pause', date: '2026-02-24' },
        { op: 'resume', date: '2026-02-26' },
      ],
      expected: [
        { kind: 'start', date: '2026-02-12', used: 0, remaining: 2, due: '2026-02-14' },
        { kind: 'pause', date: '2026-02-24', used: 3, remaining: -1, due: null },
        { kind: 'resume', date: '2026-02-26', used: 3, remaining: -1, due: '2026-02-14' },
      ],
      final: { status: 'running', due: '2026-02-14' },
    },
    {
      name: 'stopped while paused: no due date, the days used are those before the pause',
      ops: [
        { op: 'start', date: '2026-09-28', limit: 2 },
        { op: 'pause', date: '2026-09-29' },
        { op: 'stop', date: '2026-10-12' },
      ],
      expected: [
        { kind: 'start', date: '2026-09-28', used: 0, remaining: 2, due: '2026-09-30' },
        { kind: 'pause', date: '2026-09-29', used: 1, remaining: 1, due: null },
        { kind: 'stop', date: '2026-10-12', used: 1, remaining: 1, due: null },
      ],
      final: { status: 'stopped', due: null },
    },
    {
      name: 'no time limit (special approval): tracked, not promised',
      ops: [
        { op: 'start', date: '2026-03-02', limit: null },
        { op: 'pause', date: '2026-03-04' },
      ],
      expected: [
        { kind: 'start', date: '2026-03-02', used: 0, remaining: null, due: null },
        { kind: 'pause', date: '2026-03-04', used: 2, remaining: null, due: null },
      ],
      final: { status: 'paused', due: null },
    },
  ]

  for (const row of table) {
    const clock = run(row.ops)
    t.same(
      clock.ledger.map((e) => ({ kind: e.kind, date: e.date, used: e.workingDaysUsed, remaining: e.workingDaysRemaining, due: e.dueDate })),
      row.expected,
      row.name,
    )
    t.equal(clock.status, row.final.status, `${row.name}: status`)
    t.equal(clock.dueDate, row.final.due, `${row.name}: due date`)
    t.equal(clock.provisional, false, `${row.name}: final, not provisional`)
    t.same(recomputeClock(clock, calendar), clock, `${row.name}: recomputing with the same calendar changes nothing`)
  }
})

t.test('ledger entries record when, why, who and the limit', async (t) => {
  const clock = run([
    { op: 'start', date: '2026-09-28', limit: 2 },
    { op: 'pause', date: '2026-09-29' },
  ])
  const [start, pause] = clock.ledger
  t.match(start, { kind: 'start', at: '2026-09-28T10:00:00.000+08:00', reason: 'accepted', actor: office, limitWorkingDays: 2 })
  t.match(pause, { kind: 'pause', at: '2026-09-29T10:00:00.000+08:00', reason: 'supplement requested', actor: office, limitWorkingDays: 2 })
  t.same(JSON.parse(JSON.stringify(clock)), clock, 'plain JSON')
  t.equal(clock.calendarFingerprint, calendar.fingerprint())
  t.same(
    pausedIntervals(clock).map((i) => [i.fromDate, i.toDate, i.reason]),
    [['2026-09-29', null, 'supplement requested']],
  )
})

t.test('the clock refuses nonsense', async (t) => {
  const running = run([{ op: 'start', date: '2026-03-02', limit: 20 }])
  t.throws(() => resumeClock(running, calendar, at('2026-03-03'), office, 'x'), ClockError, 'resume a running clock')
  const paused = pauseClock(running, calendar, at('2026-03-03'), office, 'x')
  t.throws(() => pauseClock(paused, calendar, at('2026-03-04'), office, 'x'), ClockError, 'pause twice')
  const stopped = stopClock(running, calendar, at('2026-03-03'), office, 'x')
  for (const f of [pauseClock, resumeClock, stopClock]) t.throws(() => f(stopped, calendar, at('2026-03-04'), office, 'x'), ClockError)
  t.throws(() => extendClock(stopped, calendar, 10, at('2026-03-04'), office, 'x'), ClockError, 'extend a stopped clock')
  t.throws(() => pauseClock(running, calendar, at('2026-03-01'), office, 'x'), ClockError, 'a date going backwards')
  t.equal(pauseClock(running, calendar, at('2026-03-02', '09:59:59'), office, 'x').status, 'paused', 'a second of clock skew between servers on the same day is harmless')
  t.throws(() => extendClock(running, calendar, 0, at('2026-03-04'), office, 'x'), ClockError, 'extension of 0')
  const untimed = run([{ op: 'start', date: '2026-03-02', limit: null }])
  t.throws(() => extendClock(untimed, calendar, 10, at('2026-03-04'), office, 'x'), ClockError, 'extend an untimed clock')
  t.throws(() => startClock(-1, calendar, at('2026-03-02'), office, 'x'), ClockError)
  // A clock is never mutated in place.
  const before = JSON.stringify(running)
  pauseClock(running, calendar, at('2026-03-03'), office, 'x')
  t.equal(JSON.stringify(running), before)
})

t.test('clockView: overdue at the end of the due date in Shanghai, days used, negative remainder', async (t) => {
  const clock = run([{ op: 'start', date: '2026-02-12', limit: 2 }])
  const lastMs = new Date('2026-02-14T15:59:59.999Z') // 23:59:59.999 on 02-14 in Shanghai
  const table: Array<[string, Date, { overdue: boolean; used: number; remaining: number }]> = [
    ['on the acceptance day', at('2026-02-12', '18:00:00'), { overdue: false, used: 0, remaining: 2 }],
    ['the next day', at('2026-02-13'), { overdue: false, used: 1, remaining: 1 }],
    ['the last millisecond of the due date', lastMs, { overdue: false, used: 2, remaining: 0 }],
    ['the first millisecond after it', new Date(lastMs.getTime() + 1), { overdue: true, used: 2, remaining: 0 }],
    ['on the first working day after the holiday', at('2026-02-24'), { overdue: true, used: 3, remaining: -1 }],
  ]
  for (const [name, now, expected] of table) {
    const view = clockView(clock, calendar, now)
    t.match(view, { overdue: expected.overdue, workingDaysUsed: expected.used, workingDaysRemaining: expected.remaining }, name)
    t.equal(view.dueAt, '2026-02-14T23:59:59.999+08:00', `${name}: dueAt`)
  }

  const paused = pauseClock(clock, calendar, at('2026-02-13'), office, 'supplement')
  const pausedView = clockView(paused, calendar, at('2026-03-20'))
  t.match(
    pausedView,
    {
      paused: true,
      pausedSince: '2026-02-13T10:00:00.000+08:00',
      dueDate: null,
      dueAt: null,
      overdue: false,
      workingDaysUsed: 1,
      workingDaysRemaining: 1,
    },
    'paused: remaining is fixed, the due date unknown, never overdue',
  )

  const late = stopClock(clock, calendar, at('2026-02-24'), office, 'decision')
  t.match(clockView(late, calendar, at('2026-03-20')), { stopped: true, overdue: false, stoppedLate: true, stoppedOn: '2026-02-24', workingDaysUsed: 3, workingDaysRemaining: -1 })
  const onTime = stopClock(clock, calendar, at('2026-02-14'), office, 'decision')
  t.match(clockView(onTime, calendar, at('2026-03-20')), { stopped: true, overdue: false, stoppedLate: false, workingDaysUsed: 2 })
})

t.test('recomputeClock: loading the next year turns a provisional deadline into the final one', async (t) => {
  const upTo2025 = new WorkingDayCalendar(builtinCalendarYears().filter((y) => y.year <= 2025))
  // Mon 2025-12-15 + 20 working days. Weekends only for 2026: 12-16..31 = 12, then 01-01, 01-02, 01-05..09,
  // 01-12 = 20. With the 2026 notice: 01-01..03 off, Sun 01-04 worked: 01-04, 01-05..09, 01-12, 01-13.
  const clock = run([{ op: 'start', date: '2025-12-15', limit: 20 }], upTo2025)
  t.equal(clock.dueDate, '2026-01-12')
  t.equal(clock.provisional, true)
  t.equal(clock.ledger[0]?.provisional, true)
  t.equal(clockView(clock, upTo2025, at('2025-12-20')).provisional, true)

  const recomputed = recomputeClock(clock, calendar)
  t.equal(recomputed.dueDate, '2026-01-13')
  t.equal(recomputed.provisional, false)
  t.equal(recomputed.calendarFingerprint, calendar.fingerprint())
  t.not(recomputed.calendarFingerprint, clock.calendarFingerprint)
  t.same(
    recomputed.ledger.map((e) => [e.kind, e.at, e.reason]),
    clock.ledger.map((e) => [e.kind, e.at, e.reason]),
    'facts unchanged',
  )
  t.equal(clockView(clock, calendar, at('2025-12-20')).dueDate, '2026-01-13', 'the view always uses the calendar it is given')

  // The same through a whole lifecycle state, stages included.
  let state = initialLifecycleState(
    { route: 'joint_review', requiresApproval: true, timeLimit: { amount: 8, unit: 'working_days' }, extension: null, stages: JOINT_STAGES, approvingAuthority: 'road authority' },
    at('2025-12-20'),
  )
  state = applyAction(state, { action: 'accept', payload: {}, actor: office, at: at('2025-12-26') }, upTo2025).state
  // Fri 12-26: 12-29, 30, 31, then provisional 01-01 (4) | 01-02, 01-05 (6) | 01-06 (7) | 01-07 (8).
  t.same(
    state.stages.map((s) => [s.dueDate, s.provisional]),
    [
      ['2026-01-01', true],
      ['2026-01-05', true],
      ['2026-01-06', true],
      ['2026-01-07', true],
    ],
  )
  const fresh = recomputeLifecycle(state, calendar)
  // Official: 12-29, 30, 31, Sun 01-04 (4) | 01-05, 06 (6) | 07 (7) | 08 (8).
  t.same(
    fresh.stages.map((s) => [s.dueDate, s.provisional]),
    [
      ['2026-01-04', false],
      ['2026-01-06', false],
      ['2026-01-07', false],
      ['2026-01-08', false],
    ],
  )
  t.equal(fresh.clock?.dueDate, '2026-01-08')
})

t.test('working days with pauses', async (t) => {
  const pauses = [{ from: '2026-09-29', to: '2026-10-09' }]
  t.same(countActiveWorkingDays(calendar, '2026-09-28', '2026-10-12', pauses), { count: 3, provisional: false }, '09-29, 10-10, 10-12')
  t.same(addActiveWorkingDays(calendar, '2026-09-28', 2, pauses), { date: '2026-10-10', provisional: false })
  t.same(addActiveWorkingDays(calendar, '2026-09-28', 1, pauses), { date: '2026-09-29', provisional: false }, 'reached before the pause')
  t.same(addActiveWorkingDays(calendar, '2026-09-28', 2, [{ from: '2026-09-29', to: null }]), { date: null, provisional: false }, 'open pause: unknown')
  t.same(addActiveWorkingDays(calendar, '2026-09-28', 0, [{ from: '2026-09-28', to: null }]), { date: '2026-09-28', provisional: false })
  t.same(countActiveWorkingDays(calendar, '2026-10-12', '2026-09-28', pauses), { count: 0, provisional: false }, 'reversed span')
})

t.test('joint review stages across the 2026 Spring Festival', async (t) => {
  const plan = {
    route: 'joint_review' as const,
    requiresApproval: true,
    timeLimit: { amount: 8, unit: 'working_days' as const },
    extension: null,
    stages: JOINT_STAGES,
    approvingAuthority: 'road authority',
  }
  const accepted = applyAction(initialLifecycleState(plan, at('2026-02-11')), { action: 'accept', payload: {}, actor: office, at: at('2026-02-12') }, calendar).state
  const dues = (s: typeof accepted) => s.stages.map((x) => x.dueDate)

  await t.test('on schedule: 02-25, 02-27, 02-28 (make-up Saturday), 03-02', async (t) => {
    t.same(dues(accepted), ['2026-02-25', '2026-02-27', '2026-02-28', '2026-03-02'])
    t.equal(accepted.clock?.dueDate, '2026-03-02')
    let s = accepted
    const step = (action: string, payload: Record<string, unknown>, date: string, actor = office) => {
      s = applyAction(s, { action: action as never, payload, actor, at: at(date) }, calendar).state
    }
    step('complete_stage', { stage: 'joint_survey' }, '2026-02-25')
    step('complete_stage', { stage: 'consultation' }, '2026-02-27')
    step('approve', { approvedPosition: 'p', approvedArea: { lengthMeters: 80 }, approvedPeriod: { from: '2026-03-05', to: '2026-03-20' } }, '2026-02-28')
    step('complete_stage', { stage: 'issuance' }, '2026-03-02')
    t.same(dues(s), ['2026-02-25', '2026-02-27', '2026-02-28', '2026-03-02'])
    t.same(
      s.stages.map((x) => x.late),
      [false, false, false, false],
    )
    t.same(
      s.stages.map((x) => x.completedOn),
      ['2026-02-25', '2026-02-27', '2026-02-28', '2026-03-02'],
    )
    t.match(s.clock, { status: 'stopped', dueDate: '2026-03-02' })
    t.equal(s.decision?.withinTimeLimit, true)
    t.equal(s.decision?.permitIssuedAt, '2026-03-02T10:00:00.000+08:00')
  })

  await t.test('a stage completed early moves the next stages forward from its actual end', async (t) => {
    const s = applyAction(accepted, { action: 'complete_stage', payload: { stage: 'joint_survey' }, actor: office, at: at('2026-02-13') }, calendar).state
    // From Fri 02-13: Sat 02-14, Tue 02-24 | 02-25 | 02-26. The statutory due date stays 03-02.
    t.same(dues(s), ['2026-02-25', '2026-02-24', '2026-02-25', '2026-02-26'])
    t.equal(s.stages[0]?.late, false)
    t.equal(s.stages[1]?.startedOn, '2026-02-13')
    t.equal(s.clock?.dueDate, '2026-03-02')
  })

  await t.test('a stage completed late is recorded late and does not push the later stages back', async (t) => {
    const s = applyAction(accepted, { action: 'complete_stage', payload: { stage: 'joint_survey' }, actor: office, at: at('2026-02-26') }, calendar).state
    t.equal(s.stages[0]?.late, true)
    t.same(dues(s), ['2026-02-25', '2026-02-27', '2026-02-28', '2026-03-02'])
    const view = lifecycleView(s, calendar, at('2026-02-28'))
    t.match(view.currentStage, { key: 'consultation', dueDate: '2026-02-27', overdue: true })
    t.equal(view.overdue, true)
  })

  await t.test('a supplement pause shifts the current and later stages', async (t) => {
    let s = applyAction(accepted, { action: 'request_supplement', payload: { items: [{ item: 'traffic plan' }] }, actor: office, at: at('2026-02-13') }, calendar).state
    t.same(dues(s), [null, null, null, null], 'unknown while paused')
    t.equal(lifecycleView(s, calendar, at('2026-03-20')).overdue, false, 'never overdue while paused')
    s = applyAction(s, { action: 'submit_supplement', payload: { documents: ['traffic-plan.pdf'] }, actor: dispatch, at: at('2026-02-25') }, calendar).state
    // 1 day used (02-13); 3 left from Wed 02-25: 02-26, 02-27, Sat 02-28 | 03-02, 03-03 | 03-04 | 03-05.
    t.same(dues(s), ['2026-02-28', '2026-03-03', '2026-03-04', '2026-03-05'])
    t.equal(s.clock?.dueDate, '2026-03-05')
  })
})

t.test('emergency formalities: 24 clock hours, holidays included', async (t) => {
  const notified = at('2026-02-14', '22:00:00')
  t.equal(formalitiesDueAt(notified, 24), '2026-02-15T22:00:00.000+08:00')
  const state = initialLifecycleState(
    { route: 'emergency_repair', requiresApproval: true, timeLimit: { amount: 24, unit: 'hours' }, extension: null, stages: [], approvingAuthority: 'road authority' },
    notified,
  )
  const formalities = state.formalities
  if (formalities === null) throw new Error('expected formalities')
  t.equal(formalities.dueAt, '2026-02-15T22:00:00.000+08:00')
  t.match(formalitiesView(formalities, at('2026-02-15', '22:00:00')), { overdue: false, hoursRemaining: 0 })
  t.match(formalitiesView(formalities, new Date(at('2026-02-15', '22:00:00').getTime() + 1)), { overdue: true, completedLate: null })
  const done = { ...formalities, completedAt: '2026-02-15T23:00:00.000+08:00' }
  t.match(formalitiesView(done, at('2026-02-20')), { overdue: false, completedLate: true, hoursRemaining: null })
})
