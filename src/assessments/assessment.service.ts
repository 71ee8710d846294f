import { parseInstant, shanghaiDateOf } from '../core/calendar/civil-date.ts'
import { assess, presentAssessment } from '../core/rules/assessment.ts'
import type { CalendarService } from '../calendar/calendar.service.ts'
import type { Clock } from '../platform/clock.ts'
import type { RuleSetService } from '../rule-sets/rule-set.service.ts'
import type { AssessmentRequest } from './assessment.schema.ts'
import type { JurisdictionService } from '../jurisdictions/jurisdiction.service.ts'

export interface AssessmentServiceDeps {
  ruleSets: RuleSetService
  calendars: CalendarService
  clock: Clock
  jurisdictions: JurisdictionService
}

/**
 * What the rules decide for given works, stored nowhere: the rule-set version in force on the acceptance date
 * (Asia/Shanghai; now when none is given) and the loaded working-day calendar.
 */
export async function assessWorks(deps: AssessmentServiceDeps, body: AssessmentRequest) {
  const { acceptedAt: acceptedAtText, jurisdiction: requested, ...input } = body
  const jurisdiction = await deps.jurisdictions.resolve(requested, 'jurisdiction')
  // The schema has already bounded and parsed-checked acceptedAt, so parseInstant cannot answer null here.
  const acceptedAt = acceptedAtText ? (parseInstant(acceptedAtText) as Date) : deps.clock.now()
  const [ruleSet, calendar] = await Promise.all([deps.ruleSets.inForce(shanghaiDateOf(acceptedAt), jurisdiction.ruleSetId), deps.calendars.calendar()])
  return { jurisdiction: jurisdiction.code, ...presentAssessment(assess(ruleSet, calendar, input, acceptedAt)) }
}
