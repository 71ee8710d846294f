/**
 * The SLA facts of one case, derived from its lifecycle document (pure).
 *
 * "Decided", for the promise of 2 and 8 working days, means the statutory clock was stopped by a
 * decision: approve or refuse, except that a joint-review approval stops the clock only when the permit
 * is issued (the last "4+2+1+1" stage: the 8 working days include issuance, see case-state-machine.ts).
 * So the decision date of the report is the Shanghai date of the clock's stop entry, which for an
 * approved joint review is the issuance date, not the approval date. A withdrawal also stops the clock
 * but decides nothing; routes without a working-day clock (commitment filing, emergency repair) are
 * never "decided" here.
 *
 * The facts are those the case's timeline shows for its review phase (timeline.ts): working days taken
 * is the stop entry's count (acceptance day not counted, paused days not counted), on time is "stopped
 * on or before its due date" (null with no working-day limit: special approval), and paused working
 * days are the working days d with pause date < d <= resume date of each paused interval.
 */
import { type CivilDate, compareCivilDates } from '../calendar/civil-date.ts'
import type { WorkingDayCalendar } from '../calendar/working-day-calendar.ts'
import { lastEntry, pausedIntervals } from '../lifecycle/statutory-clock.ts'
import type { LifecycleState } from '../lifecycle/lifecycle.types.ts'

export interface SlaFacts {
  /** Shanghai date the clock stopped by the decision (the permit issuance for an approved joint review). */
  decidedOn: CivilDate
  /** Working days from acceptance to decision, paused days excluded. */
  workingDays: number
  pausedWorkingDays: number
  /** Decided by the due date in force; null when the route promises no working-day limit. */
  withinLimit: boolean | null
  hadSupplement: boolean
}

/** True when the case's clock was stopped by a decision (see the module comment). */
function isSlaDecided(state: LifecycleState): boolean {
  return state.clock !== null && state.clock.status === 'stopped' && state.decision !== null && state.withdrawal === null
}

/**
 * The facts, or null for a case not decided in the SLA sense. The counts are the ones stored in the
 * ledger (derived with the calendar of the last transition); `calendar` counts the paused days, which the
 * ledger does not hold, and must be that same calendar.
 */
function slaFactsOf(state: LifecycleState, calendar: WorkingDayCalendar): SlaFacts | null {
  if (!isSlaDecided(state) || state.clock === null) return null
  const stop = lastEntry(state.clock)
  let pausedWorkingDays = 0
  for (const interval of pausedIntervals(state.clock)) {
    if (interval.toDate !== null) pausedWorkingDays += Math.max(0, calendar.countWorkingDays(interval.fromDate, interval.toDate).count)
  }
  return {
    decidedOn: stop.date,
    workingDays: stop.workingDaysUsed,
    pausedWorkingDays,
    withinLimit: stop.dueDate === null ? null : compareCivilDates(stop.date, stop.dueDate) <= 0,
    hadSupplement: state.supplements.length > 0,
  }
}

/** The SLA columns of the case row. */
export interface SlaColumns {
  sla_decided_on: CivilDate | null
  sla_working_days: number | null
  sla_paused_working_days: number | null
  sla_within_limit: boolean | null
  sla_had_supplement: boolean | null
}

const NO_SLA_FACTS: Readonly<SlaColumns> = Object.freeze({
  sla_decided_on: null,
  sla_working_days: null,
  sla_paused_working_days: null,
  sla_within_limit: null,
  sla_had_supplement: null,
})

/**
 * The SLA columns for a lifecycle state. A case that is not decided needs no calendar (intake writes its
 * columns without one); a decided one does, and asking without one is a programming error.
 */
export function slaColumnsOf(state: LifecycleState, calendar?: WorkingDayCalendar): SlaColumns {
  if (!isSlaDecided(state)) return { ...NO_SLA_FACTS }
  if (calendar === undefined) throw new Error('invariant: the SLA facts of a decided case need the working-day calendar')
  const facts = slaFactsOf(state, calendar) as SlaFacts
  return {
    sla_decided_on: facts.decidedOn,
    sla_working_days: facts.workingDays,
    sla_paused_working_days: facts.pausedWorkingDays,
    sla_within_limit: facts.withinLimit,
    sla_had_supplement: facts.hadSupplement,
  }
}
