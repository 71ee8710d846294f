/**
 * A stored decision's explanation in another language. A case keeps the explanation its decision was made with
 * (in English, the record); for a reader in zh-CN the decision is made again, in that language, from the same
 * rule-set version, the same declared facts and the facts the service established at intake (the length check and
 * the register roads as they were then). The re-made explanation is used only if it is the same explanation —
 * the same items with the same codes and citations in the same order — so the reader never sees another
 * decision; otherwise (an old case, a rule set no longer loaded) the stored text is answered. Pure.
 */
import type { CivilDate } from '../calendar/civil-date.ts'
import type { Locale } from '../i18n/locale.ts'
import type { LengthCheck } from './length-check.ts'
import { type CaseRoad, decideRoute, type ExplanationItem, type RouteDecision, type RouteInput, type WorksFacts } from './route-decision.ts'
import type { RuleSet } from './rule-set.schema.ts'

export interface DecidedApplication {
  input: RouteInput
  plannedStartDate: CivilDate
  plannedEndDate: CivilDate
  lengthCheck: LengthCheck | null
  roads: readonly CaseRoad[]
}

function sameStructure(a: readonly ExplanationItem[], b: readonly ExplanationItem[]): boolean {
  return a.length === b.length && a.every((item, i) => item.code === b[i]?.code && item.basis === b[i]?.basis)
}

/** The facts as works-facts.service.ts established them at intake, rebuilt from what the case keeps. */
function factsOf(application: DecidedApplication): WorksFacts {
  const { plannedStartDate, plannedEndDate, roads } = application
  return {
    plannedStartDate,
    lengthCheck: application.lengthCheck,
    roads: roads.map((road) => ({ code: road.code, name: road.name, class: road.class, protection: road.protection ?? undefined })),
    restrictions: roads.flatMap((road) => road.restrictions.filter((r) => r.from <= plannedEndDate && plannedStartDate <= r.to).map((r) => ({ road: road.code, ...r }))),
  }
}

export function decisionExplanationIn(locale: Locale, stored: RouteDecision, ruleSet: RuleSet | undefined, application: DecidedApplication): ExplanationItem[] {
  if (locale === 'en' || ruleSet === undefined) return stored.explanation
  // Cases submitted before the service established facts were decided without them.
  for (const facts of [factsOf(application), undefined]) {
    let remade: RouteDecision
    try {
      remade = decideRoute(ruleSet, application.input, facts, locale)
    } catch {
      continue
    }
    if (remade.route === stored.route && sameStructure(remade.explanation, stored.explanation)) return remade.explanation
  }
  return stored.explanation
}
