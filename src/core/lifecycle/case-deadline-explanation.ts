/**
 * The explanations of a case's deadlines (docs/domain.md §3): the overall due date and each stage's, counted from
 * their start with the clock's pauses (行政许可法 art. 45), day by day. Pure.
 */
import { compareCivilDates } from '../calendar/civil-date.ts'
import { type DeadlineExplanation, explainDeadline } from '../calendar/deadline-explanation.ts'
import type { WorkingDayCalendar } from '../calendar/working-day-calendar.ts'
import type { Locale } from '../i18n/locale.ts'
import type { LifecycleState } from './lifecycle.types.ts'
import { pausedIntervals } from './statutory-clock.ts'
import { stageAnchor } from './supervision.ts'

export interface CaseDeadlineExplanations {
  overall: DeadlineExplanation | null
  stages: Record<string, DeadlineExplanation>
}

/** `state` must be recomputed with `calendar` (the presenter's lifecycleView does so). */
export function explainCaseDeadlines(state: LifecycleState, calendar: WorkingDayCalendar, locale: Locale = 'en'): CaseDeadlineExplanations {
  const clock = state.clock
  if (clock === null) return { overall: null, stages: {} }
  const pauses = pausedIntervals(clock).map((p) => ({ from: p.fromDate, to: p.toDate, reason: p.reason }))
  const overall = clock.limitWorkingDays === null ? null : explainDeadline(calendar, clock.startedOn, clock.limitWorkingDays, pauses, locale)
  const stages: Record<string, DeadlineExplanation> = {}
  state.stages.forEach((stage, index) => {
    if (stage.dueDate === null) return
    const anchor = stageAnchor(state.stages, index, clock.startedOn)
    if (anchor === null) return
    const completedOn = stage.completedOn
    const relevant = completedOn === null ? pauses : pauses.filter((p) => compareCivilDates(p.from, completedOn) < 0)
    stages[stage.key] = explainDeadline(calendar, anchor, stage.workingDays, relevant, locale)
  })
  return { overall, stages }
}
