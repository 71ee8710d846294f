/**
 * The geography a rule set checks works against, with the defaults that apply when a rule-set version does
 * not state its own `geography` (rule-set.schema.ts): the 2019 notice's version predates the road register.
 */
import type { GeometryLimits } from '../geo/geometry-validation.ts'
import type { Geography, LegalBasis, RuleSet } from './rule-set.schema.ts'

const ART_33_PROTECTED: LegalBasis = {
  citation: '《城市道路管理条例》第三十三条第二款',
  text: '新建、扩建、改建的城市道路交付使用后5年内、大修的城市道路竣工后3年内不得挖掘；因特殊情况需要挖掘的，须经县级以上城市人民政府批准。',
}

export const DEFAULT_GEOGRAPHY: Geography = {
  // 漳州市: about 116°53′–118°08′ E, 23°32′–25°15′ N (city yearbook), with a margin for the coast and islands.
  jurisdiction: { name: 'Zhangzhou 漳州市', bbox: [116.88, 23.5, 118.15, 25.25] },
  maxVertices: 500,
  maxSideMeters: 1000,
  lengthTolerance: { minMeters: 2, percent: 5 },
  roadMatchToleranceMeters: 15,
  protectionPeriods: [
    {
      key: 'new_or_reconstructed',
      from: ['builtOn', 'reconstructedOn'],
      years: 5,
      lastDay: 'anniversary',
      description: 'a new, extended or reconstructed road may not be dug for 5 years after it is put into use (交付使用后5年内不得挖掘)',
      basis: ART_33_PROTECTED,
    },
    {
      key: 'overhauled',
      from: ['overhauledOn'],
      years: 3,
      lastDay: 'anniversary',
      description: 'an overhauled road may not be dug for 3 years after the overhaul is completed (大修竣工后3年内不得挖掘)',
      basis: ART_33_PROTECTED,
    },
  ],
  restrictionOutcome: {
    kind: 'refuse',
    basis: {
      citation: '道路登记册禁挖期 (road register no-dig period set by the road authority)',
      text: '禁挖期内（重大活动保障、道路整修计划等）不予受理掘路申请。',
    },
  },
  roadClassRules: [],
}

export function geographyOf(ruleSet: Pick<RuleSet, 'parameters'>): Geography {
  return ruleSet.parameters.geography ?? DEFAULT_GEOGRAPHY
}

/**
 * The rule set as it applies in a jurisdiction: a rule set without its own geography section checks works against
 * the jurisdiction's bounding box (GET /v1/jurisdictions) with the default limits, so another city's works are not
 * measured against Zhangzhou's box.
 */
export function inJurisdiction<T extends Pick<RuleSet, 'parameters'>>(ruleSet: T, area: { name: { zh: string; en: string }; bbox: [number, number, number, number] }): T {
  if (ruleSet.parameters.geography !== undefined) return ruleSet
  const geography: Geography = { ...DEFAULT_GEOGRAPHY, jurisdiction: { name: `${area.name.en} ${area.name.zh}`, bbox: [...area.bbox] } }
  return { ...ruleSet, parameters: { ...ruleSet.parameters, geography } }
}

export function geometryLimitsOf(geography: Geography): GeometryLimits {
  return { bbox: geography.jurisdiction.bbox, jurisdiction: geography.jurisdiction.name, maxVertices: geography.maxVertices, maxSideMeters: geography.maxSideMeters }
}
