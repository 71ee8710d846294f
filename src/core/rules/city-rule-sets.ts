/**
 * The green channels of two more cities, as data (docs/jurisdictions.md gives the sources and every decision taken
 * where they are silent). Nothing here is code the lifecycle switches on: each route names its `behaviour`.
 */
import type { Bound, LegalBasis, RouteTerms, RuleSet } from './rule-set.schema.ts'
import { deepFreeze, LICENSING_LAW_TIME_LIMIT, ROAD_AUTHORITIES, ROADS_ART_30, ROADS_ART_33_LICENSING, ROADS_ART_33_PROTECTED, ROADS_ART_34_EMERGENCY } from './default-rule-set.ts'

const from0: Bound = { value: 0, inclusive: false }

/** The two routes every city has under the national regulation (城市道路管理条例 arts. 33, 34). */
const NATIONAL_CONDITION_RULES: RuleSet['parameters']['conditionRules'] = [
  {
    route: 'emergency_repair',
    when: 'emergency',
    description: 'emergency repair of a failed buried line, at any voltage: dig first, notify at once, complete the formalities within 24 hours',
    basis: ROADS_ART_34_EMERGENCY,
  },
  {
    route: 'special_approval',
    when: 'roadProtected',
    description: 'the road is in its protection period: outside the green channel; digging needs the approval of the city government',
    basis: ROADS_ART_33_PROTECTED,
  },
]

const NATIONAL_ROUTE_TERMS: RouteTerms[] = [
  {
    route: 'emergency_repair',
    behaviour: 'emergency',
    name: 'emergency repair (紧急抢修)',
    requiresApproval: true,
    requiresJointReview: false,
    timeLimit: { amount: 24, unit: 'hours' },
    extension: null,
    timeLimitBasis: ROADS_ART_34_EMERGENCY,
    approvingAuthority: ROAD_AUTHORITIES,
    approvingAuthorityBasis: ROADS_ART_34_EMERGENCY,
  },
  {
    route: 'special_approval',
    behaviour: 'special_approval',
    name: 'special approval by the city government (特殊情况挖掘审批)',
    requiresApproval: true,
    requiresJointReview: false,
    timeLimit: null,
    extension: null,
    timeLimitBasis: ROADS_ART_33_PROTECTED,
    approvingAuthority: "县级以上城市人民政府 (city people's government at county level or above)",
    approvingAuthorityBasis: ROADS_ART_33_PROTECTED,
  },
  {
    route: 'standard',
    behaviour: 'standard',
    name: 'standard administrative licensing (一般行政许可)',
    requiresApproval: true,
    requiresJointReview: false,
    timeLimit: { amount: 20, unit: 'working_days' },
    extension: { amount: 10, unit: 'working_days' },
    timeLimitBasis: LICENSING_LAW_TIME_LIMIT,
    approvingAuthority: ROAD_AUTHORITIES,
    approvingAuthorityBasis: ROADS_ART_30,
  },
]

// ---------------------------------------------------------------------------------------------------
// Zhongshan, Guangdong
// ---------------------------------------------------------------------------------------------------

const ZS_SOURCE = '中山市优化电力接入工程审批服务措施（docs/jurisdictions.md §Zhongshan）'
const ZS_LOW_VOLTAGE: LegalBasis = { citation: ZS_SOURCE, text: '380/220伏低压电力接入工程涉及的掘路，实行备案管理，无需审批' }
const ZS_PARALLEL: LegalBasis = { citation: ZS_SOURCE, text: '10（20）千伏电力接入工程涉及的规划、掘路、占道、绿化等审批实行并联审批，5个工作日内办结' }

/** The nine approvals Zhongshan runs in parallel for 10 (20) kV works; the list is this rule set's reading (docs/jurisdictions.md). */
const ZS_PARALLEL_DEPARTMENTS = [
  '建设工程规划许可 (planning permit, natural resources bureau)',
  '城市道路挖掘许可 (road excavation, housing and urban-rural development bureau)',
  '占用城市道路许可 (road occupation, urban management)',
  '公安交通管理审批 (traffic police)',
  '占用、挖掘公路许可 (highway occupation, transport bureau)',
  '城市绿地占用、树木迁移许可 (green space and trees, forestry and landscaping)',
  '涉水工程审批 (river works, water affairs bureau)',
  '临时用地审批 (temporary land use, natural resources bureau)',
  '文物保护范围内施工审批 (cultural relics, culture bureau)',
]

const ZHONGSHAN: RuleSet = {
  id: 'zs-green-channel',
  version: 1,
  effectiveFrom: '2020-01-01',
  name: 'Zhongshan power-connection road-excavation green channel 中山市电力接入工程掘路绿色通道',
  description:
    'Low-voltage (380/220 V) works are filed without approval, at any length; 10 (20) kV works get nine approvals in ' +
    'parallel within 5 working days; above 20 kV, standard licensing. Decided where the source is silent (each a ' +
    'parameter of this data): "low voltage" is read as up to and including 1 kV (the national low-voltage limit; ' +
    'the source names 380/220 V only); the filing needs no signed commitment (备案, not 承诺报备: requiresCommitment ' +
    'false); works between 1 kV and 10 kV are treated as 10 kV works; 20 kV itself is in the parallel approval; the ' +
    'parallel approval has no extension and is never deemed approved.',
  parameters: {
    routeOrder: ['emergency_repair', 'special_approval', 'low_voltage_filing', 'parallel_approval', 'standard'],
    conditionRules: NATIONAL_CONDITION_RULES,
    voltageTiers: [
      {
        key: 'low_voltage',
        name: 'low-voltage (380/220 V)',
        min: from0,
        max: {
          value: 1000,
          inclusive: true,
          wording: '380/220伏',
          reading: 'the source names 380/220 V; read as the national low-voltage band, up to and including 1 kV',
          decidedBy: 'boundary_rule',
        },
        basis: ZS_LOW_VOLTAGE,
        lengthBands: [
          {
            min: from0,
            max: null,
            outcome: { kind: 'route', route: 'low_voltage_filing' },
            description: 'low-voltage works are filed (备案) at any length and acknowledged at once with a filing receipt; no approval',
            basis: ZS_LOW_VOLTAGE,
          },
        ],
      },
      {
        key: 'medium_voltage',
        name: '10 (20) kV',
        min: { value: 1000, inclusive: false, wording: '380/220伏', reading: 'above the low-voltage band' },
        max: { value: 20_000, inclusive: true, wording: '10（20）千伏', reading: '20 kV works are named by the source, so 20 kV itself is included' },
        basis: ZS_PARALLEL,
        lengthBands: [
          {
            min: from0,
            max: null,
            outcome: { kind: 'route', route: 'parallel_approval' },
            description: '10 (20) kV works: the departments approve in parallel (并联审批) within 5 working days, at any length',
            basis: ZS_PARALLEL,
          },
        ],
      },
      {
        key: 'high_voltage',
        name: 'above 20 kV',
        min: { value: 20_000, inclusive: false, wording: '10（20）千伏', reading: 'above 20 kV the source grants no green channel' },
        max: null,
        basis: ZS_PARALLEL,
        lengthBands: [
          { min: from0, max: null, outcome: { kind: 'route', route: 'standard' }, description: 'works above 20 kV go through ordinary licensing', basis: ROADS_ART_33_LICENSING },
        ],
      },
    ],
    routeTerms: [
      ...NATIONAL_ROUTE_TERMS,
      {
        route: 'low_voltage_filing',
        behaviour: 'commitment_filing',
        requiresCommitment: false,
        name: 'low-voltage filing (低压备案)',
        requiresApproval: false,
        requiresJointReview: false,
        timeLimit: { amount: 0, unit: 'working_days' },
        extension: null,
        timeLimitBasis: ZS_LOW_VOLTAGE,
        approvingAuthority: null,
        approvingAuthorityBasis: ZS_LOW_VOLTAGE,
      },
      {
        route: 'parallel_approval',
        behaviour: 'parallel_approval',
        name: 'parallel approval (10（20）千伏并联审批)',
        requiresApproval: true,
        requiresJointReview: false,
        timeLimit: { amount: 5, unit: 'working_days' },
        extension: null,
        timeLimitBasis: ZS_PARALLEL,
        approvingAuthority: ROAD_AUTHORITIES,
        approvingAuthorityBasis: ROADS_ART_30,
        parallelDepartments: ZS_PARALLEL_DEPARTMENTS,
      },
    ],
    jointReviewStages: [],
  },
}

// ---------------------------------------------------------------------------------------------------
// Yichuan, Henan (2022)
// ---------------------------------------------------------------------------------------------------

const YC_SOURCE = '伊川县优化电力接入工程审批实施细则（2022年）（docs/jurisdictions.md §Yichuan）'
const YC_EXEMPT: LegalBasis = { citation: YC_SOURCE, text: '0.4千伏及以下、长度200米及以下的电力接入工程，免于审批' }
const YC_COMMITMENT: LegalBasis = { citation: YC_SOURCE, text: '35千伏以下、长度200米及以下（占用绿地15平方米以下）的电力接入工程，实行告知承诺制' }
const YC_FILING: LegalBasis = { citation: YC_SOURCE, text: '长度200米以上、500米及以下的，实行备案制' }
const YC_JOINT_REVIEW: LegalBasis = { citation: YC_SOURCE, text: '长度500米以上的，实行联合审批，限时办结' }

/** The time limit of Yichuan's joint review: the source says only "限时办结"; this rule set's decision, a parameter (the stage plan). */
const YC_JOINT_REVIEW_DAYS = 5

const YICHUAN: RuleSet = {
  id: 'yc-green-channel',
  version: 1,
  effectiveFrom: '2022-01-01',
  name: 'Yichuan power-connection road-excavation green channel 伊川县电力接入工程掘路绿色通道',
  description:
    'Two filing bands below a time-limited joint review: up to 0.4 kV and 200 m, no approval (filed, no commitment); ' +
    'up to 35 kV and 200 m, filed on a signed commitment; over 200 m up to 500 m, filed; over 500 m, joint review; over ' +
    '35 kV, standard licensing. Decided where the source is silent (each a parameter of this data): the joint review ' +
    `takes ${YC_JOINT_REVIEW_DAYS} working days (survey 3 + decision 1 + issuance 1; the source says only 限时办结); ` +
    '"35千伏以下" includes 35 kV (以下 includes the number); exactly 200 m is in the lower band and exactly 500 m in the ' +
    'filing band (及以下); the green-space limit (15 m²) is not checked (the application does not carry that area).',
  parameters: {
    routeOrder: ['emergency_repair', 'special_approval', 'exempt_filing', 'commitment_filing', 'length_filing', 'joint_review', 'standard'],
    conditionRules: NATIONAL_CONDITION_RULES,
    voltageTiers: [
      {
        key: 'low_voltage',
        name: 'up to 0.4 kV',
        min: from0,
        max: { value: 400, inclusive: true, wording: '0.4千伏及以下', reading: '及以下 includes the number' },
        basis: YC_EXEMPT,
        lengthBands: [
          {
            min: from0,
            max: { value: 200, inclusive: true, wording: '200米及以下', reading: '及以下 includes the number' },
            outcome: { kind: 'route', route: 'exempt_filing' },
            description: 'up to 0.4 kV and 200 m: no approval; the works are filed and acknowledged at once',
            basis: YC_EXEMPT,
          },
          {
            min: { value: 200, inclusive: false, wording: '200米及以下', reading: 'over 200 m the exemption ends' },
            max: null,
            outcome: { kind: 'fall_through', tier: 'distribution' },
            description: 'low-voltage works over 200 m are decided by the length bands of works under 35 kV',
            basis: YC_FILING,
          },
        ],
      },
      {
        key: 'distribution',
        name: 'over 0.4 kV up to 35 kV',
        min: { value: 400, inclusive: false, wording: '0.4千伏及以下', reading: '0.4 kV itself is low voltage' },
        max: { value: 35_000, inclusive: true, wording: '35千伏以下', reading: '以下 includes the number (as the other notices read it)', decidedBy: 'boundary_rule' },
        basis: YC_COMMITMENT,
        lengthBands: [
          {
            min: from0,
            max: { value: 200, inclusive: true, wording: '200米及以下', reading: '及以下 includes the number' },
            outcome: { kind: 'route', route: 'commitment_filing' },
            description: 'up to 35 kV and 200 m: filed on a signed commitment (告知承诺制), acknowledged at once',
            basis: YC_COMMITMENT,
          },
          {
            min: { value: 200, inclusive: false, wording: '200米以上', reading: '以上 after a band that includes 200 m: over 200 m' },
            max: { value: 500, inclusive: true, wording: '500米及以下', reading: '及以下 includes the number' },
            outcome: { kind: 'route', route: 'length_filing' },
            description: 'over 200 m up to 500 m: filed (备案制), acknowledged at once',
            basis: YC_FILING,
          },
          {
            min: { value: 500, inclusive: false, wording: '500米以上', reading: 'over 500 m' },
            max: null,
            outcome: { kind: 'route', route: 'joint_review' },
            description: `over 500 m: joint review, completed within ${YC_JOINT_REVIEW_DAYS} working days`,
            basis: YC_JOINT_REVIEW,
          },
        ],
      },
      {
        key: 'high_voltage',
        name: 'over 35 kV',
        min: { value: 35_000, inclusive: false, wording: '35千伏以下', reading: 'above 35 kV the source grants no green channel' },
        max: null,
        basis: YC_COMMITMENT,
        lengthBands: [
          { min: from0, max: null, outcome: { kind: 'route', route: 'standard' }, description: 'works over 35 kV go through ordinary licensing', basis: ROADS_ART_33_LICENSING },
        ],
      },
    ],
    routeTerms: [
      ...NATIONAL_ROUTE_TERMS,
      {
        route: 'exempt_filing',
        behaviour: 'commitment_filing',
        requiresCommitment: false,
        name: 'exempt from approval, filed (免审批)',
        requiresApproval: false,
        requiresJointReview: false,
        timeLimit: { amount: 0, unit: 'working_days' },
        extension: null,
        timeLimitBasis: YC_EXEMPT,
        approvingAuthority: null,
        approvingAuthorityBasis: YC_EXEMPT,
      },
      {
        route: 'commitment_filing',
        behaviour: 'commitment_filing',
        name: 'commitment filing (告知承诺)',
        requiresApproval: false,
        requiresJointReview: false,
        timeLimit: { amount: 0, unit: 'working_days' },
        extension: null,
        timeLimitBasis: YC_COMMITMENT,
        approvingAuthority: null,
        approvingAuthorityBasis: YC_COMMITMENT,
      },
      {
        route: 'length_filing',
        behaviour: 'commitment_filing',
        requiresCommitment: false,
        name: 'filing, 200 m to 500 m (备案)',
        requiresApproval: false,
        requiresJointReview: false,
        timeLimit: { amount: 0, unit: 'working_days' },
        extension: null,
        timeLimitBasis: YC_FILING,
        approvingAuthority: null,
        approvingAuthorityBasis: YC_FILING,
      },
      {
        route: 'joint_review',
        behaviour: 'staged_joint_review',
        name: 'time-limited joint review (联合审批)',
        requiresApproval: true,
        requiresJointReview: true,
        timeLimit: { amount: YC_JOINT_REVIEW_DAYS, unit: 'working_days' },
        extension: null,
        timeLimitBasis: YC_JOINT_REVIEW,
        approvingAuthority: ROAD_AUTHORITIES,
        approvingAuthorityBasis: ROADS_ART_30,
      },
    ],
    jointReviewStages: [
      { key: 'joint_survey', workingDays: 3, name: 'joint survey and opinions (联合踏勘)', description: 'joint site survey and the written opinions of the departments' },
      { key: 'decision', workingDays: 1, name: 'approval decision (审批决定)', description: 'approval decision signed' },
      { key: 'issuance', workingDays: 1, name: 'permit issuance (发证)', description: 'permit issued and delivered' },
    ],
  },
}

/** Shipped with the service and seeded on every start (only what is missing): the jurisdictions' rule sets besides Zhangzhou's. */
export const CITY_RULE_SETS: readonly RuleSet[] = [ZHONGSHAN, YICHUAN].map(deepFreeze)
