/**
 * Creating a lifecycle state at submission, recomputing its derived deadlines, and viewing it at an
 * instant. Pure: plain data and a calendar in, plain data out.
 */
import { type CivilDate, compareCivilDates, formatShanghaiInstant, parseInstant, shanghaiDateOf } from '../calendar/civil-date.ts'
import type { WorkingDayCalendar } from '../calendar/working-day-calendar.ts'
import type { RouteDecision } from '../rules/route-decision.ts'
import { MIN_JOINT_REVIEW_STAGES } from '../rules/rule-set.schema.ts'
import { requireBehaviour, type RouteBehaviour } from '../rules/route-behaviour.ts'
import { type ClockView, type FormalitiesView, addActiveWorkingDays, clockView, dueAtOf, formalitiesDueAt, formalitiesView, pauseSpans, recomputeClock } from './statutory-clock.ts'
import type { CaseStatus, LifecycleState, StageProgress, StatutoryClock } from './lifecycle.types.ts'

/** What initialLifecycleState needs of the route decision taken at submission. */
export type LifecycleRouteDecision = Pick<RouteDecision, 'route' | 'requiresApproval' | 'timeLimit' | 'extension' | 'stages' | 'approvingAuthority'> &
  Partial<Pick<RouteDecision, 'behaviour'>>

/** The status a case starts in on each route behaviour (docs/domain.md §4). */
function initialStatusOf(behaviour: RouteBehaviour): CaseStatus {
  return behaviour === 'commitment_filing' ? 'filed' : behaviour === 'emergency' ? 'notified' : 'submitted'
}

/**
 * The lifecycle state of a case just submitted. A commitment filing is filed at once; an emergency repair
 * is "notified": the works started on notification and the formalities are due `timeLimit` hours later.
 */
export function initialLifecycleState(decision: LifecycleRouteDecision, submittedAt: Date): LifecycleState {
  const at = formatShanghaiInstant(submittedAt)
  const staged = decision.stages.length > 0
  if (staged && decision.stages.length < MIN_JOINT_REVIEW_STAGES) {
    // By position the last stage is the issuance and the one before it the decision; the rule-set
    // validator refuses such a plan, so only a rule set that bypassed it gets here.
    throw new RangeError('a joint review needs at least a decision stage and an issuance stage')
  }
  // Decisions stored before behaviours were data have none: their route names are the first rule set's.
  const behaviour = requireBehaviour(decision)
  const emergency = behaviour === 'emergency'
  if (emergency && decision.timeLimit?.unit !== 'hours') {
    throw new RangeError('an emergency repair needs its formalities time limit in hours')
  }
  return {
    schemaVersion: 1,
    route: decision.route,
    behaviour,
    status: initialStatusOf(behaviour),
    submittedAt: at,
    plan: {
      timeLimit: decision.timeLimit === null ? null : { ...decision.timeLimit },
      extension: decision.extension === null ? null : { ...decision.extension },
      stages: decision.stages.map(({ key, workingDays, name }) => ({ key, workingDays, name })),
      approvingAuthority: decision.approvingAuthority,
      requiresApproval: decision.requiresApproval,
    },
    clock: null,
    stages: decision.stages.map((s) => ({
      key: s.key,
      name: s.name,
      workingDays: s.workingDays,
      status: 'pending',
      startedAt: null,
      startedOn: null,
      dueDate: null,
      provisional: false,
      completedAt: null,
      completedOn: null,
      completedBy: null,
      late: null,
      summary: null,
      opinions: [],
    })),
    currentStage: null,
    acceptanceRound: 0,
    acceptance: null,
    notAccepted: null,
    supplementRequestedThisRound: false,
    supplements: [],
    decision: null,
    extension: null,
    formalities: emergency
      ? {
          notifiedAt: at,
          dueAt: formalitiesDueAt(submittedAt, decision.timeLimit?.amount ?? 24),
          completedAt: null,
          completedBy: null,
          permitReference: null,
          documents: [],
          note: null,
        }
      : null,
    works: {
      // 城市道路管理条例 art. 34: an emergency repair digs first.
      startedAt: emergency ? at : null,
      startedBy: null,
      completedAt: null,
      completedBy: null,
      startNote: null,
      completionNote: null,
      startedOutsideApprovedPeriod: null,
      completedAfterApprovedPeriod: null,
    },
    inspections: [],
    pendingChange: null,
    changes: [],
    withdrawal: null,
    closure: null,
    revocation: null,
  }
}

// ---------------------------------------------------------------------------------------------------
// Stage positions
// ---------------------------------------------------------------------------------------------------

/** Index of the decision stage (the one before the last), or -1 for a route without stages. */
export function decisionStageIndex(state: Pick<LifecycleState, 'stages'>): number {
  return state.stages.length >= MIN_JOINT_REVIEW_STAGES ? state.stages.length - 2 : -1
}

/** Index of the issuance stage (the last), or -1 for a route without stages. */
export function issuanceStageIndex(state: Pick<LifecycleState, 'stages'>): number {
  return state.stages.length >= MIN_JOINT_REVIEW_STAGES ? state.stages.length - 1 : -1
}

export function currentStageIndex(state: Pick<LifecycleState, 'stages' | 'currentStage'>): number {
  return state.currentStage === null ? -1 : state.stages.findIndex((s) => s.key === state.currentStage)
}

// ---------------------------------------------------------------------------------------------------
// Derived deadlines
// ---------------------------------------------------------------------------------------------------

/**
 * Stage due dates, chained: the first stage runs from the acceptance date; a later one from the previous
 * stage's completion when it was early, or else from the previous stage's due date. A late stage is
 * recorded late and does not push the next stages back: the "4+2+1+1" adds up to the statutory 8 working
 * days, which being late never extends. Paused working days are not counted (行政许可法 art. 45); a
 * completed stage ignores pauses after its completion.
 */
function deriveStages(stages: readonly StageProgress[], clock: StatutoryClock | null, calendar: WorkingDayCalendar): StageProgress[] {
  if (clock === null) return stages.map((s) => ({ ...s, dueDate: null, provisional: false, late: null }))
  const spans = pauseSpans(clock.ledger)
  let anchor: CivilDate | null = clock.startedOn
  return stages.map((stage) => {
    const completedOn = stage.completedOn
    let dueDate: CivilDate | null = null
    let provisional = false
    const neverStarted = stage.status === 'cancelled' && stage.startedOn === null
    if (!neverStarted && anchor !== null) {
      const relevant = completedOn === null ? spans : spans.filter((p) => compareCivilDates(p.from, completedOn) < 0)
      const due = addActiveWorkingDays(calendar, anchor, stage.workingDays, relevant)
      dueDate = due.date
      provisional = due.provisional
    }
    const late = completedOn === null || dueDate === null ? null : compareCivilDates(completedOn, dueDate) > 0
    if (completedOn !== null) anchor = late === true ? dueDate : completedOn
    else anchor = dueDate
    return { ...stage, dueDate, provisional, late }
  })
}

/** The due date in force at an instant: that of the last ledger entry at or before it (null if none). */
export function dueDateInForceAt(clock: StatutoryClock, at: string): CivilDate | null {
  const ms = parseInstant(at)?.getTime() ?? Number.NaN
  let due: CivilDate | null = null
  for (const entry of clock.ledger) {
    if ((parseInstant(entry.at)?.getTime() ?? Number.NaN) > ms) break
    due = entry.dueDate
  }
  return due
}

/**
 * The same state with every derived deadline recomputed from its facts with `calendar`: the clock, the
 * stage due dates and lateness, and whether the decision came within the time limit. Call it after
 * loading a new year's holiday schedule: provisional deadlines become final.
 */
export function recomputeLifecycle(state: LifecycleState, calendar: WorkingDayCalendar): LifecycleState {
  const clock = state.clock === null ? null : recomputeClock(state.clock, calendar)
  const stages = deriveStages(state.stages, clock, calendar)
  let decision = state.decision
  if (decision !== null) {
    const due = clock === null ? null : dueDateInForceAt(clock, decision.decidedAt)
    decision = { ...decision, withinTimeLimit: due === null ? null : compareCivilDates(decision.decidedOn, due) <= 0 }
  }
  return { ...state, clock, stages, decision }
}

// ---------------------------------------------------------------------------------------------------
// The view at an instant
// ---------------------------------------------------------------------------------------------------

export interface CurrentStageView {
  key: string
  name: string
  startedOn: CivilDate | null
  dueDate: CivilDate | null
  dueAt: string | null
  /** Not paused and `now` is after the end of the stage's due date. */
  overdue: boolean
}

export interface LifecycleView {
  status: CaseStatus
  clock: ClockView | null
  currentStage: CurrentStageView | null
  formalities: FormalitiesView | null
  /** Anything open is past its deadline: the clock, the current stage or the emergency formalities. */
  overdue: boolean
}

/** What GET /v1/cases/{id} shows about deadlines at `now`. */
export function lifecycleView(state: LifecycleState, calendar: WorkingDayCalendar, now: Date): LifecycleView {
  const fresh = recomputeLifecycle(state, calendar)
  const clock = fresh.clock === null ? null : clockView(fresh.clock, calendar, now)
  const stage = fresh.stages.find((s) => s.key === fresh.currentStage)
  const today = shanghaiDateOf(now)
  const currentStage: CurrentStageView | null =
    stage === undefined
      ? null
      : {
          key: stage.key,
          name: stage.name,
          startedOn: stage.startedOn,
          dueDate: stage.dueDate,
          dueAt: stage.dueDate === null ? null : dueAtOf(stage.dueDate),
          overdue: clock?.status === 'running' && stage.dueDate !== null && compareCivilDates(today, stage.dueDate) > 0,
        }
  const formalities = fresh.formalities === null ? null : formalitiesView(fresh.formalities, now)
  return {
    status: fresh.status,
    clock,
    currentStage,
    formalities,
    overdue: (clock?.overdue ?? false) || (currentStage?.overdue ?? false) || (formalities?.overdue ?? false),
  }
}

/**
 * The case's deadline as GET /v1/cases/{id} and the worklist show it: the statutory clock's, or an emergency repair's
 * formalities (due in hours after notification); null fields until one runs.
 */
export function caseDeadlineOf(view: LifecycleView): { dueDate: string | null; dueAt: string | null } {
  return {
    dueDate: view.clock?.dueDate ?? (view.formalities ? view.formalities.dueAt.slice(0, 10) : null),
    dueAt: view.clock?.dueAt ?? view.formalities?.dueAt ?? null,
  }
}
