/**
 * Electronic supervision of a case's deadlines (docs/domain.md §5), pure: what warning levels the overall clock and
 * the current joint-review stage have reached at `now`, which stages overran their own due date while the overall
 * clock was still within its limit, whether a deem_approved route's time has run out, and when the next of these
 * can happen (so the scheduler looks at the case again exactly then).
 *
 * A level is reached on the first day on which workingDaysUsed ≥ thresholdWorkingDays(percent, limit) (today
 * counted, as in the clock view): supervision.schema.ts states the rounding.
 */
import { addDays, type CivilDate, compareCivilDates, endOfShanghaiDay, shanghaiDateOf } from '../calendar/civil-date.ts'
import type { WorkingDayCalendar } from '../calendar/working-day-calendar.ts'
import { DEFAULT_SUPERVISION, type SupervisionTerms, thresholdWorkingDays } from '../rules/supervision.schema.ts'
import { recomputeLifecycle } from './lifecycle-state.ts'
import type { Actor, DecisionRecord, LifecycleState, StageProgress } from './lifecycle.types.ts'
import { addActiveWorkingDays, clockView, countActiveWorkingDays, pauseSpans, type PauseSpan, stopClock } from './statutory-clock.ts'

export type WarningLevel = 'yellow' | 'red' | 'overdue'

/** One fact the scheduler reports once: a warning level of a clock, or a stage overrun. */
export interface SupervisionFinding {
  clock: 'overall' | 'stage'
  /** The stage key for clock 'stage'; null for the overall clock. */
  stage: string | null
  /** overdue: the overall clock ran past its due date (reported by case.overdue; recorded for the report). */
  level: 'yellow' | 'red' | 'overdue' | 'overrun'
  workingDaysUsed: number
  workingDaysRemaining: number
  limitWorkingDays: number
  dueDate: CivilDate | null
}

export interface SupervisionView {
  terms: SupervisionTerms
  /** The overall clock's level: null below yellow, and when the clock is not running or paused (decided, no limit). */
  warningLevel: WarningLevel | null
  /** The current stage's level (null without one). */
  stageWarningLevel: WarningLevel | null
  /** Everything reached so far (the scheduler records each once). */
  findings: SupervisionFinding[]
  /** A deem_approved route whose running clock is overdue: the scheduler decides it. */
  deemApprovalDue: boolean
  /** The next instant at which a level, an overrun or a timeout can be reached; null when none can (paused, stopped). */
  nextCheckAt: Date | null
}

/** The terms in force for a case: those copied at submission, or the defaults. */
function supervisionTermsOf(state: Pick<LifecycleState, 'plan'>): SupervisionTerms {
  return state.plan.supervision ?? DEFAULT_SUPERVISION
}

const startOfShanghaiDay = (date: CivilDate): Date => new Date(endOfShanghaiDay(addDays(date, -1)).getTime() + 1)
const afterEndOf = (date: CivilDate): Date => new Date(endOfShanghaiDay(date).getTime() + 1)

function levelOf(used: number, limit: number, overdue: boolean, yellowPercent: number, redPercent: number): WarningLevel | null {
  if (overdue) return 'overdue'
  if (used >= thresholdWorkingDays(redPercent, limit)) return 'red'
  if (used >= thresholdWorkingDays(yellowPercent, limit)) return 'yellow'
  return null
}

/** Stage anchors as deriveStages chains them: acceptance for the first, then the previous completion if early, else its due date. */
export function stageAnchor(stages: readonly StageProgress[], index: number, startedOn: CivilDate): CivilDate | null {
  if (index === 0) return startedOn
  const previous = stages[index - 1] as StageProgress
  return previous.completedOn !== null && previous.late !== true ? previous.completedOn : previous.dueDate
}

interface Window {
  anchor: CivilDate
  limit: number
  spans: readonly PauseSpan[]
}

/** The instants at which the used days of a window reach each percentage (start of that Shanghai day), if still ahead. */
function thresholdInstants(calendar: WorkingDayCalendar, window: Window, used: number, percents: readonly number[]): Date[] {
  const out: Date[] = []
  for (const percent of percents) {
    const days = thresholdWorkingDays(percent, window.limit)
    if (used >= days) continue
    const reached = addActiveWorkingDays(calendar, window.anchor, days, window.spans).date
    if (reached !== null) out.push(startOfShanghaiDay(reached))
  }
  return out
}

export function superviseLifecycle(input: LifecycleState, calendar: WorkingDayCalendar, now: Date): SupervisionView {
  const terms = supervisionTermsOf(input)
  const none: SupervisionView = { terms, warningLevel: null, stageWarningLevel: null, findings: [], deemApprovalDue: false, nextCheckAt: null }
  if (input.clock === null) return none
  const state = recomputeLifecycle(input, calendar)
  const clock = state.clock as NonNullable<LifecycleState['clock']>
  const view = clockView(clock, calendar, now)
  const limit = view.limitWorkingDays
  const spans = pauseSpans(clock.ledger)
  const today = shanghaiDateOf(now)
  const findings: SupervisionFinding[] = []
  const next: Date[] = []
  const open = view.status !== 'stopped'

  let warningLevel: WarningLevel | null = null
  if (limit !== null && limit > 0) {
    const used = view.workingDaysUsed
    const overall = (level: 'yellow' | 'red' | 'overdue'): SupervisionFinding => ({
      clock: 'overall',
      stage: null,
      level,
      workingDaysUsed: used,
      workingDaysRemaining: limit - used,
      limitWorkingDays: limit,
      dueDate: view.dueDate,
    })
    if (open) {
      warningLevel = levelOf(used, limit, view.overdue, terms.yellowPercent, terms.redPercent)
      if (used >= thresholdWorkingDays(terms.yellowPercent, limit)) findings.push(overall('yellow'))
      if (used >= thresholdWorkingDays(terms.redPercent, limit)) findings.push(overall('red'))
      if (view.overdue) findings.push(overall('overdue'))
    }
    if (view.status === 'running') {
      next.push(...thresholdInstants(calendar, { anchor: clock.startedOn, limit, spans }, used, [terms.yellowPercent, terms.redPercent]))
      if (!view.overdue && view.dueDate !== null) next.push(afterEndOf(view.dueDate))
    }
  }

  // Stages: an overrun is a stage past its own due date on a day the overall clock was still within its limit
  // (the stage was due before the overall due date); the last stage shares the overall due date, so it never is.
  const overallDue = view.dueDate ?? clock.ledger.findLast((e) => e.dueDate !== null)?.dueDate ?? null
  let stageWarningLevel: WarningLevel | null = null
  state.stages.forEach((stage, index) => {
    if (stage.dueDate === null) return
    const beforeOverall = overallDue !== null && compareCivilDates(stage.dueDate, overallDue) < 0
    const current = stage.key === state.currentStage && stage.status === 'in_progress'
    const passed = stage.late === true || (current && view.status === 'running' && compareCivilDates(today, stage.dueDate) > 0)
    const anchor = stageAnchor(state.stages, index, clock.startedOn)
    const stageUsed = anchor === null ? stage.workingDays : countActiveWorkingDays(calendar, anchor, stage.completedOn ?? today, spans).count
    const finding = (level: SupervisionFinding['level']): SupervisionFinding => ({
      clock: 'stage',
      stage: stage.key,
      level,
      workingDaysUsed: stageUsed,
      workingDaysRemaining: stage.workingDays - stageUsed,
      limitWorkingDays: stage.workingDays,
      dueDate: stage.dueDate,
    })
    if (passed && beforeOverall) findings.push(finding('overrun'))
    if (!current || !open || anchor === null) return
    const yellow = terms.stageYellowPercent ?? terms.yellowPercent
    const red = terms.stageRedPercent ?? terms.redPercent
    stageWarningLevel = levelOf(stageUsed, stage.workingDays, passed, yellow, red)
    if (stageUsed >= thresholdWorkingDays(yellow, stage.workingDays)) findings.push(finding('yellow'))
    if (stageUsed >= thresholdWorkingDays(red, stage.workingDays)) findings.push(finding('red'))
    if (view.status === 'running') {
      next.push(...thresholdInstants(calendar, { anchor, limit: stage.workingDays, spans }, stageUsed, [yellow, red]))
      if (!passed) next.push(afterEndOf(stage.dueDate))
    }
  })

  const deemApprovalDue = terms.onTimeout === 'deem_approved' && state.status === 'accepted' && view.status === 'running' && view.overdue
  const future = next.filter((at) => at.getTime() > now.getTime()).map((at) => at.getTime())
  return {
    terms,
    warningLevel,
    stageWarningLevel,
    findings,
    deemApprovalDue,
    nextCheckAt: future.length === 0 ? null : new Date(Math.min(...future)),
  }
}

/** What a deemed approval takes from the application: the works as applied for become the approved ones. */
export interface DeemedApprovalApplication {
  approvedPosition: string
  approvedArea: DecisionRecord['approvedArea']
  approvedPeriod: NonNullable<DecisionRecord['approvedPeriod']>
}

/** The actor of a decision the scheduler records (in the office's name: the authority is deemed to have approved). */
const SUPERVISION_ACTOR: Actor = Object.freeze({ keyId: 'system:supervision', role: 'office' }) as Actor

/**
 * 视为批准: the time ran out on a deem_approved route. The case is approved with the permit fields of the application,
 * the permit counts as issued at once, open stages end (review stages cancelled, decision and issuance completed by
 * the system), and the clock stops.
 */
export function deemApproved(input: LifecycleState, calendar: WorkingDayCalendar, at: Date, atIso: string, application: DeemedApprovalApplication): LifecycleState {
  const state: LifecycleState = structuredClone(input)
  const terms = supervisionTermsOf(state)
  const on = shanghaiDateOf(at)
  const summary = `deemed approved (视为批准) when the time limit ran out: ${terms.basis.citation}`
  const decisionFrom = Math.max(0, state.stages.length - 2)
  state.stages.forEach((stage, index) => {
    if (stage.status !== 'pending' && stage.status !== 'in_progress') return
    if (index < decisionFrom) {
      stage.status = 'cancelled'
      return
    }
    stage.status = 'completed'
    stage.startedAt ??= atIso
    stage.startedOn ??= on
    stage.completedAt = atIso
    stage.completedOn = on
    stage.completedBy = { ...SUPERVISION_ACTOR }
    stage.summary = summary
  })
  state.currentStage = null
  state.decision = {
    outcome: 'approved',
    decidedAt: atIso,
    decidedOn: on,
    decidedBy: { ...SUPERVISION_ACTOR },
    authority: state.plan.approvingAuthority,
    approvedBy: null,
    reference: null,
    approvedPosition: application.approvedPosition,
    approvedArea: application.approvedArea,
    approvedPeriod: { ...application.approvedPeriod },
    conditions: [],
    reasons: [summary],
    deemed: { basis: { citation: terms.basis.citation, text: terms.basis.text } },
    withinTimeLimit: null,
    permitIssuedAt: atIso,
  }
  if (state.clock !== null && state.clock.status !== 'stopped') {
    state.clock = stopClock(state.clock, calendar, at, SUPERVISION_ACTOR, 'deemed approved (视为批准): the time limit ran out; the clock stops')
  }
  state.status = 'approved'
  return recomputeLifecycle(state, calendar)
}
