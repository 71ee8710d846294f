/**
 * The case's timeline as an auditor needs it: each phase with its start and end, the working
 * days it took, its limit and due date, whether it was on time, and the paused intervals, all derived
 * again from the recorded facts with the given calendar (whose fingerprint is reported).
 *
 * Working days are counted like the clock: after the start date, up to and including the end date (or
 * today for an open phase), minus paused working days (行政许可法 art. 45), the start day not counted
 * (民法典 art. 201).
 */
import { type CivilDate, compareCivilDates, formatShanghaiInstant, parseInstant, shanghaiDateOf } from '../calendar/civil-date.ts'
import type { WorkingDayCalendar } from '../calendar/working-day-calendar.ts'
import type { TimeLimit } from '../rules/rule-set.schema.ts'
import { requireBehaviour } from '../rules/route-behaviour.ts'
import {
  type ClockView,
  type PauseSpan,
  type PausedInterval,
  clockView,
  countActiveWorkingDays,
  dueAtOf,
  formalitiesView,
  lastEntry,
  pausedIntervals,
  pauseSpans,
} from './statutory-clock.ts'
import { recomputeLifecycle } from './lifecycle-state.ts'
import type { CaseStatus, LifecycleState } from './lifecycle.types.ts'
import { HOUR_MS } from '../time.ts'

export type TimelinePhaseKind = 'acceptance' | 'filing' | 'formalities' | 'review' | 'stage' | 'works' | 'reinstatement'

export interface TimelinePausedInterval extends PausedInterval {
  /** Working days not counted: d with fromDate < d <= toDate (or today while still paused). */
  workingDays: number
  provisional: boolean
}

export interface TimelinePhase {
  /** 'acceptance', 'review', 'stage:joint_survey', 'works', … */
  key: string
  kind: TimelinePhaseKind
  name: string
  start: string | null
  end: string | null
  startDate: CivilDate | null
  endDate: CivilDate | null
  /** Started and not ended. */
  open: boolean
  /** null when not started, and for the formalities (counted in hours: see hoursTaken). */
  workingDaysTaken: number | null
  /** Only for the emergency formalities. */
  hoursTaken?: number | null
  limit: TimeLimit | null
  dueDate: CivilDate | null
  dueAt: string | null
  /** Ended by its due date; null while open or with no limit. */
  onTime: boolean | null
  /** Open and already past its due. */
  overdue: boolean
  /** e.g. accepted, not_accepted, approved, refused, withdrawn, completed, cancelled, passed, failed. */
  outcome: string | null
  /** Paused intervals overlapping the phase. */
  pausedIntervals: TimelinePausedInterval[]
  provisional: boolean
}

export interface Timeline {
  route: LifecycleState['route']
  status: CaseStatus
  generatedAt: string
  /** The calendar this timeline was computed with. */
  calendarFingerprint: string
  /** The calendar the stored deadlines were computed with (null before acceptance). */
  storedCalendarFingerprint: string | null
  phases: TimelinePhase[]
  pausedIntervals: TimelinePausedInterval[]
  clock: ClockView | null
}

const dateOf = (at: string | null): CivilDate | null => {
  if (at === null) return null
  const instant = parseInstant(at)
  return instant === null ? null : shanghaiDateOf(instant)
}

function overlaps(interval: TimelinePausedInterval, startDate: CivilDate | null, endDate: CivilDate | null): boolean {
  if (startDate === null) return false
  const afterStart = interval.toDate === null || compareCivilDates(interval.toDate, startDate) > 0
  const beforeEnd = endDate === null || compareCivilDates(interval.fromDate, endDate) < 0
  return afterStart && beforeEnd
}

function phase(partial: Omit<TimelinePhase, 'open' | 'startDate' | 'endDate' | 'pausedIntervals'>, intervals: TimelinePausedInterval[]): TimelinePhase {
  const startDate = dateOf(partial.start)
  const endDate = dateOf(partial.end)
  return {
    ...partial,
    startDate,
    endDate,
    open: partial.start !== null && partial.end === null,
    pausedIntervals: intervals.filter((i) => overlaps(i, startDate, endDate)),
  }
}

/** Pure: the timeline of `state` at `now` with `calendar`. */
export function buildTimeline(stored: LifecycleState, calendar: WorkingDayCalendar, now: Date): Timeline {
  const state = recomputeLifecycle(stored, calendar)
  const today = shanghaiDateOf(now)
  const clock = state.clock
  const spans: PauseSpan[] = clock === null ? [] : pauseSpans(clock.ledger)
  const view = clock === null ? null : clockView(clock, calendar, now)
  const running = view?.status === 'running'

  const intervals: TimelinePausedInterval[] = (clock === null ? [] : pausedIntervals(clock)).map((interval) => {
    const counted = calendar.countWorkingDays(interval.fromDate, interval.toDate ?? today)
    return { ...interval, workingDays: Math.max(0, counted.count), provisional: counted.provisional }
  })

  /** Working days between two dates, the way the clock counts them. */
  const taken = (from: CivilDate | null, to: CivilDate | null) => {
    if (from === null) return { count: null, provisional: false }
    const counted = countActiveWorkingDays(calendar, from, to ?? today, spans)
    return { count: counted.count, provisional: counted.provisional }
  }

  const phases: TimelinePhase[] = []

  // Submission → acceptance (permit routes). No limit is set by this service for the acceptance itself.
  if (requireBehaviour(state) === 'commitment_filing') {
    phases.push(
      phase(
        {
          key: 'filing',
          kind: 'filing',
          name: 'Commitment filing acknowledged with a receipt',
          start: state.submittedAt,
          end: state.submittedAt,
          workingDaysTaken: 0,
          limit: state.plan.timeLimit,
          dueDate: dateOf(state.submittedAt),
          dueAt: null,
          onTime: true,
          overdue: false,
          outcome: state.revocation === null ? 'filed' : 'revoked',
          provisional: false,
        },
        intervals,
      ),
    )
  } else if (state.formalities !== null) {
    const f = formalitiesView(state.formalities, now)
    const startMs = parseInstant(f.notifiedAt)?.getTime() ?? Number.NaN
    const endMs = f.completedAt === null ? null : (parseInstant(f.completedAt)?.getTime() ?? Number.NaN)
    phases.push(
      phase(
        {
          key: 'formalities',
          kind: 'formalities',
          name: 'Emergency repair: approval formalities after notification',
          start: f.notifiedAt,
          end: f.completedAt,
          workingDaysTaken: null,
          hoursTaken: endMs === null ? null : Math.round(((endMs - startMs) / HOUR_MS) * 100) / 100,
          limit: state.plan.timeLimit,
          dueDate: dateOf(f.dueAt),
          dueAt: f.dueAt,
          onTime: f.completedLate === null ? null : !f.completedLate,
          overdue: f.overdue,
          outcome: f.completedAt === null ? null : 'completed',
          provisional: false,
        },
        intervals,
      ),
    )
  } else {
    const end = state.acceptance?.at ?? state.notAccepted?.at ?? (state.clock === null ? (state.withdrawal?.at ?? null) : null)
    const outcome = state.acceptance !== null ? 'accepted' : state.notAccepted !== null ? 'not_accepted' : end !== null ? 'withdrawn' : null
    const counted = taken(dateOf(state.submittedAt), dateOf(end))
    phases.push(
      phase(
        {
          key: 'acceptance',
          kind: 'acceptance',
          name: 'Submission to acceptance',
          start: state.submittedAt,
          end,
          workingDaysTaken: counted.count,
          limit: null,
          dueDate: null,
          dueAt: null,
          onTime: null,
          overdue: false,
          outcome,
          provisional: counted.provisional,
        },
        intervals,
      ),
    )
  }

  // Acceptance → decision (for a joint review: through the issuance stage, which the 8 days include).
  if (clock !== null && view !== null) {
    const start = clock.ledger[0]
    const last = lastEntry(clock)
    const stopped = clock.status === 'stopped'
    const dueDate = stopped ? last.dueDate : view.dueDate
    const outcome = state.withdrawal !== null ? 'withdrawn' : (state.decision?.outcome ?? null)
    phases.push(
      phase(
        {
          key: 'review',
          kind: 'review',
          name: state.stages.length > 0 ? 'Review: acceptance to permit issued' : 'Review: acceptance to decision',
          start: start?.at ?? null,
          end: stopped ? last.at : null,
          workingDaysTaken: stopped ? last.workingDaysUsed : view.workingDaysUsed,
          limit: clock.limitWorkingDays === null ? null : { amount: clock.limitWorkingDays, unit: 'working_days' },
          dueDate,
          dueAt: dueDate === null ? null : dueAtOf(dueDate),
          onTime: stopped && view.stoppedLate !== null ? !view.stoppedLate : null,
          overdue: view.overdue,
          outcome,
          provisional: view.provisional,
        },
        intervals,
      ),
    )
  }

  // Each joint-review stage.
  const stopAt = clock?.status === 'stopped' ? lastEntry(clock).at : null
  for (const stage of state.stages) {
    const end = stage.completedAt ?? (stage.status === 'cancelled' && stage.startedAt !== null ? stopAt : null)
    const counted = taken(stage.startedOn, dateOf(end))
    const open = stage.startedAt !== null && end === null
    phases.push(
      phase(
        {
          key: `stage:${stage.key}`,
          kind: 'stage',
          name: stage.name,
          start: stage.startedAt,
          end,
          workingDaysTaken: counted.count,
          limit: { amount: stage.workingDays, unit: 'working_days' },
          dueDate: stage.dueDate,
          dueAt: stage.dueDate === null ? null : dueAtOf(stage.dueDate),
          onTime: stage.late === null ? null : !stage.late,
          overdue: open && running && stage.dueDate !== null && compareCivilDates(today, stage.dueDate) > 0,
          outcome: stage.status === 'completed' || stage.status === 'cancelled' ? stage.status : null,
          provisional: counted.provisional || stage.provisional,
        },
        intervals,
      ),
    )
  }

  // Works: the approved period binds them (城市道路管理条例 art. 36). Working days taken, no pauses.
  if (state.works.startedAt !== null) {
    const period = state.decision?.outcome === 'approved' ? state.decision.approvedPeriod : null
    const startDate = dateOf(state.works.startedAt) as CivilDate
    const endDate = dateOf(state.works.completedAt)
    const counted = calendar.countWorkingDays(startDate, endDate ?? today)
    phases.push(
      phase(
        {
          key: 'works',
          kind: 'works',
          name: 'Works',
          start: state.works.startedAt,
          end: state.works.completedAt,
          workingDaysTaken: counted.count,
          limit: null,
          dueDate: period?.to ?? null,
          dueAt: period === null ? null : dueAtOf(period.to),
          onTime: period === null || endDate === null ? null : compareCivilDates(endDate, period.to) <= 0,
          overdue: period !== null && endDate === null && compareCivilDates(today, period.to) > 0,
          outcome: endDate === null ? null : 'completed',
          provisional: counted.provisional,
        },
        [],
      ),
    )
  }

  // Reinstatement: from the end of the works to the inspection that passed (城市道路管理条例 art. 35).
  if (state.works.completedAt !== null) {
    const passed = state.inspections.find((i) => i.passed) ?? null
    const lastInspection = state.inspections[state.inspections.length - 1] ?? null
    const startDate = dateOf(state.works.completedAt) as CivilDate
    const counted = calendar.countWorkingDays(startDate, dateOf(passed?.at ?? null) ?? today)
    phases.push(
      phase(
        {
          key: 'reinstatement',
          kind: 'reinstatement',
          name: `Reinstatement and inspection (${state.inspections.length} inspection(s))`,
          start: state.works.completedAt,
          end: passed?.at ?? null,
          workingDaysTaken: counted.count,
          limit: null,
          dueDate: null,
          dueAt: null,
          onTime: null,
          overdue: false,
          outcome: lastInspection === null ? null : lastInspection.passed ? 'passed' : 'failed',
          provisional: counted.provisional,
        },
        [],
      ),
    )
  }

  return {
    route: state.route,
    status: state.status,
    generatedAt: formatShanghaiInstant(now),
    calendarFingerprint: calendar.fingerprint(),
    storedCalendarFingerprint: stored.clock?.calendarFingerprint ?? null,
    phases,
    pausedIntervals: intervals,
    clock: view,
  }
}
