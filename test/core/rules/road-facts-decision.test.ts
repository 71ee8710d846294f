import t from 'tap'
import { DEFAULT_RULE_SET } from '../../../src/core/rules/default-rule-set.ts'
import { DEFAULT_GEOGRAPHY } from '../../../src/core/rules/geography.ts'
import { checkLength } from '../../../src/core/rules/length-check.ts'
import { decideRoute, type MatchedRoad, type WorksFacts } from '../../../src/core/rules/route-decision.ts'
import type { RuleSet } from '../../../src/core/rules/rule-set.schema.ts'

const arterial: MatchedRoad = { code: 'ZZ-LW-0001', name: '水仙大街', class: 'arterial', protection: undefined }
const branch: MatchedRoad = { code: 'ZZ-XC-0003', name: '建元路', class: 'branch', protection: undefined }
const facts = (roads: MatchedRoad[], extra: Partial<WorksFacts> = {}): WorksFacts => ({ plannedStartDate: '2026-03-02', lengthCheck: null, roads, restrictions: [], ...extra })
const lowVoltage = { voltageVolts: 380, excavationLengthMeters: 120, emergency: false, roadProtected: false }

const withGeography = (geography: Partial<typeof DEFAULT_GEOGRAPHY>): RuleSet => ({
  ...DEFAULT_RULE_SET,
  parameters: { ...DEFAULT_RULE_SET.parameters, geography: { ...DEFAULT_GEOGRAPHY, ...geography } },
})

const noCommitmentOnArterials = withGeography({
  roadClassRules: [
    {
      route: 'commitment_filing',
      roadClasses: ['arterial'],
      outcome: { kind: 'fall_through', tier: 'distribution' },
      description: 'works on arterial roads are not filed on commitment; they are decided as 10 kV works',
      basis: { citation: 'example city notice', text: '主干道除外' },
    },
  ],
})

t.test('a road-class rule: arterials excluded from commitment filing', async (t) => {
  const table: Array<[string, RuleSet, WorksFacts | undefined, number, string]> = [
    ['no register facts: as before', noCommitmentOnArterials, undefined, 120, 'commitment_filing'],
    ['on a branch road', noCommitmentOnArterials, facts([branch]), 120, 'commitment_filing'],
    ['on an arterial, 120 m: falls through to the 10 kV bands, joint review', noCommitmentOnArterials, facts([arterial]), 120, 'joint_review'],
    ['on an arterial, 30 m: fast track', noCommitmentOnArterials, facts([arterial, branch]), 30, 'fast_track'],
    ['the default rule set has no such rule', DEFAULT_RULE_SET, facts([arterial]), 120, 'commitment_filing'],
  ]
  for (const [label, ruleSet, worksFacts, length, route] of table) {
    const decision = decideRoute(ruleSet, { ...lowVoltage, excavationLengthMeters: length }, worksFacts)
    t.equal(decision.route, route, label)
    if (route !== 'commitment_filing') {
      const item = decision.explanation.find((e) => e.code === 'road.class_rule')
      t.match(item?.text, /ZZ-LW-0001.*arterial/, `${label}: explained`)
    }
  }
})

t.test('a restriction routed instead of refused; the measured length in the band walk', async (t) => {
  const routed = withGeography({ restrictionOutcome: { kind: 'route', route: 'special_approval', basis: { citation: 'example', text: '禁挖期内须特别审批' } } })
  const hit = { road: 'ZZ-LW-0002', from: '2026-05-01', to: '2026-05-05', reason: 'festival' }
  const decision = decideRoute(routed, { ...lowVoltage, voltageVolts: 10000, excavationLengthMeters: 30 }, facts([branch], { restrictions: [hit] }))
  t.equal(decision.route, 'special_approval')
  t.match(decision.explanation[1]?.text, /ZZ-LW-0002 from 2026-05-01 to 2026-05-05/)
  t.equal(decideRoute(routed, { ...lowVoltage, emergency: true }, facts([branch], { restrictions: [hit] })).route, 'emergency_repair', 'an emergency still digs first')

  const measured = facts([], { lengthCheck: checkLength(49.99, 50, DEFAULT_GEOGRAPHY.lengthTolerance) })
  const onThreshold = decideRoute(DEFAULT_RULE_SET, { ...lowVoltage, voltageVolts: 10000, excavationLengthMeters: 49.99 }, measured)
  t.equal(onThreshold.route, 'joint_review', 'measured exactly 50 m: the boundary rule puts it in joint review')
  t.ok(
    onThreshold.explanation.some((e) => e.code === 'boundary.length.exactly_at_threshold'),
    'and the boundary item speaks of 50 m',
  )
})

t.test('publishing checks the geography: a real box, routes with terms, tiers that exist', async (t) => {
  const { validateRuleSetParameters } = await import('../../../src/core/rules/rule-set.validation.ts')
  t.same(validateRuleSetParameters(noCommitmentOnArterials.parameters), [], 'the example rule is valid')
  const broken = withGeography({
    jurisdiction: { name: 'x', bbox: [118, 24, 117, 25] },
    roadClassRules: [{ ...noCommitmentOnArterials.parameters.geography!.roadClassRules[0]!, outcome: { kind: 'fall_through', tier: 'nope' } }],
  })
  t.same(
    validateRuleSetParameters(broken.parameters).map((i) => i.path),
    ['parameters.geography.jurisdiction.bbox', 'parameters.geography.roadClassRules.0.outcome.tier'],
  )
})
