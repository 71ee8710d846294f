import t from 'tap'
import { DEFAULT_RULE_SET } from '../../../src/core/rules/default-rule-set.ts'
import { checkReasonCodes } from '../../../src/core/rules/reason-codes.ts'
import { validateRuleSetParameters } from '../../../src/core/rules/rule-set.validation.ts'
import { DEFAULT_REASON_CODES } from '../../../src/core/rules/default-reason-codes.ts'
import { thresholdWorkingDays } from '../../../src/core/rules/supervision.schema.ts'

t.test('warning thresholds: ceil(percent × limit / 100) whole working days, at least one', async (t) => {
  const table: Array<[percent: number, limit: number, days: number]> = [
    [50, 8, 4],
    [90, 8, 8], // 7.2 rounds up: red on the due date itself
    [50, 2, 1],
    [90, 2, 2], // 1.8 → 2
    [50, 4, 2],
    [90, 4, 4], // 3.6 → 4
    [50, 1, 1],
    [90, 1, 1], // a 1-day stage: yellow and red together
    [50, 20, 10],
    [90, 20, 18],
    [90, 30, 27],
    [75, 30, 23], // 22.5 → 23
    [1, 1, 1],
    [100, 8, 8],
  ]
  for (const [percent, limit, days] of table) t.equal(thresholdWorkingDays(percent, limit), days, `${percent} % of ${limit}`)
})

t.test('supervision terms and code lists are checked with the rule set', async (t) => {
  const parameters = structuredClone(DEFAULT_RULE_SET.parameters)
  t.same(validateRuleSetParameters(parameters), [], 'the default rule set is valid')
  const basis = { citation: 'c', text: 't' }
  const terms = parameters.routeTerms
  const at = (route: string) => terms.findIndex((r) => r.route === route)
  ;(terms[at('fast_track')] as (typeof terms)[number]).supervision = { yellowPercent: 60, redPercent: 50, onTimeout: 'flag', basis }
  ;(terms[at('commitment_filing')] as (typeof terms)[number]).supervision = { yellowPercent: 50, redPercent: 90, onTimeout: 'deem_approved', basis }
  ;(terms[at('standard')] as (typeof terms)[number]).supervision = { yellowPercent: 50, redPercent: 90, stageYellowPercent: 80, stageRedPercent: 70, onTimeout: 'flag', basis }
  parameters.reasonCodes = structuredClone(DEFAULT_REASON_CODES)
  parameters.reasonCodes.refuse.push({ ...parameters.reasonCodes.refuse[0]! })
  const paths = validateRuleSetParameters(parameters).map((i) => i.path)
  t.same(paths, [
    `parameters.routeTerms.${at('commitment_filing')}.supervision.onTimeout`,
    `parameters.routeTerms.${at('fast_track')}.supervision.redPercent`,
    `parameters.routeTerms.${at('standard')}.supervision.stageRedPercent`,
    `parameters.reasonCodes.refuse.${parameters.reasonCodes.refuse.length - 1}.code`,
  ])
})

t.test('reason codes: each unknown code named by its path; actions without a list take none', async (t) => {
  const table: Array<[string, Record<string, unknown>, string[]]> = [
    ['refuse', { reasonCodes: ['pipeline_conflict'] }, []],
    ['refuse', { reasonCodes: ['pipeline_conflict', 'bad_weather', 'outside_competence'] }, ['reasonCodes.1', 'reasonCodes.2']],
    ['not_accept', { reasonCodes: ['outside_competence'] }, []],
    ['refuse_change', { reasonCodes: ['period_conflict', 'pipeline_map'] }, ['reasonCodes.1']],
    ['revoke_filing', { reasonCodes: ['false_commitment'] }, []],
    ['request_supplement', { items: [{ item: 'a', code: 'pipeline_map' }, { item: 'b' }, { item: 'c', code: 'pipline_map' }] }, ['items.2.code']],
    ['approve', { reasonCodes: ['anything'] }, []],
  ]
  for (const [action, payload, paths] of table) {
    t.same(
      checkReasonCodes(action, payload, DEFAULT_REASON_CODES).map((i) => i.path),
      paths,
      `${action} ${JSON.stringify(payload)}`,
    )
  }
})
