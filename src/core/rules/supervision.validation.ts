/**
 * Semantic checks of the supervision terms and the reason-code lists of a rule set (the shapes are in
 * supervision.schema.ts and reason-codes.schema.ts); called by validateRuleSetParameters.
 */
import type { FieldIssue } from '../validation/field-issue.ts'
import { reasonCodeListKeys } from './reason-codes.schema.ts'
import type { RuleSetParameters } from './rule-set.schema.ts'

export function checkSupervisionAndReasonCodes(p: RuleSetParameters): FieldIssue[] {
  const issues: FieldIssue[] = []
  p.routeTerms.forEach((terms, index) => {
    const s = terms.supervision
    if (s === undefined) return
    const path = `parameters.routeTerms.${index}.supervision`
    if (s.redPercent < s.yellowPercent)
      issues.push({ path: `${path}.redPercent`, message: `the red warning (${s.redPercent} %) must not come before the yellow one (${s.yellowPercent} %)` })
    const stageYellow = s.stageYellowPercent ?? s.yellowPercent
    const stageRed = s.stageRedPercent ?? s.redPercent
    const ownStagePercents = s.stageYellowPercent !== undefined || s.stageRedPercent !== undefined
    if (ownStagePercents && stageRed < stageYellow)
      issues.push({ path: `${path}.stageRedPercent`, message: `the red stage warning (${stageRed} %) must not come before the yellow one (${stageYellow} %)` })
    if (s.onTimeout === 'deem_approved' && (!terms.requiresApproval || terms.timeLimit === null || terms.timeLimit.unit !== 'working_days')) {
      issues.push({ path: `${path}.onTimeout`, message: 'deem_approved needs a route that requires approval and has a time limit in working days' })
    }
  })
  const codes = p.reasonCodes
  if (codes !== undefined) {
    for (const key of reasonCodeListKeys) {
      const seen = new Map<string, number>()
      codes[key].forEach((entry, index) => {
        const first = seen.get(entry.code)
        if (first !== undefined) issues.push({ path: `parameters.reasonCodes.${key}.${index}.code`, message: `code "${entry.code}" is listed twice (also at ${first})` })
        else seen.set(entry.code, index)
      })
    }
  }
  return issues
}
