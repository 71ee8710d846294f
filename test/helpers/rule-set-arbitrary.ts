/**
 * Generated rule-set variants for property tests: the default rule set with its thresholds, stage plan,
 * time limits, extensions, approval terms and joint-review flags changed. Biased so that a good share
 * passes the validator and the rest is refused for one or two reasons, among them the plans the
 * lifecycle could not run (a single stage, formalities in working days, an extension of 0, …).
 */
import fc from 'fast-check'
import { DEFAULT_RULE_SET } from '../../src/core/rules/default-rule-set.ts'
import type { RouteInput } from '../../src/core/rules/route-decision.ts'
import type { RouteTerms, RuleSet, TimeLimit } from '../../src/core/rules/rule-set.schema.ts'

const limitArb = (unit: TimeLimit['unit'], max: number): fc.Arbitrary<TimeLimit> => fc.integer({ min: 0, max }).map((amount) => ({ amount, unit }))

const termsArb = (terms: RouteTerms): fc.Arbitrary<Partial<RouteTerms>> => {
  const usual = terms.timeLimit?.unit ?? 'working_days'
  return fc.record({
    requiresApproval: fc.oneof({ arbitrary: fc.constant(terms.requiresApproval), weight: 4 }, { arbitrary: fc.boolean(), weight: 1 }),
    requiresJointReview: fc.oneof({ arbitrary: fc.constant(terms.requiresJointReview), weight: 12 }, { arbitrary: fc.boolean(), weight: 1 }),
    timeLimit: fc.oneof(
      { arbitrary: fc.constant(terms.timeLimit), weight: 10 },
      { arbitrary: limitArb(usual, usual === 'hours' ? 72 : 30), weight: 10 },
      { arbitrary: fc.constant(null), weight: 1 },
      { arbitrary: limitArb(usual === 'hours' ? 'working_days' : 'hours', 30), weight: 1 },
    ),
    extension: fc.oneof(
      { arbitrary: fc.constant(terms.extension), weight: 20 },
      { arbitrary: fc.integer({ min: 1, max: 10 }).map((amount) => ({ amount, unit: 'working_days' as const })), weight: 2 },
      { arbitrary: fc.constant({ amount: 0, unit: 'working_days' as const }), weight: 1 },
    ),
    approvingAuthority: fc.oneof({ arbitrary: fc.constant(terms.approvingAuthority), weight: 4 }, { arbitrary: fc.constant(null), weight: 1 }),
  })
}

const metres = (min: number, max: number) => fc.integer({ min: min * 100, max: max * 100 }).map((c) => c / 100)

export const ruleSetArb: fc.Arbitrary<RuleSet> = fc
  .record({
    stageDays: fc.oneof(
      { arbitrary: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 2, maxLength: 6 }), weight: 8 },
      { arbitrary: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 0, maxLength: 1 }), weight: 1 },
    ),
    jointTotalMatches: fc.oneof({ arbitrary: fc.constant(true), weight: 6 }, { arbitrary: fc.constant(false), weight: 1 }),
    lowVoltage: fc.integer({ min: 1, max: 5_000 }),
    distributionVoltage: fc.integer({ min: 1, max: 50_000 }),
    filingLength: metres(0.01, 1_000),
    fastTrackLength: metres(0.01, 1_000),
    terms: fc.tuple(...DEFAULT_RULE_SET.parameters.routeTerms.map(termsArb)),
  })
  .map((g) => {
    const ruleSet = structuredClone(DEFAULT_RULE_SET) as RuleSet
    const p = ruleSet.parameters
    const [low, distribution, high] = p.voltageTiers as [
      RuleSet['parameters']['voltageTiers'][number],
      RuleSet['parameters']['voltageTiers'][number],
      RuleSet['parameters']['voltageTiers'][number],
    ]
    const v1 = g.lowVoltage
    const v2 = v1 + g.distributionVoltage
    low.max = { ...low.max!, value: v1 }
    distribution.min = { ...distribution.min, value: v1 }
    distribution.max = { ...distribution.max!, value: v2 }
    high.min = { ...high.min, value: v2 }
    low.lengthBands[0]!.max = { ...low.lengthBands[0]!.max!, value: g.filingLength }
    low.lengthBands[1]!.min = { ...low.lengthBands[1]!.min, value: g.filingLength }
    distribution.lengthBands[0]!.max = { ...distribution.lengthBands[0]!.max!, value: g.fastTrackLength }
    distribution.lengthBands[1]!.min = { ...distribution.lengthBands[1]!.min, value: g.fastTrackLength }
    p.jointReviewStages = g.stageDays.map((workingDays, i) => ({ key: `stage_${i}`, workingDays, name: `Stage ${i}`, description: `stage ${i} of ${g.stageDays.length}` }))
    p.routeTerms = p.routeTerms.map((terms, i) => ({ ...terms, ...g.terms[i] }))
    const total = g.stageDays.reduce((sum, d) => sum + d, 0)
    for (const terms of p.routeTerms) {
      if (terms.requiresJointReview && g.jointTotalMatches) terms.timeLimit = { amount: total, unit: 'working_days' }
    }
    return ruleSet
  })

/**
 * Applications that reach every route the rule set can decide: each voltage and length next to a
 * threshold, with and without the emergency and protected-road facts.
 */
export function probeInputs(ruleSet: RuleSet): RouteInput[] {
  const voltages = new Set<number>([1, 1_000_000])
  const lengths = new Set<number>([0.01, 100_000])
  for (const tier of ruleSet.parameters.voltageTiers) {
    for (const bound of [tier.min, tier.max]) if (bound) for (const v of [bound.value - 1, bound.value, bound.value + 1]) if (v >= 1 && v <= 1_000_000) voltages.add(v)
    for (const band of tier.lengthBands) {
      for (const bound of [band.min, band.max]) {
        if (!bound) continue
        const c = Math.round(bound.value * 100)
        for (const h of [c - 1, c, c + 1]) if (h >= 1 && h <= 10_000_000) lengths.add(h / 100)
      }
    }
  }
  const inputs: RouteInput[] = []
  for (const [emergency, roadProtected] of [
    [false, false],
    [true, false],
    [false, true],
  ] as const) {
    for (const voltageVolts of voltages) for (const excavationLengthMeters of lengths) inputs.push({ voltageVolts, excavationLengthMeters, emergency, roadProtected })
  }
  return inputs
}
