/**
 * Checking and reading the reason codes of a transition against the case's rule set (reason-codes.schema.ts). Pure.
 */
import type { FieldIssue } from '../validation/field-issue.ts'
import { DEFAULT_REASON_CODES } from './default-reason-codes.ts'
import { type ReasonCodes, reasonCodeListOfAction } from './reason-codes.schema.ts'
import type { RuleSet } from './rule-set.schema.ts'

/** The lists of a rule set; a rule set stored before code lists existed uses the default rule set's (version 1). */
export function reasonCodesOf(ruleSet: Pick<RuleSet, 'parameters'> | undefined): ReasonCodes {
  return ruleSet?.parameters.reasonCodes ?? DEFAULT_REASON_CODES
}

/** The codes a transition body names, with the path of each (reasonCodes.0, items.2.code). */
export function codesInPayload(action: string, payload: Record<string, unknown>): Array<{ code: string; path: string }> {
  if (action === 'request_supplement') {
    const items = Array.isArray(payload.items) ? (payload.items as Array<{ code?: unknown }>) : []
    return items.flatMap((item, index) => (typeof item.code === 'string' ? [{ code: item.code, path: `items.${index}.code` }] : []))
  }
  const codes = Array.isArray(payload.reasonCodes) ? (payload.reasonCodes as unknown[]) : []
  return codes.flatMap((code, index) => (typeof code === 'string' ? [{ code, path: `reasonCodes.${index}` }] : []))
}

/** One issue per code that is not in the action's list of the rule set, naming its path and the list. */
export function checkReasonCodes(action: string, payload: Record<string, unknown>, lists: ReasonCodes): FieldIssue[] {
  const key = reasonCodeListOfAction[action]
  if (key === undefined) return []
  const known = new Set(lists[key].map((entry) => entry.code))
  return codesInPayload(action, payload)
    .filter(({ code }) => !known.has(code))
    .map(({ code, path }) => ({
      path,
      message: `unknown code "${code}": not in the ${key} list (version ${lists.version}) of the case's rule set; known: ${[...known].join(', ') || 'none'}`,
    }))
}
