/**
 * Every rule set the validator accepts can be run: for generated rule sets (test/helpers/rule-set-arbitrary.ts),
 * each route the rule set decides takes a case from submission through its whole lifecycle — the forward
 * path to `closed`, and random walks over whatever actions the state allows — with every step either
 * applied or refused with a LifecycleError (a 4xx at the HTTP edge), and the case's view, timeline and SLA
 * facts computable after every step. Nothing else may be thrown: that would be a 5xx.
 *
 * Pure core: no database. LIFECYCLE_RUNS (default 150) sets the number of rule sets.
 */
import fc from 'fast-check'
import t from 'tap'
import { addDays, formatShanghaiInstant, shanghaiDateOf } from '../../../src/core/calendar/civil-date.ts'
import { WorkingDayCalendar } from '../../../src/core/calendar/working-day-calendar.ts'
import { builtinCalendarYears } from '../../../src/calendar/builtin-schedules.ts'
import { allowedActions, applyAction, LifecycleError } from '../../../src/core/lifecycle/case-state-machine.ts'
import { initialLifecycleState, lifecycleView } from '../../../src/core/lifecycle/lifecycle-state.ts'
import type { Action, LifecycleState, Role } from '../../../src/core/lifecycle/lifecycle.types.ts'
import { finalStatuses } from '../../../src/core/lifecycle/lifecycle.types.ts'
import { buildTimeline } from '../../../src/core/lifecycle/timeline.ts'
import { slaColumnsOf } from '../../../src/core/reports/sla-facts.ts'
import { decideRoute, type RouteDecision } from '../../../src/core/rules/route-decision.ts'
import type { Route } from '../../../src/core/rules/rule-set.schema.ts'
import { parseRuleSet } from '../../../src/core/rules/rule-set.validation.ts'
import { probeInputs, ruleSetArb } from '../../helpers/rule-set-arbitrary.ts'

const RUNS = Number(process.env.LIFECYCLE_RUNS ?? 150)
const calendar = new WorkingDayCalendar(builtinCalendarYears())
const START = new Date('2026-02-12T02:00:00Z')
const HOUR_MS = 3_600_000

/** A valid payload for each action, given the state (the stage to complete, the period to extend). */
function payloadFor(action: Action, state: LifecycleState, at: Date, passed: boolean): Record<string, unknown> {
  const today = shanghaiDateOf(at)
  switch (action) {
    case 'not_accept':
    case 'revoke_filing':
      return { reason: 'incomplete' }
    case 'request_supplement':
      return { items: [{ item: 'traffic diversion plan' }] }
    case 'submit_supplement':
      return { documents: ['plan.pdf'] }
    case 'record_opinion':
      return { department: 'Traffic police', opinion: 'agree' }
    case 'complete_stage':
      return { stage: state.currentStage }
    case 'approve':
      // An authority is named: a generated route may have none of its own.
      return {
        approvedPosition: 'north side',
        approvedArea: { lengthMeters: 30, widthMeters: 0.8 },
        approvedPeriod: { from: today, to: addDays(today, 30) },
        authority: 'Road authority',
      }
    case 'refuse':
    case 'refuse_change':
      return { reasons: ['not compliant'] }
    case 'inspect_reinstatement':
      return { passed, inspector: 'Chen', notes: passed ? undefined : 'surface not restored' }
    case 'complete_formalities':
      return { permitReference: 'P-1' }
    case 'request_change': {
      const to = state.decision?.approvedPeriod?.to ?? today
      return { kind: 'extend', description: 'more time', requestedPeriod: { from: state.decision?.approvedPeriod?.from ?? today, to: addDays(to, 10) } }
    }
    case 'extend_time_limit':
      return { approver: { name: 'Wang', title: 'Director' }, reason: 'complex site' }
    default:
      return {}
  }
}

const actorOf = (action: Action, state: LifecycleState): { keyId: string; role: Role } | null => {
  for (const role of ['office', 'dispatch'] as const) if (allowedActions(state, role).includes(action)) return { keyId: role, role }
  return null
}

/** Everything that reads a stored case: must never throw. */
function readAll(state: LifecycleState, at: Date): void {
  lifecycleView(state, calendar, at)
  buildTimeline(state, calendar, at)
  slaColumnsOf(state, calendar)
  JSON.parse(JSON.stringify(state))
}

/** The forward path: the first allowed action of this list, until closed. */
const FORWARD: Action[] = ['accept', 'complete_stage', 'approve', 'complete_formalities', 'start_works', 'complete_works', 'inspect_reinstatement', 'close']

function runForward(decision: RouteDecision): LifecycleState {
  let at = START
  let state = initialLifecycleState(decision, at)
  readAll(state, at)
  for (let step = 0; step < 40 && state.status !== 'closed'; step++) {
    const action = FORWARD.find((a) => actorOf(a, state) !== null)
    if (action === undefined) throw new Error(`stuck in ${state.status}: allowed ${JSON.stringify(['office', 'dispatch'].map((r) => allowedActions(state, r as Role)))}`)
    at = new Date(at.getTime() + 20 * HOUR_MS)
    state = applyAction(state, { action, payload: payloadFor(action, state, at, true), actor: actorOf(action, state)!, at }, calendar).state
    readAll(state, at)
  }
  return state
}

interface Step {
  pick: number
  hours: number
  passed: boolean
}

function runWalk(decision: RouteDecision, steps: Step[]): void {
  let at = START
  let state = initialLifecycleState(decision, at)
  for (const step of steps) {
    if (finalStatuses.includes(state.status)) return
    const choices = (['office', 'dispatch'] as const).flatMap((role) => allowedActions(state, role).map((action) => ({ action, role })))
    if (choices.length === 0) throw new Error(`no action is allowed in ${state.status}, which is not final`)
    const { action, role } = choices[step.pick % choices.length]!
    at = new Date(at.getTime() + step.hours * HOUR_MS)
    try {
      state = applyAction(state, { action, payload: payloadFor(action, state, at, step.passed), actor: { keyId: role, role }, at }, calendar).state
    } catch (error) {
      // A refusal is an answer (4xx); an allowed action with a valid payload should not even be refused.
      if (!(error instanceof LifecycleError)) throw error
      throw new Error(`${action} was allowed in ${state.status} but refused: ${error.message}`)
    }
    readAll(state, at)
  }
}

t.test('every rule set the validator accepts runs a case of each of its routes through the whole lifecycle', async (t) => {
  let accepted = 0
  let refused = 0
  const routesRun = new Map<Route, number>()
  await fc.assert(
    fc.property(
      ruleSetArb,
      fc.array(fc.record({ pick: fc.nat(), hours: fc.integer({ min: 0, max: 200 }), passed: fc.boolean() }), { minLength: 40, maxLength: 40 }),
      (candidate, steps) => {
        const parsed = parseRuleSet(JSON.parse(JSON.stringify(candidate)))
        if (!parsed.ok) {
          refused++
          return
        }
        accepted++
        const decisions = new Map<Route, RouteDecision>()
        for (const input of probeInputs(parsed.ruleSet)) {
          const decision = decideRoute(parsed.ruleSet, input)
          if (!decisions.has(decision.route)) decisions.set(decision.route, decision)
        }
        for (const [route, decision] of decisions) {
          routesRun.set(route, (routesRun.get(route) ?? 0) + 1)
          const end = runForward(decision)
          if (end.status !== 'closed') throw new Error(`${route}: the forward path ended in ${end.status}`)
          runWalk(decision, steps)
        }
      },
    ),
    { numRuns: RUNS },
  )
  t.ok(accepted >= RUNS / 5, `${accepted} generated rule sets accepted, ${refused} refused`)
  t.ok(refused >= RUNS / 10, 'the generator also makes rule sets the validator refuses')
  t.same([...routesRun.keys()].sort(), ['commitment_filing', 'emergency_repair', 'fast_track', 'joint_review', 'special_approval', 'standard'], 'every route was run')
  t.comment(`cases run per route: ${[...routesRun].map(([r, n]) => `${r}×${n}`).join(' ')}`)
})

t.test('the single-stage joint review, which once made every intake under it a 500, is refused', async (t) => {
  const base = JSON.parse(JSON.stringify((await import('../../../src/core/rules/default-rule-set.ts')).DEFAULT_RULE_SET))
  base.parameters.jointReviewStages = [{ key: 'all', workingDays: 8, name: 'all', description: 'all at once' }]
  const parsed = parseRuleSet(base)
  t.notOk(parsed.ok)
  t.match(parsed.ok ? [] : parsed.issues, [{ path: 'parameters.jointReviewStages', message: /at least 2 stages/ }])
  t.equal(formatShanghaiInstant(START), '2026-02-12T10:00:00.000+08:00')
})
