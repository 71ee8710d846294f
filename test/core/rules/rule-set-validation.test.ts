import t from 'tap'
import { DEFAULT_RULE_SET } from '../../../src/core/rules/default-rule-set.ts'
import type { RuleSetParameters } from '../../../src/core/rules/rule-set.schema.ts'
import { parseRuleSet, validateRuleSetParameters } from '../../../src/core/rules/rule-set.validation.ts'

function issuesAfter(change: (p: RuleSetParameters) => void) {
  const p = structuredClone(DEFAULT_RULE_SET.parameters) as RuleSetParameters
  change(p)
  return validateRuleSetParameters(p)
}

const tier = (p: RuleSetParameters, i: number) => p.voltageTiers[i]!
const band = (p: RuleSetParameters, tierIndex: number, i: number) => tier(p, tierIndex).lengthBands[i]!
const terms = (p: RuleSetParameters, route: string) => p.routeTerms.find((r) => r.route === route)!

t.test('DEFAULT_RULE_SET validates clean', async (t) => {
  t.strictSame(validateRuleSetParameters(DEFAULT_RULE_SET.parameters), [])
})

interface Case {
  name: string
  change: (p: RuleSetParameters) => void
  path: string
  message: RegExp
  /** How many issues the change causes in total (default: exactly this one). */
  count?: number
}

const cases: Case[] = [
  // Voltage tiers cover (0 V, ∞) with no gaps and no overlaps.
  {
    name: 'voltage gap',
    change: (p) => (tier(p, 1).min = { value: 500, inclusive: false }),
    path: 'parameters.voltageTiers.1.min',
    message: /voltage tiers leave a gap between 400 V \(exclusive\) and 500 V \(inclusive\).*start tier "distribution" where tier "low_voltage" ends: min 400 V, exclusive/,
  },
  {
    name: 'voltage gap at a single value',
    change: (p) => (tier(p, 0).max = { value: 400, inclusive: false }),
    path: 'parameters.voltageTiers.1.min',
    message: /voltage tiers leave a gap at exactly 400 V/,
  },
  {
    name: 'voltage overlap',
    change: (p) => (tier(p, 1).min = { value: 300, inclusive: false }),
    path: 'parameters.voltageTiers.1.min',
    message: /voltage tiers overlap between 300 V and 400 V: both tier "low_voltage" and tier "distribution"/,
  },
  {
    name: 'voltage overlap at a single value',
    change: (p) => (tier(p, 1).min = { value: 400, inclusive: true }),
    path: 'parameters.voltageTiers.1.min',
    message: /voltage tiers overlap at exactly 400 V.*make one of the two bounds exclusive/,
  },
  {
    name: 'tiers out of order',
    change: (p) => p.voltageTiers.reverse(),
    path: 'parameters.voltageTiers.2.min',
    message: /tier "low_voltage" starts below tier "distribution": list the voltage tiers in ascending order/,
    count: 4, // and the first does not start at 0, an unbounded tier is not last, the last is bounded
  },
  {
    name: 'first tier does not start at 0',
    change: (p) => (tier(p, 0).min = { value: 100, inclusive: true }),
    path: 'parameters.voltageTiers.0.min',
    message: /voltage tiers leave a gap between 0 V \(exclusive\) and 100 V \(exclusive\)/,
  },
  {
    name: 'last tier bounded',
    change: (p) => (tier(p, 2).max = { value: 500_000, inclusive: true }),
    path: 'parameters.voltageTiers.2.max',
    message: /everything over 500 kV uncovered.*max: null/,
  },
  {
    name: 'unbounded tier before the last',
    change: (p) => (tier(p, 1).max = null),
    path: 'parameters.voltageTiers.1.max',
    message: /tier "distribution" is unbounded above/,
  },
  {
    name: 'empty tier',
    change: (p) => (tier(p, 1).max = { value: 400, inclusive: true }),
    path: 'parameters.voltageTiers.1.max',
    message: /tier "distribution" is empty/,
    count: 2, // and the gap it leaves up to the next tier
  },
  {
    name: 'fractional volts',
    change: (p) => {
      tier(p, 0).max = { value: 400.5, inclusive: true }
      tier(p, 1).min = { value: 400.5, inclusive: false }
    },
    path: 'parameters.voltageTiers.0.max.value',
    message: /400.5 cannot be compared exactly; use whole volts/,
    count: 2,
  },
  {
    name: 'duplicate tier key',
    change: (p) => (tier(p, 2).key = 'distribution'),
    path: 'parameters.voltageTiers.2.key',
    message: /tier key "distribution" is used by tiers 1 and 2/,
  },
  // Length bands cover (0 m, ∞) within each tier.
  {
    name: 'length gap',
    change: (p) => (band(p, 1, 1).min = { value: 60, inclusive: true }),
    path: 'parameters.voltageTiers.1.lengthBands.1.min',
    message: /length bands of tier "distribution" leave a gap between 50 m \(inclusive\) and 60 m \(exclusive\)/,
  },
  {
    name: 'length gap at exactly 50 m (both bands exclusive: the text read literally)',
    change: (p) => (band(p, 1, 1).min = { value: 50, inclusive: false }),
    path: 'parameters.voltageTiers.1.lengthBands.1.min',
    message: /leave a gap at exactly 50 m.*make one of the two bounds inclusive/,
  },
  {
    name: 'length overlap',
    change: (p) => (band(p, 1, 0).max = { value: 60, inclusive: false }),
    path: 'parameters.voltageTiers.1.lengthBands.1.min',
    message: /length bands of tier "distribution" overlap between 50 m and 60 m/,
  },
  {
    name: 'length overlap at exactly 200 m',
    change: (p) => (band(p, 0, 1).min = { value: 200, inclusive: true }),
    path: 'parameters.voltageTiers.0.lengthBands.1.min',
    message: /length bands of tier "low_voltage" overlap at exactly 200 m/,
  },
  {
    name: 'length bound with three decimals',
    change: (p) => {
      band(p, 1, 0).max = { value: 50.005, inclusive: false }
      band(p, 1, 1).min = { value: 50.005, inclusive: true }
    },
    path: 'parameters.voltageTiers.1.lengthBands.0.max.value',
    message: /50.005 cannot be compared exactly; use metres with at most two decimals/,
    count: 2,
  },
  {
    name: 'last length band bounded',
    change: (p) => (band(p, 2, 0).max = { value: 10_000, inclusive: true }),
    path: 'parameters.voltageTiers.2.lengthBands.0.max',
    message: /everything over 10000 m uncovered/,
  },
  // Fall-through.
  {
    name: 'fall-through to an unknown tier',
    change: (p) => (band(p, 0, 1).outcome = { kind: 'fall_through', tier: 'medium' }),
    path: 'parameters.voltageTiers.0.lengthBands.1.outcome.tier',
    message: /falls through to tier "medium", which does not exist/,
  },
  {
    name: 'fall-through to its own tier',
    change: (p) => (band(p, 0, 1).outcome = { kind: 'fall_through', tier: 'low_voltage' }),
    path: 'parameters.voltageTiers.0.lengthBands.1.outcome.tier',
    message: /falls through to its own tier/,
  },
  {
    name: 'fall-through cycle',
    change: (p) => (band(p, 1, 1).outcome = { kind: 'fall_through', tier: 'low_voltage' }),
    path: 'parameters.voltageTiers.0.lengthBands',
    message: /fall through in a cycle \("low_voltage" → "distribution" → "low_voltage"\)/,
    count: 2, // and joint_review is now in routeOrder without a rule
  },
  // Routes, their order and their terms.
  {
    name: 'missing time limit',
    change: (p) => (p.routeTerms = p.routeTerms.filter((r) => r.route !== 'fast_track')),
    path: 'parameters.routeTerms',
    message: /route "fast_track" has no time limit entry/,
  },
  {
    name: 'duplicate route terms',
    change: (p) => p.routeTerms.push(structuredClone(terms(p, 'standard'))),
    path: 'parameters.routeTerms.6.route',
    message: /route "standard" has two entries in routeTerms \(5 and 6\)/,
  },
  {
    name: 'route missing from routeOrder',
    change: (p) => (p.routeOrder = p.routeOrder.filter((r) => r !== 'fast_track')),
    path: 'parameters.routeOrder',
    message: /route "fast_track" has a rule but is missing from routeOrder/,
  },
  {
    name: 'route twice in routeOrder',
    change: (p) => p.routeOrder.push('fast_track'),
    path: 'parameters.routeOrder.6',
    message: /route "fast_track" appears twice in routeOrder \(positions 3 and 6\)/,
  },
  {
    name: 'route in routeOrder without a rule',
    change: (p) => (p.conditionRules = p.conditionRules.filter((r) => r.route !== 'special_approval')),
    path: 'parameters.routeOrder.1',
    message: /route "special_approval" is in routeOrder but no condition rule or length band leads to it/,
  },
  {
    name: 'condition rule after every band route',
    change: (p) => (p.routeOrder = ['special_approval', 'commitment_filing', 'fast_track', 'joint_review', 'standard', 'emergency_repair']),
    path: 'parameters.conditionRules.0',
    message: /route "emergency_repair" comes after every length-band route in routeOrder, so it can never match/,
  },
  {
    name: 'a route that is both a condition and a band route',
    change: (p) => (band(p, 2, 0).outcome = { kind: 'route', route: 'special_approval' }),
    path: 'parameters.voltageTiers.2.lengthBands.0.outcome.route',
    message: /route "special_approval" is already decided by a condition rule/,
    count: 2, // and standard is now in routeOrder without a rule
  },
  // Time limits and the joint-review stages.
  {
    name: 'stages do not add up to the joint-review time limit',
    change: (p) => (p.jointReviewStages[0]!.workingDays = 5),
    path: 'parameters.jointReviewStages',
    message: /stages add up to 9 working days \(5\+2\+1\+1\) but route "joint_review" has a time limit of 8 working days/,
  },
  {
    name: 'joint-review time limit changed without the stages',
    change: (p) => (terms(p, 'joint_review').timeLimit = { amount: 10, unit: 'working_days' }),
    path: 'parameters.jointReviewStages',
    message: /add up to 8 working days \(4\+2\+1\+1\) but route "joint_review" has a time limit of 10 working days/,
  },
  {
    name: 'duplicate stage keys',
    change: (p) => (p.jointReviewStages[3]!.key = 'decision'),
    path: 'parameters.jointReviewStages.3.key',
    message: /stage key "decision" is used by stages 2 and 3/,
  },
  {
    name: 'joint review counted in hours',
    change: (p) => (terms(p, 'joint_review').timeLimit = { amount: 8, unit: 'hours' }),
    path: 'parameters.routeTerms.4.timeLimit.unit',
    message: /stages are counted in working days, but its time limit is in hours/,
  },
  {
    name: 'joint review without a time limit',
    change: (p) => (terms(p, 'joint_review').timeLimit = null),
    path: 'parameters.routeTerms.4.timeLimit',
    message: /requires joint review but has no time limit; set it to the sum of the stages \(8 working days\)/,
  },
  {
    name: 'joint review without stages',
    change: (p) => (p.jointReviewStages = []),
    path: 'parameters.jointReviewStages',
    message: /no joint-review stages/,
  },
  {
    name: 'extension in another unit',
    change: (p) => (terms(p, 'standard').extension = { amount: 80, unit: 'hours' }),
    path: 'parameters.routeTerms.5.extension.unit',
    message: /counts its time limit in working_days but its extension in hours/,
  },
  {
    name: 'extension without a time limit',
    change: (p) => (terms(p, 'special_approval').extension = { amount: 10, unit: 'working_days' }),
    path: 'parameters.routeTerms.1.extension',
    message: /route "special_approval" has an extension but no time limit/,
  },
]

for (const c of cases) {
  t.test(c.name, async (t) => {
    const issues = issuesAfter(c.change)
    t.equal(issues.length, c.count ?? 1, `issues: ${JSON.stringify(issues, null, 1)}`)
    const found = issues.find((i) => i.path === c.path)
    t.ok(found, `an issue at ${c.path}`)
    t.match(found?.message, c.message)
  })
}

t.test('parseRuleSet: shape and semantics, one issue format', async (t) => {
  const ok = parseRuleSet(JSON.parse(JSON.stringify(DEFAULT_RULE_SET)))
  t.equal(ok.ok, true)

  const typo = JSON.parse(JSON.stringify(DEFAULT_RULE_SET))
  typo.parameters.voltageTiers[0].max.inclusve = true
  const shape = parseRuleSet(typo)
  t.equal(shape.ok, false, 'a misspelt key is an error, not silently dropped')
  if (!shape.ok) t.equal(shape.issues[0]?.path, 'parameters.voltageTiers.0.max')

  const badDate = { ...JSON.parse(JSON.stringify(DEFAULT_RULE_SET)), effectiveFrom: '2019-13-01' }
  const date = parseRuleSet(badDate)
  t.equal(date.ok, false)
  if (!date.ok) t.equal(date.issues[0]?.path, 'effectiveFrom')

  const gap = JSON.parse(JSON.stringify(DEFAULT_RULE_SET))
  gap.parameters.voltageTiers[1].min = { value: 500, inclusive: false }
  const semantic = parseRuleSet(gap)
  t.equal(semantic.ok, false)
  if (!semantic.ok) {
    t.strictSame(
      semantic.issues.map((i) => i.path),
      ['parameters.voltageTiers.1.min'],
    )
  }
})
