import t from 'tap'
import { builtinCalendarYears } from '../../../src/calendar/builtin-schedules.ts'
import { compareWithReplay, replayCaseEvents, type ReplayableEvent } from '../../../src/core/audit/case-replay.ts'
import { WorkingDayCalendar } from '../../../src/core/calendar/working-day-calendar.ts'
import { applyAction } from '../../../src/core/lifecycle/case-state-machine.ts'
import { initialLifecycleState } from '../../../src/core/lifecycle/lifecycle-state.ts'
import type { LifecycleState } from '../../../src/core/lifecycle/lifecycle.types.ts'
import { DEFAULT_RULE_SET } from '../../../src/core/rules/default-rule-set.ts'
import { decideRoute } from '../../../src/core/rules/route-decision.ts'

const calendar = new WorkingDayCalendar(builtinCalendarYears())
const decision = decideRoute(DEFAULT_RULE_SET, { voltageVolts: 10_000, excavationLengthMeters: 30, emergency: false, roadProtected: false })
const at = (day: number) => new Date(`2026-03-0${day}T10:00:00+08:00`)

/** A history written the way the service writes it, and the state it left. */
function history(): { events: ReplayableEvent[]; state: LifecycleState } {
  let state = initialLifecycleState(decision, at(2))
  const events: ReplayableEvent[] = [
    { seq: 1, type: `case.${state.status}`, toStatus: state.status, actorKeyId: 'k1', actorRole: 'dispatch', occurredAt: at(2), payload: { decision } },
  ]
  const steps: [string, Record<string, unknown>, number][] = [
    ['accept', { note: 'complete' }, 3],
    ['approve', { approvedPosition: 'north side', approvedArea: { lengthMeters: 30 }, approvedPeriod: { from: '2026-03-09', to: '2026-03-13' } }, 4],
  ]
  for (const [action, input, day] of steps) {
    const result = applyAction(state, { action: action as 'accept', payload: input, actor: { keyId: 'k2', role: 'office' }, at: at(day) }, calendar)
    state = result.state
    events.push({
      seq: events.length + 1,
      type: result.event.type,
      toStatus: result.event.toStatus,
      actorKeyId: 'k2',
      actorRole: 'office',
      occurredAt: at(day),
      payload: { action, ...result.event.payload },
    })
  }
  events.push({ seq: events.length + 1, type: 'case.overdue', toStatus: state.status, actorKeyId: null, actorRole: 'system', occurredAt: at(5), payload: {} })
  return { events, state }
}

t.test('a replay of the events gives the stored state', async (t) => {
  const { events, state } = history()
  const replay = replayCaseEvents(events, calendar)
  t.ok(replay.ok)
  if (!replay.ok) return
  t.equal(replay.state.status, 'approved')
  t.same(
    compareWithReplay({ status: 'approved', version: 4, lifecycle: JSON.parse(JSON.stringify(state)) }, replay.state, events.length, calendar),
    [],
    'a JSON round trip changes nothing',
  )
})

t.test('what a differing case row is reported as', async (t) => {
  const { events, state } = history()
  const replay = replayCaseEvents(events, calendar)
  if (!replay.ok) throw new Error('replay failed')
  const cases: [string, { status: string; version: number; lifecycle: LifecycleState }, RegExp[]][] = [
    ['status column', { status: 'refused', version: 4, lifecycle: state }, [/^status is refused, the events lead to approved$/]],
    ['version', { status: 'approved', version: 3, lifecycle: state }, [/^version is 3, the case has 4 events$/]],
    [
      'clock ledger',
      { status: 'approved', version: 4, lifecycle: { ...state, clock: state.clock && { ...state.clock, ledger: state.clock.ledger.slice(0, 1) } } },
      [/differs from the replay in: clock/],
    ],
    ['decision', { status: 'approved', version: 4, lifecycle: { ...state, decision: null } }, [/differs from the replay in: decision/]],
    ['lifecycle status', { status: 'approved', version: 4, lifecycle: { ...state, status: 'accepted' } }, [/in: status$/]],
  ]
  for (const [label, stored, expected] of cases) {
    const differences = compareWithReplay(stored, replay.state, events.length, calendar)
    t.equal(differences.length, expected.length, `${label}: ${differences.join(' | ')}`)
    for (const [index, pattern] of expected.entries()) t.match(differences[index], pattern, label)
  }
})

t.test('histories that do not replay say which event and why', async (t) => {
  const { events } = history()
  const cases: [string, ReplayableEvent[], RegExp][] = [
    ['no events', [], /no events/],
    ['no decision in the first event', [{ ...(events[0] as ReplayableEvent), payload: {} }], /route decision/],
    ['an unknown action', [events[0] as ReplayableEvent, { ...(events[1] as ReplayableEvent), payload: { action: 'bribe' } }], /event 2 .* not a transition/],
    ['an action the state does not allow', [events[0] as ReplayableEvent, events[2] as ReplayableEvent], /event 3 \(case.approved\) does not replay: approve is not allowed now/],
    ['a wrong toStatus', [events[0] as ReplayableEvent, { ...(events[1] as ReplayableEvent), toStatus: 'approved' }], /says the case became approved; replayed, it is accepted/],
    ['another actor role', [events[0] as ReplayableEvent, { ...(events[1] as ReplayableEvent), actorRole: 'dispatch' }], /does not replay/],
  ]
  for (const [label, list, pattern] of cases) {
    const replay = replayCaseEvents(list, calendar)
    t.notOk(replay.ok, label)
    if (!replay.ok) t.match(replay.detail, pattern, label)
  }
})
