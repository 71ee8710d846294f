import t from 'tap'

import { addDays } from '../../../src/core/calendar/civil-date.ts'
import { builtinCalendarYears } from '../../../src/calendar/builtin-schedules.ts'
import { WorkingDayCalendar } from '../../../src/core/calendar/working-day-calendar.ts'
import { DEFAULT_RULE_SET } from '../../../src/core/rules/default-rule-set.ts'
import { type RouteInput, decideRoute } from '../../../src/core/rules/route-decision.ts'
/** The first rule set's route names (rule sets name their own routes). */
type Route = 'emergency_repair' | 'special_approval' | 'commitment_filing' | 'fast_track' | 'joint_review' | 'standard'
import { LifecycleError, actionRoles, allowedActions, applyAction, eventTypes, transitionRequestSchema } from '../../../src/core/lifecycle/case-state-machine.ts'
import { initialLifecycleState, lifecycleView } from '../../../src/core/lifecycle/lifecycle-state.ts'
import { ROLES as roles } from '../../../src/core/access/principal.ts'
import { type Action, type LifecycleState, type Role, actions, caseStatuses } from '../../../src/core/lifecycle/lifecycle.types.ts'

const calendar = new WorkingDayCalendar(builtinCalendarYears())
const actorOf = (role: Role) => ({ keyId: `key-${role}`, role })

const ROUTE_INPUTS: Record<Route, RouteInput> = {
  fast_track: { voltageVolts: 10_000, excavationLengthMeters: 30, emergency: false, roadProtected: false },
  joint_review: { voltageVolts: 10_000, excavationLengthMeters: 80, emergency: false, roadProtected: false },
  standard: { voltageVolts: 35_000, excavationLengthMeters: 30, emergency: false, roadProtected: false },
  special_approval: { voltageVolts: 10_000, excavationLengthMeters: 30, emergency: false, roadProtected: true },
  commitment_filing: { voltageVolts: 380, excavationLengthMeters: 100, emergency: false, roadProtected: false },
  emergency_repair: { voltageVolts: 10_000, excavationLengthMeters: 30, emergency: true, roadProtected: false },
}

const SUBMITTED_AT = new Date('2026-03-02T09:00:00+08:00')

function submitted(route: Route): LifecycleState {
  const decision = decideRoute(DEFAULT_RULE_SET, ROUTE_INPUTS[route])
  if (decision.route !== route) throw new Error(`fixture input for ${route} decided ${decision.route}`)
  return initialLifecycleState(decision, SUBMITTED_AT)
}

/** A payload that is valid for `action` in `state` (the state decides the stage key and the change period). */
function validPayload(state: LifecycleState, action: Action): Record<string, unknown> {
  switch (action) {
    case 'accept':
      return { note: 'complete application' }
    case 'not_accept':
      return { reason: 'not within the power of this office' }
    case 'request_supplement':
      return { items: [{ item: 'traffic management plan', detail: 'signed by the traffic police' }, { item: 'site drawing' }] }
    case 'submit_supplement':
      return { answers: [{ item: 'traffic management plan', answer: 'attached' }], documents: ['tmp-2026-031.pdf'] }
    case 'record_opinion':
      return { department: 'traffic police', opinion: 'agree_with_conditions', conditions: ['night works only'] }
    case 'complete_stage':
      return { stage: state.currentStage ?? 'joint_survey', summary: 'done' }
    case 'approve':
      return {
        approvedPosition: 'Shengli Road east side, from No. 12 to No. 40',
        approvedArea: { lengthMeters: 30, widthMeters: 1.2 },
        approvedPeriod: { from: '2026-03-10', to: '2026-04-30' },
        conditions: ['restore the surface within 3 days'],
        approvedBy: 'Zhang Wei',
        reference: 'ZZ-DIG-2026-001',
      }
    case 'refuse':
      return { reasons: ['the road is scheduled for resurfacing'] }
    case 'withdraw':
      return { reason: 'project postponed' }
    case 'start_works':
    case 'complete_works':
    case 'close':
      return { note: 'reported' }
    case 'inspect_reinstatement':
      return { passed: true, inspector: 'Li Na' }
    case 'revoke_filing':
      return { reason: 'length measured on site is 260 m' }
    case 'complete_formalities':
      return { permitReference: 'ZZ-EM-2026-007' }
    case 'request_change': {
      const to = state.decision?.approvedPeriod?.to ?? '2026-04-30'
      return { kind: 'extend', description: 'rain delays', requestedPeriod: { from: '2026-03-10', to: addDays(to, 14) } }
    }
    case 'approve_change':
      return { note: 'agreed' }
    case 'refuse_change':
      return { reasons: ['the festival traffic plan forbids it'] }
    case 'extend_time_limit':
      return { approver: { name: 'Chen Jie', title: 'Director' }, reason: 'expert review of the crossing' }
  }
}

type Step = Action | [Action, Record<string, unknown>]

/** Runs steps one hour apart, returning every intermediate state (the fixtures) with the time used. */
function walk(route: Route, steps: Step[]): Array<{ name: string; state: LifecycleState; at: Date }> {
  let state = submitted(route)
  let ms = new Date('2026-03-02T10:00:00+08:00').getTime()
  const out = [{ name: `${route}: ${state.status}`, state, at: new Date(ms) }]
  const names: string[] = []
  for (const step of steps) {
    const [action, payload] = typeof step === 'string' ? [step, validPayload(state, step)] : step
    const role = actionRoles[action][0] as Role
    state = applyAction(state, { action, payload, actor: actorOf(role), at: new Date(ms) }, calendar).state
    ms += 3_600_000
    names.push(action)
    out.push({ name: `${route}: ${names.join(' > ')} (${state.status})`, state, at: new Date(ms) })
  }
  return out
}

const fail = ['inspect_reinstatement', { passed: false, inspector: 'Li Na', notes: 'surface sunk 3 cm' }] as Step
const moveChange = ['request_change', { kind: 'move', description: 'a pipe in the way', requestedPosition: 'west side' }] as Step

const PATHS: Array<[Route, Step[]]> = [
  [
    'fast_track',
    [
      'accept',
      'request_supplement',
      'submit_supplement',
      'approve',
      'request_change',
      'approve_change',
      'start_works',
      moveChange,
      'refuse_change',
      'complete_works',
      fail,
      'inspect_reinstatement',
      'close',
    ],
  ],
  ['fast_track', ['not_accept']],
  ['fast_track', ['accept', 'refuse']],
  ['fast_track', ['withdraw']],
  ['fast_track', ['accept', 'request_supplement', 'withdraw']],
  ['fast_track', ['accept', 'withdraw']],
  ['fast_track', ['accept', 'approve', 'start_works', 'request_change', 'complete_works', 'inspect_reinstatement', 'approve_change', 'close']],
  [
    'joint_review',
    [
      'accept',
      'record_opinion',
      'complete_stage',
      'record_opinion',
      'request_supplement',
      'submit_supplement',
      'complete_stage',
      'approve',
      'request_change',
      'refuse_change',
      'complete_stage',
      'start_works',
      'complete_works',
      'inspect_reinstatement',
      'close',
    ],
  ],
  ['joint_review', ['accept', 'complete_stage', 'complete_stage', 'refuse']],
  ['joint_review', ['accept', 'complete_stage', 'withdraw']],
  [
    'standard',
    ['accept', 'extend_time_limit', 'request_supplement', 'submit_supplement', 'approve', 'start_works', 'complete_works', fail, fail, 'inspect_reinstatement', 'close'],
  ],
  ['standard', ['accept', 'request_supplement']],
  ['special_approval', ['accept', 'request_supplement', 'submit_supplement', 'approve', 'start_works', 'complete_works', 'inspect_reinstatement', 'close']],
  ['commitment_filing', ['start_works', 'complete_works', fail, 'inspect_reinstatement', 'close']],
  ['commitment_filing', ['revoke_filing']],
  ['commitment_filing', ['start_works', 'revoke_filing']],
  ['commitment_filing', ['start_works', 'complete_works', 'revoke_filing']],
  ['emergency_repair', ['complete_formalities', 'complete_works', fail, 'inspect_reinstatement', 'close']],
]

const fixtures = PATHS.flatMap(([route, steps]) => walk(route, steps))

/**
 * The transition table restated independently of the implementation (docs/domain.md §4, with the
 * default "4+2+1+1" stage keys), so that the exhaustive test checks the rules and not only that
 * allowedActions and applyAction agree with each other.
 */
function expectedAllowed(state: LifecycleState, role: Role): Action[] {
  const { status, route, currentStage } = state
  const jr = route === 'joint_review'
  const out = new Set<Action>()
  const pending = state.pendingChange !== null
  if (role === 'office') {
    if (status === 'submitted') out.add('accept').add('not_accept')
    if (status === 'accepted') {
      if (!state.supplementRequestedThisRound) out.add('request_supplement')
      if (!jr || currentStage === 'decision') out.add('approve').add('refuse')
      if (jr && (currentStage === 'joint_survey' || currentStage === 'consultation')) out.add('record_opinion').add('complete_stage')
      if (route === 'standard' && state.extension === null) out.add('extend_time_limit')
    }
    if (status === 'approved' && jr && currentStage === 'issuance') out.add('complete_stage')
    if (status === 'works_completed' || status === 'reinstatement_failed') out.add('inspect_reinstatement')
    if (status === 'reinstatement_passed' && !pending) out.add('close')
    if (route === 'commitment_filing' && ['filed', 'works_started', 'works_completed'].includes(status)) out.add('revoke_filing')
    if (pending) out.add('approve_change').add('refuse_change')
  }
  if (role === 'dispatch') {
    if (status === 'supplement_requested') out.add('submit_supplement')
    if (['submitted', 'accepted', 'supplement_requested'].includes(status)) out.add('withdraw')
    if (status === 'filed') out.add('start_works')
    if (status === 'approved' && (!jr || state.stages.find((x) => x.key === 'issuance')?.status === 'completed')) out.add('start_works')
    if (status === 'works_started' || status === 'formalities_completed') out.add('complete_works')
    if (status === 'notified') out.add('complete_formalities')
    if ((status === 'approved' || status === 'works_started') && state.decision?.outcome === 'approved' && !pending) out.add('request_change')
  }
  return actions.filter((a) => out.has(a))
}

t.test('exhaustive: every status × action × role, allowedActions agrees with applyAction', async (t) => {
  t.same([...new Set(fixtures.map((f) => f.state.status))].sort(), [...caseStatuses].sort(), 'the fixtures cover every status')
  let checked = 0
  for (const { name, state, at } of fixtures) {
    const snapshot = JSON.stringify(state)
    const problems: string[] = []
    for (const role of roles) {
      const allowed = allowedActions(state, role)
      if (JSON.stringify(allowed) !== JSON.stringify(expectedAllowed(state, role))) {
        problems.push(`${role}: allowedActions ${allowed.join(',')} but the rules say ${expectedAllowed(state, role).join(',')}`)
      }
      for (const action of actions) {
        checked++
        const actor = actorOf(role)
        const label = `${role} ${action}`
        if (allowed.includes(action)) {
          try {
            const { state: next, event } = applyAction(state, { action, payload: validPayload(state, action), actor, at }, calendar)
            if (event.type !== eventTypes[action]) problems.push(`${label}: event ${event.type}`)
            if (event.fromStatus !== state.status || event.toStatus !== next.status) problems.push(`${label}: event statuses`)
            if (JSON.stringify(JSON.parse(JSON.stringify(next))) !== JSON.stringify(next)) problems.push(`${label}: state not plain JSON`)
          } catch (error) {
            problems.push(`${label}: allowed but threw ${String(error)}`)
          }
          // The payload is checked after role and state.
          try {
            applyAction(state, { action, payload: { bogus: true }, actor, at }, calendar)
            problems.push(`${label}: accepted a bogus payload`)
          } catch (error) {
            if (!(error instanceof LifecycleError) || error.code !== 'invalid_action_payload') problems.push(`${label}: bogus payload gave ${String(error)}`)
            else if ((error.details.issues ?? []).length === 0) problems.push(`${label}: no issues listed`)
          }
        } else {
          const roleMay = actionRoles[action].includes(role)
          const code = roleMay ? 'action_not_allowed' : 'role_not_allowed'
          try {
            // An invalid payload proves role and state are checked before the payload.
            applyAction(state, { action, payload: { bogus: true }, actor, at }, calendar)
            problems.push(`${label}: not allowed but succeeded`)
          } catch (error) {
            if (!(error instanceof LifecycleError)) problems.push(`${label}: threw ${String(error)}`)
            else if (error.code !== code) problems.push(`${label}: code ${error.code}, expected ${code}`)
            else if (roleMay && JSON.stringify(error.details.allowedActions) !== JSON.stringify(allowed)) problems.push(`${label}: allowedActions`)
            else if (!roleMay && JSON.stringify(error.details.allowedRoles) !== JSON.stringify(actionRoles[action])) problems.push(`${label}: allowedRoles`)
          }
        }
      }
    }
    t.same(problems, [], name)
    t.equal(JSON.stringify(state), snapshot, `${name}: the input state is never mutated`)
  }
  t.equal(checked, fixtures.length * actions.length * roles.length)
})

t.test('who may do what: a readable sample of allowedActions', async (t) => {
  const at = (route: Route, steps: Step[]) => walk(route, steps).at(-1)!.state
  const table: Array<[string, LifecycleState, Role, Action[]]> = [
    ['submitted, office', submitted('fast_track'), 'office', ['accept', 'not_accept']],
    ['submitted, dispatch', submitted('fast_track'), 'dispatch', ['withdraw']],
    ['accepted fast track, office', at('fast_track', ['accept']), 'office', ['request_supplement', 'approve', 'refuse']],
    ['accepted standard, office', at('standard', ['accept']), 'office', ['request_supplement', 'approve', 'refuse', 'extend_time_limit']],
    ['standard once extended', at('standard', ['accept', 'extend_time_limit']), 'office', ['request_supplement', 'approve', 'refuse']],
    ['after one supplement round', at('fast_track', ['accept', 'request_supplement', 'submit_supplement']), 'office', ['approve', 'refuse']],
    ['supplement requested, dispatch', at('fast_track', ['accept', 'request_supplement']), 'dispatch', ['submit_supplement', 'withdraw']],
    ['joint survey, office', at('joint_review', ['accept']), 'office', ['request_supplement', 'record_opinion', 'complete_stage']],
    ['decision stage, office', at('joint_review', ['accept', 'complete_stage', 'complete_stage']), 'office', ['request_supplement', 'approve', 'refuse']],
    ['approved, before issuance, office', at('joint_review', ['accept', 'complete_stage', 'complete_stage', 'approve']), 'office', ['complete_stage']],
    ['approved, before issuance, dispatch', at('joint_review', ['accept', 'complete_stage', 'complete_stage', 'approve']), 'dispatch', ['request_change']],
    ['issued, dispatch', at('joint_review', ['accept', 'complete_stage', 'complete_stage', 'approve', 'complete_stage']), 'dispatch', ['start_works', 'request_change']],
    ['change pending, dispatch', at('fast_track', ['accept', 'approve', 'request_change']), 'dispatch', ['start_works']],
    ['change pending, office', at('fast_track', ['accept', 'approve', 'request_change']), 'office', ['approve_change', 'refuse_change']],
    ['filed, office', submitted('commitment_filing'), 'office', ['revoke_filing']],
    ['filed, dispatch', submitted('commitment_filing'), 'dispatch', ['start_works']],
    ['notified, dispatch', submitted('emergency_repair'), 'dispatch', ['complete_formalities']],
    ['notified, office', submitted('emergency_repair'), 'office', []],
    ['reinstatement failed, office', at('fast_track', ['accept', 'approve', 'start_works', 'complete_works', fail]), 'office', ['inspect_reinstatement']],
    ['closed, office', at('fast_track', ['accept', 'approve', 'start_works', 'complete_works', 'inspect_reinstatement', 'close']), 'office', []],
  ]
  for (const [name, state, role, expected] of table) t.same(allowedActions(state, role), expected, name)
  for (const { state } of fixtures) {
    t.same(allowedActions(state, 'auditor'), [], 'auditors change nothing')
    t.same(allowedActions(state, 'admin'), [], 'admins change no case')
  }
})

function statusesOf(route: Route, steps: Step[]): string[] {
  return walk(route, steps).map((f) => f.state.status)
}

t.test('happy paths, end to end, for every route', async (t) => {
  t.same(statusesOf('fast_track', ['accept', 'approve', 'start_works', 'complete_works', 'inspect_reinstatement', 'close']), [
    'submitted',
    'accepted',
    'approved',
    'works_started',
    'works_completed',
    'reinstatement_passed',
    'closed',
  ])
  t.same(
    statusesOf('joint_review', [
      'accept',
      'record_opinion',
      'complete_stage',
      'complete_stage',
      'approve',
      'complete_stage',
      'start_works',
      'complete_works',
      'inspect_reinstatement',
      'close',
    ]),
    ['submitted', 'accepted', 'accepted', 'accepted', 'accepted', 'approved', 'approved', 'works_started', 'works_completed', 'reinstatement_passed', 'closed'],
  )
  t.same(statusesOf('standard', ['accept', 'extend_time_limit', 'approve', 'start_works', 'complete_works', 'inspect_reinstatement', 'close']), [
    'submitted',
    'accepted',
    'accepted',
    'approved',
    'works_started',
    'works_completed',
    'reinstatement_passed',
    'closed',
  ])
  t.same(statusesOf('special_approval', ['accept', 'approve', 'start_works', 'complete_works', 'inspect_reinstatement', 'close']), [
    'submitted',
    'accepted',
    'approved',
    'works_started',
    'works_completed',
    'reinstatement_passed',
    'closed',
  ])
  t.same(statusesOf('commitment_filing', ['start_works', 'complete_works', fail, 'inspect_reinstatement', 'close']), [
    'filed',
    'works_started',
    'works_completed',
    'reinstatement_failed',
    'reinstatement_passed',
    'closed',
  ])
  t.same(statusesOf('emergency_repair', ['complete_formalities', 'complete_works', 'inspect_reinstatement', 'close']), [
    'notified',
    'formalities_completed',
    'works_completed',
    'reinstatement_passed',
    'closed',
  ])

  const jr = walk('joint_review', ['accept', 'record_opinion', 'complete_stage', 'complete_stage', 'approve', 'complete_stage', 'start_works']).at(-1)!.state
  t.same(
    jr.stages.map((s) => s.status),
    ['completed', 'completed', 'completed', 'completed'],
  )
  t.equal(jr.stages[0]?.opinions.length, 1)
  t.equal(jr.currentStage, null)
  t.equal(jr.clock?.status, 'stopped')
  t.match(jr.decision, { outcome: 'approved', withinTimeLimit: true, authority: /市政工程/, permitIssuedAt: /^2026-03-02T/ })

  const special = walk('special_approval', ['accept', 'approve']).at(-1)!.state
  t.match(special.clock, { limitWorkingDays: null, dueDate: null, status: 'stopped' }, 'tracked, not promised')
  t.equal(special.decision?.withinTimeLimit, null)
  t.match(special.decision?.authority, /人民政府/)

  const filed = submitted('commitment_filing')
  t.equal(filed.clock, null)
  const emergency = submitted('emergency_repair')
  t.match(emergency, { works: { startedAt: '2026-03-02T09:00:00.000+08:00' }, formalities: { dueAt: '2026-03-03T09:00:00.000+08:00' } })
})

t.test('events carry what changed', async (t) => {
  const state = submitted('fast_track')
  const { event } = applyAction(state, { action: 'accept', payload: { note: '  ok  ' }, actor: actorOf('office'), at: new Date('2026-02-12T10:00:00+08:00') }, calendar)
  t.match(event, {
    type: 'case.accepted',
    fromStatus: 'submitted',
    toStatus: 'accepted',
    payload: {
      input: { note: 'ok' },
      acceptanceRound: 1,
      clock: {
        entries: [{ kind: 'start', date: '2026-02-12', dueDate: '2026-02-14', actor: { keyId: 'key-office', role: 'office' } }],
        dueDate: '2026-02-14',
        dueAt: '2026-02-14T23:59:59.999+08:00',
        workingDaysRemaining: 2,
      },
    },
  })
  t.notOk('action' in (event.payload.input as object), 'the action is not repeated in the input')
})

t.test('rules with their own refusal', async (t) => {
  const office = actorOf('office')
  const run = (state: LifecycleState, action: Action, payload: Record<string, unknown>, actor = office) =>
    applyAction(state, { action, payload, actor, at: new Date('2026-03-05T10:00:00+08:00') }, calendar)
  const codeOf = (f: () => unknown) => {
    try {
      f()
      return 'ok'
    } catch (error) {
      return error instanceof LifecycleError ? error.code : String(error)
    }
  }

  await t.test('one supplement request per acceptance round (行政许可法 art. 32)', async (t) => {
    const state = walk('fast_track', ['accept', 'request_supplement', 'submit_supplement']).at(-1)!.state
    t.equal(state.acceptanceRound, 1)
    t.equal(state.supplementRequestedThisRound, true)
    t.throws(() => run(state, 'request_supplement', validPayload(state, 'request_supplement')), { code: 'action_not_allowed', message: /art\. 32/ })
    t.equal(
      codeOf(() => run(walk('fast_track', ['accept']).at(-1)!.state, 'request_supplement', { items: [] })),
      'invalid_action_payload',
      'an empty list',
    )
  })

  await t.test('joint review stage guards', async (t) => {
    const state = walk('joint_review', ['accept']).at(-1)!.state
    t.throws(() => run(state, 'complete_stage', { stage: 'consultation' }), { code: 'invalid_action_payload', details: { issues: [{ path: 'stage' }] } })
    t.throws(() => run(state, 'approve', validPayload(state, 'approve')), { code: 'action_not_allowed', message: /decision stage|decision/ })
    const approved = walk('joint_review', ['accept', 'complete_stage', 'complete_stage', 'approve']).at(-1)!.state
    t.throws(() => run(approved, 'start_works', {}, actorOf('dispatch')), { code: 'action_not_allowed', message: /permit is issued/ })
    t.equal(approved.clock?.status, 'running', 'the clock runs through issuance')
    const refused = walk('joint_review', ['accept', 'complete_stage', 'complete_stage', 'refuse']).at(-1)!.state
    t.same(
      refused.stages.map((s) => s.status),
      ['completed', 'completed', 'completed', 'cancelled'],
    )
    t.equal(refused.stages[3]?.dueDate, null, 'issuance never started')
    t.equal(refused.clock?.status, 'stopped')
  })

  await t.test('the extension is once, on the standard route, with the approver named (行政许可法 art. 42)', async (t) => {
    const accepted = walk('standard', ['accept']).at(-1)!.state
    t.throws(() => run(accepted, 'extend_time_limit', { reason: 'x' }), { code: 'invalid_action_payload' })
    const extended = run(accepted, 'extend_time_limit', validPayload(accepted, 'extend_time_limit')).state
    t.equal(extended.clock?.limitWorkingDays, 30)
    t.match(extended.extension, { workingDays: 10, approver: { name: 'Chen Jie', title: 'Director' } })
    t.throws(() => run(extended, 'extend_time_limit', validPayload(extended, 'extend_time_limit')), { code: 'action_not_allowed', message: /once/ })
    const fast = walk('fast_track', ['accept']).at(-1)!.state
    t.throws(() => run(fast, 'extend_time_limit', validPayload(fast, 'extend_time_limit')), { code: 'action_not_allowed', message: /no extension/ })
  })

  await t.test('an approved change rewrites the binding decision (城市道路管理条例 art. 36)', async (t) => {
    const state = walk('fast_track', ['accept', 'approve', moveChange, 'approve_change']).at(-1)!.state
    t.equal(state.decision?.approvedPosition, 'west side')
    t.match(state.changes, [{ id: 1, kind: 'move', status: 'approved', previous: { position: 'Shengli Road east side, from No. 12 to No. 40' } }])
    t.equal(state.pendingChange, null)
    const extended = walk('fast_track', ['accept', 'approve', 'request_change', 'approve_change']).at(-1)!.state
    t.same(extended.decision?.approvedPeriod, { from: '2026-03-10', to: '2026-05-14' })
    const approved = walk('fast_track', ['accept', 'approve']).at(-1)!.state
    t.throws(() => run(approved, 'request_change', { kind: 'extend', description: 'x', requestedPeriod: { from: '2026-03-10', to: '2026-04-01' } }, actorOf('dispatch')), {
      code: 'invalid_action_payload',
      details: { issues: [{ path: 'requestedPeriod.to' }] },
    })
  })

  await t.test('payload validation', async (t) => {
    const accepted = walk('fast_track', ['accept']).at(-1)!.state
    const bad = { ...validPayload(accepted, 'approve'), approvedPeriod: { from: '2026-04-30', to: '2026-03-10' } }
    t.throws(() => run(accepted, 'approve', bad), { code: 'invalid_action_payload', details: { issues: [{ path: 'approvedPeriod.to', message: 'must not be before from' }] } })
    t.throws(() => run(accepted, 'approve', { ...validPayload(accepted, 'approve'), approvedPeriod: { from: '2026-02-30', to: '2026-03-10' } }), { code: 'invalid_action_payload' })
    t.throws(() => run(accepted, 'refuse', { reasons: [] }), { code: 'invalid_action_payload' })
    t.throws(() => run(accepted, 'refuse', { reasons: ['   '] }), { code: 'invalid_action_payload' })
    t.throws(() => run(accepted, 'refuse', null as never), { code: 'invalid_action_payload' })
    const jr = walk('joint_review', ['accept']).at(-1)!.state
    t.throws(() => run(jr, 'record_opinion', { department: 'traffic police', opinion: 'object' }), { code: 'invalid_action_payload', details: { issues: [{ path: 'comments' }] } })
    const decision = decideRoute(DEFAULT_RULE_SET, ROUTE_INPUTS.fast_track)
    const noAuthority = applyAction(
      initialLifecycleState({ ...decision, approvingAuthority: null }, SUBMITTED_AT),
      { action: 'accept', payload: {}, actor: office, at: new Date('2026-03-03T10:00:00+08:00') },
      calendar,
    ).state
    t.throws(() => run(noAuthority, 'approve', validPayload(noAuthority, 'approve')), { code: 'invalid_action_payload', details: { issues: [{ path: 'authority' }] } })
    t.equal(run(noAuthority, 'approve', { ...validPayload(noAuthority, 'approve'), authority: 'Road Bureau' }).state.decision?.authority, 'Road Bureau')
  })

  await t.test('the HTTP body schema is a discriminated union on action', async (t) => {
    t.ok(transitionRequestSchema.safeParse({ action: 'accept' }).success)
    t.ok(transitionRequestSchema.safeParse({ action: 'refuse', reasons: ['x'] }).success)
    t.notOk(transitionRequestSchema.safeParse({ action: 'refuse', reasons: ['x'], extra: 1 }).success, 'strict')
    t.notOk(transitionRequestSchema.safeParse({ action: 'fly' }).success)
    for (const action of actions) {
      const state = submitted('fast_track')
      t.ok(transitionRequestSchema.safeParse({ action, ...validPayload(state, action) }).success, `${action} sample payload`)
    }
  })
})

t.test('overdue is reported, never approved by default', async (t) => {
  const accepted = applyAction(submitted('fast_track'), { action: 'accept', payload: {}, actor: actorOf('office'), at: new Date('2026-02-12T10:00:00+08:00') }, calendar).state
  const late = new Date('2026-02-25T10:00:00+08:00')
  const view = lifecycleView(accepted, calendar, late)
  t.match(view, { status: 'accepted', overdue: true, clock: { overdue: true, dueDate: '2026-02-14', workingDaysRemaining: -2 } })
  t.same(allowedActions(accepted, 'office'), ['request_supplement', 'approve', 'refuse'], 'still waiting for a decision')
  const approved = applyAction(accepted, { action: 'approve', payload: validPayload(accepted, 'approve'), actor: actorOf('office'), at: late }, calendar)
  t.equal(approved.state.decision?.withinTimeLimit, false)
  t.equal(approved.event.payload.withinTimeLimit, false)
  t.equal(approved.event.payload.dueDateAtDecision, '2026-02-14')
})
