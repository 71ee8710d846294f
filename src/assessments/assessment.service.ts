import { parseInstant, shanghaiDateOf } from '../core/calendar/civil-date.ts'
import { assess, presentAssessment } from '../core/rules/assessment.ts'
import type { CalendarService } from '../calendar/calendar.service.ts'
import type { Clock } from '../platform/clock.ts'
import type { RuleSetService } from '../rule-sets/rule-set.service.ts'
import type { Kysely } from 'kysely'
import type { Database } from '../platform/database/database.types.ts'
import { establishWorksFacts } from '../roads/works-facts.service.ts'
import { inJurisdiction } from '../core/rules/geography.ts'
import type { AssessmentRequest } from './assessment.schema.ts'
import type { Locale } from '../core/i18n/locale.ts'
import type { JurisdictionService } from '../jurisdictions/jurisdiction.service.ts'

export interface AssessmentServiceDeps {
  db: Kysely<Database>
  ruleSets: RuleSetService
  calendars: CalendarService
  clock: Clock
  jurisdictions: JurisdictionService
}

/**
 * What the rules decide for given works, stored nowhere: the rule-set version in force on the acceptance date
 * (Asia/Shanghai; now when none is given) and the loaded working-day calendar.
 */
export async function assessWorks(deps: AssessmentServiceDeps, body: AssessmentRequest, locale: Locale = 'en') {
  const { acceptedAt: acceptedAtText, jurisdiction: requested, geometry, plannedStartDate, plannedEndDate, ...input } = body
  const jurisdiction = await deps.jurisdictions.resolve(requested, 'jurisdiction')
  // The schema has already bounded and parsed-checked acceptedAt, so parseInstant cannot answer null here.
  const acceptedAt = acceptedAtText ? (parseInstant(acceptedAtText) as Date) : deps.clock.now()
  const [ruleSet, calendar] = await Promise.all([
    deps.ruleSets.inForce(shanghaiDateOf(acceptedAt), jurisdiction.ruleSetId).then((found) => inJurisdiction(found, jurisdiction)),
    deps.calendars.calendar(),
  ])
  // The same facts as intake (src/roads/works-facts.service.ts); without geometry the declared length decides unchecked.
  const start = plannedStartDate ?? shanghaiDateOf(acceptedAt)
  const works = await establishWorksFacts(
    deps.db,
    ruleSet,
    { geometry, excavationLengthMeters: input.excavationLengthMeters, plannedStartDate: start, plannedEndDate: plannedEndDate ?? start, emergency: input.emergency },
    'geometry',
  )
  return {
    jurisdiction: jurisdiction.code,
    ...presentAssessment(assess(ruleSet, calendar, input, acceptedAt, works.facts, locale)),
    lengthCheck: works.facts.lengthCheck,
    roads: works.roads,
  }
}
