import { endOfShanghaiDay, formatShanghaiInstant, shanghaiDateOf, type CivilDate } from '../calendar/civil-date.ts'
import type { WorkingDayCalendar } from '../calendar/working-day-calendar.ts'
import type { Locale } from '../i18n/locale.ts'
import { decideRoute, type RouteDecision, type RouteInput, type WorksFacts } from './route-decision.ts'
import type { RuleSet } from './rule-set.schema.ts'
import { HOUR_MS } from '../time.ts'

export interface Deadline {
  dueDate: CivilDate | null
  dueAt: Date | null
  provisional: boolean
  stages: Array<{ key: string; name: string; workingDays: number; dueDate: CivilDate }>
}

export interface Assessment extends Deadline {
  decision: RouteDecision
  acceptedAt: Date
  ruleSet: Pick<RuleSet, 'id' | 'version' | 'effectiveFrom'>
  calendarFingerprint: string
}

/**
 * The deadline a decision sets when the clock starts at `startedAt`. Working days are counted in
 * Asia/Shanghai from the day after the start date (民法典 art. 201); each "4+2+1+1" stage is due
 * a number of working days after the previous stage's due date, so the last stage ends on the overall
 * due date. Hour limits (emergency formalities) are plain elapsed time.
 */
function computeDeadline(decision: Pick<RouteDecision, 'timeLimit' | 'stages'>, calendar: WorkingDayCalendar, startedAt: Date): Deadline {
  const limit = decision.timeLimit
  if (!limit) return { dueDate: null, dueAt: null, provisional: false, stages: [] }
  if (limit.unit === 'hours') {
    const dueAt = new Date(startedAt.getTime() + limit.amount * HOUR_MS)
    return { dueDate: shanghaiDateOf(dueAt), dueAt, provisional: false, stages: [] }
  }
  const startDate = shanghaiDateOf(startedAt)
  const due = calendar.addWorkingDays(startDate, limit.amount)
  let provisional = due.provisional
  let stageStart = startDate
  const stages = decision.stages.map((stage) => {
    const stageDue = calendar.addWorkingDays(stageStart, stage.workingDays)
    provisional ||= stageDue.provisional
    stageStart = stageDue.date
    return { key: stage.key, name: stage.name, workingDays: stage.workingDays, dueDate: stageDue.date }
  })
  return { dueDate: due.date, dueAt: endOfShanghaiDay(due.date), provisional, stages }
}

/** Only the facts the rules look at, so callers can pass a whole request body. */
export function routeInputOf(source: RouteInput): RouteInput {
  return {
    voltageVolts: source.voltageVolts,
    excavationLengthMeters: source.excavationLengthMeters,
    emergency: source.emergency,
    roadProtected: source.roadProtected,
  }
}

export function assess(ruleSet: RuleSet, calendar: WorkingDayCalendar, input: RouteInput, acceptedAt: Date, facts?: WorksFacts, locale: Locale = 'en'): Assessment {
  const decision = decideRoute(ruleSet, routeInputOf(input), facts, locale)
  return {
    decision,
    acceptedAt,
    ruleSet: { id: ruleSet.id, version: ruleSet.version, effectiveFrom: ruleSet.effectiveFrom },
    calendarFingerprint: calendar.fingerprint(),
    ...computeDeadline(decision, calendar, acceptedAt),
  }
}

export function presentAssessment(assessment: Assessment) {
  const { decision } = assessment
  return {
    route: decision.route,
    behaviour: decision.behaviour,
    requiresApproval: decision.requiresApproval,
    requiresJointReview: decision.requiresJointReview,
    timeLimit: decision.timeLimit,
    approvingAuthority: decision.approvingAuthority,
    acceptedAt: formatShanghaiInstant(assessment.acceptedAt),
    dueDate: assessment.dueDate,
    dueAt: assessment.dueAt ? formatShanghaiInstant(assessment.dueAt) : null,
    provisional: assessment.provisional,
    stages: assessment.stages,
    ruleSet: assessment.ruleSet,
    calendarFingerprint: assessment.calendarFingerprint,
    explanation: decision.explanation,
  }
}
