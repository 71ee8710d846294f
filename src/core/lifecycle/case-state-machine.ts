/**
 * The case lifecycle as a pure state machine (docs/domain.md §4).
 *
 * applyAction checks, in this order: the role may take the action at all (role_not_allowed), the case's
 * state allows it now (action_not_allowed, with the actions that are allowed), the payload is valid
 * (invalid_action_payload, with field issues). It then returns the new state (the input is never
 * mutated) and the event to append to the case history. Deadlines are recomputed from the facts with the
 * calendar on every action, so the state's derived fields are always those of the current calendar.
 *
 * Decisions taken here where the sources leave room:
 * - One acceptance is one acceptance round, and a resubmitted supplement does not open a new one: 行政许可法
 *   art. 32 requires everything missing to be asked for once, completely; a second request in the same
 *   round is action_not_allowed.
 * - Joint-review stages are known by position in the plan: every stage before the last two is a review
 *   stage (department opinions are recorded, the stage is completed with complete_stage); the one before
 *   the last is the decision (completed by approve or refuse); the last is the issuance of the permit
 *   (completed by complete_stage, which stops the clock: the 8 working days include issuance).
 * - Overdue never means approved (no deemed approval in Chinese law): being late is reported, and the
 *   decision records whether it came within the time limit.
 */
import { formatShanghaiInstant, parseInstant, shanghaiDateOf } from '../calendar/civil-date.ts'
import type { WorkingDayCalendar } from '../calendar/working-day-calendar.ts'
import { requireBehaviour } from '../rules/route-behaviour.ts'
import { dueAtOf, extendClock, pauseClock, resumeClock, startClock, stopClock } from './statutory-clock.ts'
import { currentStageIndex, decisionStageIndex, dueDateInForceAt, issuanceStageIndex, recomputeLifecycle } from './lifecycle-state.ts'
import { type Action, type Actor, type CaseStatus, type ChangeRequestRecord, type ClockLedgerEntry, type LifecycleState, type Role, actions } from './lifecycle.types.ts'
import { type TransitionPayload, type TransitionRequest, transitionRequestSchemas } from './transition.schema.ts'
import { fieldIssuesOf, type FieldIssue } from '../validation/field-issue.ts'

export * from './transition.schema.ts'

/** Who may take each action (docs/domain.md §4). Auditors and admins change no case. */
export const actionRoles: Record<Action, Role[]> = {
  accept: ['office'],
  not_accept: ['office'],
  request_supplement: ['office'],
  submit_supplement: ['dispatch'],
  record_opinion: ['office'],
  complete_stage: ['office'],
  approve: ['office'],
  refuse: ['office'],
  withdraw: ['dispatch'],
  start_works: ['dispatch'],
  complete_works: ['dispatch'],
  inspect_reinstatement: ['office'],
  close: ['office'],
  revoke_filing: ['office'],
  complete_formalities: ['dispatch'],
  request_change: ['dispatch'],
  approve_change: ['office'],
  refuse_change: ['office'],
  extend_time_limit: ['office'],
}

/** The event type written for each action. */
export const eventTypes: Record<Action, string> = {
  accept: 'case.accepted',
  not_accept: 'case.not_accepted',
  request_supplement: 'case.supplement_requested',
  submit_supplement: 'case.supplement_submitted',
  record_opinion: 'case.opinion_recorded',
  complete_stage: 'case.stage_completed',
  approve: 'case.approved',
  refuse: 'case.refused',
  withdraw: 'case.withdrawn',
  start_works: 'case.works_started',
  complete_works: 'case.works_completed',
  inspect_reinstatement: 'case.reinstatement_inspected',
  close: 'case.closed',
  revoke_filing: 'case.filing_revoked',
  complete_formalities: 'case.formalities_completed',
  request_change: 'case.change_requested',
  approve_change: 'case.change_approved',
  refuse_change: 'case.change_refused',
  extend_time_limit: 'case.time_limit_extended',
}

export type LifecycleErrorCode = 'role_not_allowed' | 'action_not_allowed' | 'invalid_action_payload'

/**
 * A refused transition. HTTP mapping suggested: role_not_allowed 403, action_not_allowed 409,
 * invalid_action_payload 422.
 */
export class LifecycleError extends Error {
  override name = 'LifecycleError'
  constructor(
    readonly code: LifecycleErrorCode,
    message: string,
    readonly action: Action,
    readonly details: {
      /** role_not_allowed: the roles that may take the action. */
      allowedRoles?: Role[]
      /** action_not_allowed: what this role may do in this state. */
      allowedActions?: Action[]
      status?: CaseStatus
      /** invalid_action_payload: every problem found. */
      issues?: FieldIssue[]
    } = {},
  ) {
    super(message)
  }
}

// ---------------------------------------------------------------------------------------------------
// What the state allows
// ---------------------------------------------------------------------------------------------------

const PRE_DECISION: readonly CaseStatus[] = ['submitted', 'accepted', 'supplement_requested']

/**
 * Why the case's state does not allow `action` now (whoever asks), or null when it does.
 */
function blockedReason(state: LifecycleState, action: Action): string | null {
  const { status } = state
  const staged = state.stages.length > 0
  const current = currentStageIndex(state)
  const decisionIdx = decisionStageIndex(state)
  const issuanceIdx = issuanceStageIndex(state)
  const only = (allowed: readonly CaseStatus[], what: string): string | null =>
    allowed.includes(status) ? null : `${what} only when the case is ${allowed.join(' or ')}; it is ${status}`

  switch (action) {
    case 'accept':
    case 'not_accept':
      return only(['submitted'], 'a case is accepted or not accepted')
    case 'request_supplement':
      if (status !== 'accepted') return only(['accepted'], 'a supplement is requested')
      return state.supplementRequestedThisRound
        ? 'a supplement was already requested in this acceptance round: 行政许可法 art. 32 requires everything missing to be asked for once'
        : null
    case 'submit_supplement':
      return only(['supplement_requested'], 'a supplement is submitted')
    case 'record_opinion':
      if (!staged) return 'department opinions are recorded only in a joint review'
      if (status !== 'accepted') return only(['accepted'], 'an opinion is recorded')
      return current >= 0 && current < decisionIdx ? null : `opinions are recorded only in the review stages, not in ${state.currentStage}`
    case 'complete_stage':
      if (!staged) return 'only a joint review has stages'
      if (status === 'accepted' && current >= 0 && current < decisionIdx) return null
      if (status === 'approved' && current === issuanceIdx) return null
      return status === 'accepted' && current === decisionIdx
        ? 'the decision stage is completed by approve or refuse'
        : `no stage can be completed now (status ${status}, current stage ${state.currentStage ?? 'none'})`
    case 'approve':
    case 'refuse':
      if (status !== 'accepted') return only(['accepted'], 'a decision is taken')
      if (staged && current !== decisionIdx) {
        return `in a joint review the decision is taken in the ${state.stages[decisionIdx]?.key} stage; the current stage is ${state.currentStage}`
      }
      return null
    case 'withdraw':
      return only(PRE_DECISION, 'the applicant withdraws before a decision')
    case 'start_works':
      if (status === 'filed') return null
      if (status !== 'approved') return only(['approved', 'filed'], 'works start')
      if (staged && state.stages[issuanceIdx]?.status !== 'completed') return 'works start only after the permit is issued (complete the issuance stage)'
      return null
    case 'complete_works':
      return only(['works_started', 'formalities_completed'], 'works are completed')
    case 'inspect_reinstatement':
      return only(['works_completed', 'reinstatement_failed'], 'the reinstatement is inspected')
    case 'close':
      if (status !== 'reinstatement_passed') return only(['reinstatement_passed'], 'a case is closed')
      return state.pendingChange === null ? null : `change request ${state.pendingChange.id} is still pending; decide it before closing`
    case 'revoke_filing':
      if (requireBehaviour(state) !== 'commitment_filing') return 'only a commitment filing can be revoked'
      return only(['filed', 'works_started', 'works_completed'], 'a filing is revoked')
    case 'complete_formalities':
      return only(['notified'], 'the emergency formalities are completed')
    case 'request_change':
      if (state.decision?.outcome !== 'approved') return 'only approved works can be changed'
      if (status !== 'approved' && status !== 'works_started') return only(['approved', 'works_started'], 'a change is requested')
      return state.pendingChange === null ? null : `change request ${state.pendingChange.id} is still pending`
    case 'approve_change':
    case 'refuse_change':
      return state.pendingChange === null ? 'no change request is pending' : null
    case 'extend_time_limit':
      if (state.plan.extension === null || state.plan.extension.unit !== 'working_days') return `the ${state.route} route allows no extension of its time limit`
      if (status !== 'accepted') return only(['accepted'], 'the time limit is extended')
      if (state.extension !== null) return 'the time limit was already extended; 行政许可法 art. 42 allows it once'
      return state.clock?.limitWorkingDays == null ? 'the clock has no time limit to extend' : null
  }
}

/** The actions `role` may take on the case now (for GET's allowedActions). */
export function allowedActions(state: LifecycleState, role: Role): Action[] {
  return actions.filter((action) => actionRoles[action].includes(role) && blockedReason(state, action) === null)
}

// ---------------------------------------------------------------------------------------------------
// Applying an action
// ---------------------------------------------------------------------------------------------------

export interface TransitionCommand {
  action: Action
  /** The body without `action` (an `action` key in it is ignored). */
  payload: unknown
  actor: Actor
  at: Date
}

export interface LifecycleEvent {
  /** e.g. 'case.accepted'; see eventTypes. */
  type: string
  fromStatus: CaseStatus
  toStatus: CaseStatus
  /**
   * What changed: `input` (the validated payload), the action's own facts, and when the action touched
   * them, `clock` (new ledger entries and the resulting deadline) and `stages` (the stage plan with due
   * dates as recomputed).
   */
  payload: Record<string, unknown>
}

export interface TransitionResult {
  state: LifecycleState
  event: LifecycleEvent
}

interface Context {
  actor: Actor
  at: Date
  /** `at` as stored (ISO with the Shanghai offset). */
  atIso: string
  calendar: WorkingDayCalendar
  action: Action
}

function invalidPayload(action: Action, issues: FieldIssue[]): LifecycleError {
  return new LifecycleError('invalid_action_payload', `the ${action} payload is not valid: ${issues.map((i) => `${i.path || '(body)'}: ${i.message}`).join('; ')}`, action, {
    issues,
  })
}

function parsePayload<A extends Action>(action: A, payload: unknown): TransitionPayload<A> {
  const body = typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? { ...payload, action } : payload
  const result = transitionRequestSchemas[action].safeParse(body)
  if (!result.success) {
    throw invalidPayload(action, fieldIssuesOf(result.error))
  }
  const { action: _action, ...rest } = result.data as TransitionRequest
  return rest as unknown as TransitionPayload<A>
}

const copyActor = (actor: Actor): Actor => ({ keyId: actor.keyId, role: actor.role })

/** The reason codes of a payload as stored: absent when none were given (the documents hold no undefined values). */
const codesOf = (codes: string[] | undefined): { reasonCodes?: string[] } => (codes === undefined || codes.length === 0 ? {} : { reasonCodes: [...codes] })

/** The state's clock; every action that calls this is only allowed once the case is accepted. */
function requireClock(state: LifecycleState) {
  if (state.clock === null) throw new Error(`invariant: a ${state.status} ${state.route} case has no clock`)
  return state.clock
}

function stopIfRunning(state: LifecycleState, ctx: Context, reason: string): void {
  if (state.clock !== null && state.clock.status !== 'stopped') {
    state.clock = stopClock(state.clock, ctx.calendar, ctx.at, ctx.actor, reason)
  }
}

function cancelOpenStages(state: LifecycleState): void {
  for (const stage of state.stages) if (stage.status === 'pending' || stage.status === 'in_progress') stage.status = 'cancelled'
  state.currentStage = null
}

/** Completes stage `index` and, unless the case ends with it (`openNext` false), opens the next one. */
function completeStage(state: LifecycleState, index: number, ctx: Context, summary: string | null, openNext = true): void {
  const stage = state.stages[index]
  if (stage === undefined) throw new Error(`invariant: no stage at ${index}`)
  stage.status = 'completed'
  stage.completedAt = ctx.atIso
  stage.completedOn = shanghaiDateOf(ctx.at)
  stage.completedBy = copyActor(ctx.actor)
  stage.summary = summary
  const next = state.stages[index + 1]
  if (next === undefined || !openNext) {
    state.currentStage = null
    return
  }
  next.status = 'in_progress'
  next.startedAt = ctx.atIso
  next.startedOn = stage.completedOn
  state.currentStage = next.key
}

type Handler<A extends Action> = (state: LifecycleState, payload: TransitionPayload<A>, ctx: Context) => { status: CaseStatus; facts?: Record<string, unknown> }

const handlers: { [A in Action]: Handler<A> } = {
  accept(state, payload, ctx) {
    state.acceptanceRound += 1
    state.acceptance = { round: state.acceptanceRound, at: ctx.atIso, by: copyActor(ctx.actor), note: payload.note ?? null }
    state.supplementRequestedThisRound = false
    const limit = state.plan.timeLimit?.unit === 'working_days' ? state.plan.timeLimit.amount : null
    // 民法典 art. 201: the day of acceptance is not counted; startClock's due date starts the day after.
    state.clock = startClock(limit, ctx.calendar, ctx.at, ctx.actor, 'accepted (受理): the statutory clock starts')
    const first = state.stages[0]
    if (first !== undefined) {
      first.status = 'in_progress'
      first.startedAt = ctx.atIso
      first.startedOn = shanghaiDateOf(ctx.at)
      state.currentStage = first.key
    }
    return { status: 'accepted', facts: { acceptanceRound: state.acceptanceRound } }
  },

  not_accept(state, payload, ctx) {
    state.notAccepted = { reason: payload.reason, ...codesOf(payload.reasonCodes), at: ctx.atIso, by: copyActor(ctx.actor) }
    return { status: 'not_accepted' }
  },

  request_supplement(state, payload, ctx) {
    const items = payload.items.map((i) => ({ item: i.item, detail: i.detail ?? null, ...(i.code === undefined ? {} : { code: i.code }) }))
    state.supplements.push({
      round: state.acceptanceRound,
      stage: state.currentStage,
      items,
      note: payload.note ?? null,
      requestedAt: ctx.atIso,
      requestedBy: copyActor(ctx.actor),
      submittedAt: null,
      submittedBy: null,
      answers: [],
      documents: [],
      submissionNote: null,
    })
    state.supplementRequestedThisRound = true
    state.clock = pauseClock(
      requireClock(state),
      ctx.calendar,
      ctx.at,
      ctx.actor,
      `supplement (补正) requested, ${items.length} item(s): the clock pauses until the applicant answers (行政许可法 art. 32, 45)`,
    )
    return { status: 'supplement_requested', facts: { supplement: state.supplements.length } }
  },

  submit_supplement(state, payload, ctx) {
    const request = state.supplements[state.supplements.length - 1]
    if (request === undefined || request.submittedAt !== null) throw new Error('invariant: no open supplement request')
    request.submittedAt = ctx.atIso
    request.submittedBy = copyActor(ctx.actor)
    request.answers = (payload.answers ?? []).map((a) => ({ item: a.item, answer: a.answer }))
    request.documents = [...(payload.documents ?? [])]
    request.submissionNote = payload.note ?? null
    state.clock = resumeClock(
      requireClock(state),
      ctx.calendar,
      ctx.at,
      ctx.actor,
      'supplement submitted: the clock resumes with the working days left; the resubmission day is not counted (民法典 art. 201)',
    )
    return { status: 'accepted', facts: { supplement: state.supplements.length } }
  },

  record_opinion(state, payload, ctx) {
    const stage = state.stages[currentStageIndex(state)]
    if (stage === undefined) throw new Error('invariant: no current stage')
    stage.opinions.push({
      department: payload.department,
      opinion: payload.opinion,
      comments: payload.comments ?? null,
      conditions: [...(payload.conditions ?? [])],
      recordedAt: ctx.atIso,
      recordedBy: copyActor(ctx.actor),
    })
    return { status: state.status, facts: { stage: stage.key } }
  },

  complete_stage(state, payload, ctx) {
    const index = currentStageIndex(state)
    if (payload.stage !== state.currentStage) {
      throw invalidPayload(ctx.action, [{ path: 'stage', message: `the current stage is ${state.currentStage}, not ${payload.stage}` }])
    }
    completeStage(state, index, ctx, payload.summary ?? null)
    const facts: Record<string, unknown> = { stage: payload.stage }
    if (index === issuanceStageIndex(state)) {
      const decision = state.decision
      if (decision === null) throw new Error('invariant: issuance without a decision')
      decision.permitIssuedAt = ctx.atIso
      stopIfRunning(state, ctx, 'permit issued: the joint review is complete and the clock stops')
      facts.permitIssuedAt = ctx.atIso
    }
    return { status: state.status, facts }
  },

  approve(state, payload, ctx) {
    const authority = payload.authority ?? state.plan.approvingAuthority
    if (authority === null) {
      throw invalidPayload(ctx.action, [{ path: 'authority', message: 'the route names no approving authority: say who approves' }])
    }
    const clock = requireClock(state)
    const staged = state.stages.length > 0
    state.decision = {
      outcome: 'approved',
      decidedAt: ctx.atIso,
      decidedOn: shanghaiDateOf(ctx.at),
      decidedBy: copyActor(ctx.actor),
      authority,
      approvedBy: payload.approvedBy ?? null,
      reference: payload.reference ?? null,
      approvedPosition: payload.approvedPosition,
      approvedArea: typeof payload.approvedArea === 'string' ? payload.approvedArea : { ...payload.approvedArea },
      approvedPeriod: { ...payload.approvedPeriod },
      conditions: [...(payload.conditions ?? [])],
      reasons: [],
      withinTimeLimit: null, // set by recomputeLifecycle from the clock
      permitIssuedAt: staged ? null : ctx.atIso,
    }
    if (staged) {
      // The decision stage ends with the decision; the issuance stage opens and the clock keeps running.
      completeStage(state, currentStageIndex(state), ctx, null)
    } else {
      state.clock = stopClock(clock, ctx.calendar, ctx.at, ctx.actor, 'decision: approved; the clock stops')
    }
    return { status: 'approved', facts: { authority } }
  },

  refuse(state, payload, ctx) {
    const authority = payload.authority ?? state.plan.approvingAuthority
    state.decision = {
      outcome: 'refused',
      decidedAt: ctx.atIso,
      decidedOn: shanghaiDateOf(ctx.at),
      decidedBy: copyActor(ctx.actor),
      authority,
      approvedBy: null,
      reference: payload.reference ?? null,
      approvedPosition: null,
      approvedArea: null,
      approvedPeriod: null,
      conditions: [],
      reasons: [...payload.reasons],
      ...codesOf(payload.reasonCodes),
      withinTimeLimit: null,
      permitIssuedAt: null,
    }
    if (state.stages.length > 0) {
      // A refusal ends the review with the decision stage: the issuance stage never starts.
      completeStage(state, currentStageIndex(state), ctx, null, false)
      cancelOpenStages(state)
    }
    stopIfRunning(state, ctx, 'decision: refused; the clock stops')
    return { status: 'refused', facts: { authority } }
  },

  withdraw(state, payload, ctx) {
    state.withdrawal = { at: ctx.atIso, by: copyActor(ctx.actor), reason: payload.reason ?? null }
    cancelOpenStages(state)
    stopIfRunning(state, ctx, 'withdrawn by the applicant; the clock stops')
    return { status: 'withdrawn' }
  },

  start_works(state, payload, ctx) {
    const period = state.decision?.approvedPeriod ?? null
    const today = shanghaiDateOf(ctx.at)
    state.works.startedAt = ctx.atIso
    state.works.startedBy = copyActor(ctx.actor)
    state.works.startNote = payload.note ?? null
    // Approved dates are binding (城市道路管理条例 art. 36): record, for supervision, a start outside them.
    state.works.startedOutsideApprovedPeriod = period === null ? null : today < period.from || today > period.to
    return { status: 'works_started', facts: { startedOutsideApprovedPeriod: state.works.startedOutsideApprovedPeriod } }
  },

  complete_works(state, payload, ctx) {
    const period = state.decision?.approvedPeriod ?? null
    state.works.completedAt = ctx.atIso
    state.works.completedBy = copyActor(ctx.actor)
    state.works.completionNote = payload.note ?? null
    state.works.completedAfterApprovedPeriod = period === null ? null : shanghaiDateOf(ctx.at) > period.to
    return { status: 'works_completed', facts: { completedAfterApprovedPeriod: state.works.completedAfterApprovedPeriod } }
  },

  inspect_reinstatement(state, payload, ctx) {
    // 城市道路管理条例 art. 35: after the works the site is cleared and the authority inspects it.
    state.inspections.push({
      passed: payload.passed,
      at: ctx.atIso,
      inspector: payload.inspector,
      notes: payload.notes ?? null,
      by: copyActor(ctx.actor),
    })
    return {
      status: payload.passed ? 'reinstatement_passed' : 'reinstatement_failed',
      facts: { inspection: state.inspections.length, reinspection: state.inspections.length > 1 },
    }
  },

  close(state, payload, ctx) {
    state.closure = { at: ctx.atIso, by: copyActor(ctx.actor), note: payload.note ?? null }
    return { status: 'closed' }
  },

  revoke_filing(state, payload, ctx) {
    state.revocation = { at: ctx.atIso, by: copyActor(ctx.actor), reason: payload.reason, ...codesOf(payload.reasonCodes) }
    return { status: 'revoked' }
  },

  complete_formalities(state, payload, ctx) {
    const formalities = state.formalities
    if (formalities === null) throw new Error('invariant: an emergency repair without formalities')
    formalities.completedAt = ctx.atIso
    formalities.completedBy = copyActor(ctx.actor)
    formalities.permitReference = payload.permitReference
    formalities.documents = [...(payload.documents ?? [])]
    formalities.note = payload.note ?? null
    const completedLate = ctx.at.getTime() > (parseInstant(formalities.dueAt)?.getTime() ?? Number.NaN)
    return { status: 'formalities_completed', facts: { dueAt: formalities.dueAt, completedLate } }
  },

  request_change(state, payload, ctx) {
    const period = state.decision?.approvedPeriod ?? null
    if (payload.kind === 'extend' && payload.requestedPeriod !== undefined && period !== null && payload.requestedPeriod.to <= period.to) {
      throw invalidPayload(ctx.action, [{ path: 'requestedPeriod.to', message: `an extension must end after the approved period's end ${period.to}` }])
    }
    const change: ChangeRequestRecord = {
      id: state.changes.length + 1,
      kind: payload.kind,
      description: payload.description,
      requestedPosition: payload.requestedPosition ?? null,
      requestedArea: payload.requestedArea === undefined ? null : typeof payload.requestedArea === 'string' ? payload.requestedArea : { ...payload.requestedArea },
      requestedPeriod: payload.requestedPeriod === undefined ? null : { ...payload.requestedPeriod },
      requestedAt: ctx.atIso,
      requestedBy: copyActor(ctx.actor),
      status: 'pending',
      decidedAt: null,
      decidedBy: null,
      note: null,
      conditions: [],
      reasons: [],
      previous: null,
    }
    state.pendingChange = change
    return { status: state.status, facts: { change: change.id } }
  },

  approve_change(state, payload, ctx) {
    const change = state.pendingChange
    const decision = state.decision
    if (change === null || decision === null) throw new Error('invariant: approve_change without a pending change and a decision')
    change.previous = { position: decision.approvedPosition, area: decision.approvedArea, period: decision.approvedPeriod }
    // 城市道路管理条例 art. 36: the approved change becomes the binding position, area or period.
    if (change.requestedPosition !== null) decision.approvedPosition = change.requestedPosition
    if (change.requestedArea !== null) decision.approvedArea = change.requestedArea
    if (change.requestedPeriod !== null) decision.approvedPeriod = { ...change.requestedPeriod }
    decision.conditions = [...decision.conditions, ...(payload.conditions ?? [])]
    Object.assign(change, { status: 'approved', decidedAt: ctx.atIso, decidedBy: copyActor(ctx.actor), note: payload.note ?? null, conditions: [...(payload.conditions ?? [])] })
    state.changes.push(change)
    state.pendingChange = null
    return {
      status: state.status,
      facts: { change: change.id, binding: { position: decision.approvedPosition, area: decision.approvedArea, period: decision.approvedPeriod } },
    }
  },

  refuse_change(state, payload, ctx) {
    const change = state.pendingChange
    if (change === null) throw new Error('invariant: refuse_change without a pending change')
    Object.assign(change, { status: 'refused', decidedAt: ctx.atIso, decidedBy: copyActor(ctx.actor), reasons: [...payload.reasons], ...codesOf(payload.reasonCodes) })
    state.changes.push(change)
    state.pendingChange = null
    return { status: state.status, facts: { change: change.id } }
  },

  extend_time_limit(state, payload, ctx) {
    const days = state.plan.extension?.amount ?? 0
    state.extension = { workingDays: days, approver: { ...payload.approver }, reason: payload.reason, at: ctx.atIso, by: copyActor(ctx.actor) }
    state.clock = extendClock(
      requireClock(state),
      ctx.calendar,
      days,
      ctx.at,
      ctx.actor,
      `time limit extended by ${days} working days, approved by ${payload.approver.name} (${payload.approver.title}) (行政许可法 art. 42): ${payload.reason}`,
    )
    return { status: state.status, facts: { extensionWorkingDays: days } }
  },
}

function clockSummary(before: LifecycleState, after: LifecycleState): Record<string, unknown> | undefined {
  const clock = after.clock
  if (clock === null) return undefined
  const previousLength = before.clock?.ledger.length ?? 0
  const entries: ClockLedgerEntry[] = clock.ledger.slice(previousLength)
  if (entries.length === 0) return undefined
  const last = entries[entries.length - 1] as ClockLedgerEntry
  return {
    entries,
    status: clock.status,
    limitWorkingDays: clock.limitWorkingDays,
    workingDaysUsed: last.workingDaysUsed,
    workingDaysRemaining: last.workingDaysRemaining,
    dueDate: clock.dueDate,
    dueAt: clock.dueDate === null ? null : dueAtOf(clock.dueDate),
    provisional: clock.provisional,
    calendarFingerprint: clock.calendarFingerprint,
  }
}

function stagesSummary(before: LifecycleState, after: LifecycleState): Record<string, unknown>[] | undefined {
  if (after.stages.length === 0) return undefined
  const summary = (s: LifecycleState) =>
    s.stages.map(({ key, status, startedOn, dueDate, completedOn, late, provisional }) => ({ key, status, startedOn, dueDate, completedOn, late, provisional }))
  const now = summary(after)
  return JSON.stringify(now) === JSON.stringify(summary(before)) ? undefined : now
}

/**
 * Applies one action to a case. Throws LifecycleError (role, then state, then payload); never mutates
 * `state`.
 */
export function applyAction(state: LifecycleState, command: TransitionCommand, calendar: WorkingDayCalendar): TransitionResult {
  const { action, actor, at } = command
  const roles = actionRoles[action]
  if (roles === undefined) throw new TypeError(`unknown action ${JSON.stringify(action)}`)
  if (!(at instanceof Date) || Number.isNaN(at.getTime())) throw new TypeError('command.at must be a valid Date')
  if (!roles.includes(actor.role)) {
    throw new LifecycleError('role_not_allowed', `the ${actor.role} role may not ${action}; ${roles.join(', ')} may`, action, {
      allowedRoles: [...roles],
    })
  }
  const reason = blockedReason(state, action)
  if (reason !== null) {
    const allowed = allowedActions(state, actor.role)
    throw new LifecycleError('action_not_allowed', `${action} is not allowed now: ${reason}`, action, {
      allowedActions: allowed,
      status: state.status,
    })
  }
  const payload = parsePayload(action, command.payload)
  const ctx: Context = { actor, at, atIso: formatShanghaiInstant(at), calendar, action }
  const draft = structuredClone(state)
  const handler = handlers[action] as Handler<Action>
  const { status, facts } = handler(draft, payload, ctx)
  draft.status = status
  const next = recomputeLifecycle(draft, calendar)

  const eventPayload: Record<string, unknown> = { input: payload, ...facts }
  const clock = clockSummary(state, next)
  if (clock !== undefined) eventPayload.clock = clock
  const stages = stagesSummary(state, next)
  if (stages !== undefined) eventPayload.stages = stages
  if (next.decision !== null && (action === 'approve' || action === 'refuse')) {
    eventPayload.withinTimeLimit = next.decision.withinTimeLimit
    if (next.clock !== null) eventPayload.dueDateAtDecision = dueDateInForceAt(next.clock, next.decision.decidedAt)
  }
  return {
    state: next,
    event: { type: eventTypes[action], fromStatus: state.status, toStatus: status, payload: eventPayload },
  }
}
