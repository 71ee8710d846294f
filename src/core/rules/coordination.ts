/** The coordination a rule set asks for, with the default when a rule-set version does not state its own. */
import type { Coordination, RuleSet } from './rule-set.schema.ts'

/** 10 m: two trenches closer than a carriageway lane are one occupation of the street for the traffic plan. */
const DEFAULT_COORDINATION: Coordination = { clashBufferMeters: 10 }

export function clashBufferMetersOf(ruleSet: Pick<RuleSet, 'parameters'>): number {
  return (ruleSet.parameters.coordination ?? DEFAULT_COORDINATION).clashBufferMeters
}
