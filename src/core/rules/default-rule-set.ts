/**
 * The first rule set: docs/domain.md §2, i.e. the November 2019 notice of the Zhangzhou city business-environment
 * office (seed article) read together with the national rules it sits under. Every boundary reading the
 * notice leaves open is stated on the bound itself (`reading`, `decidedBy`), and every rule cites its basis.
 */
import type { LegalBasis, RuleSet } from './rule-set.schema.ts'
import { DEFAULT_REASON_CODES } from './default-reason-codes.ts'

const NOTICE = '漳州市营商办《关于实行电力工程掘路审批快捷通道的通知》（2019年11月）'
const ROADS = '《城市道路管理条例》'

/** The notice, clause by clause (as quoted in the seed article). */
const NOTICE_LOW_VOLTAGE: LegalBasis = {
  citation: NOTICE,
  text: '400伏以下的低压用电工程，掘路申报实行承诺报备制，掘路审批快捷通道延伸至200米',
}
const NOTICE_FAST_TRACK: LegalBasis = {
  citation: NOTICE,
  text: '10千伏及以下掘路审批由供电公司"一站式"受理，用电工程掘路长度小于50米的，实行免联合会审，2个工作日内完成审批',
}
const NOTICE_JOINT_REVIEW: LegalBasis = {
  citation: NOTICE,
  text: '长度大于50米的，实行"一站式"联合会审和"4+2+1+1"会商会审，8个工作日内完成审批',
}

/** Who approves an excavation: the power company only accepts one-stop; approval stays with these two. */
export const ROAD_AUTHORITIES = '市政工程行政主管部门和公安交通管理部门 (municipal engineering authority and public-security traffic administration)'
export const ROADS_ART_30: LegalBasis = {
  citation: `${ROADS}第三十条`,
  text: '未经市政工程行政主管部门和公安交通管理部门批准，任何单位或者个人不得占用或者挖掘城市道路。',
}
export const ROADS_ART_33_LICENSING: LegalBasis = {
  citation: `${ROADS}第三十三条第一款`,
  text: '因工程建设需要挖掘城市道路的，应当持城市规划部门批准签发的文件和有关设计文件，到市政工程行政主管部门和公安交通管理部门办理审批手续，方可按照规定挖掘。',
}
export const ROADS_ART_33_PROTECTED: LegalBasis = {
  citation: `${ROADS}第三十三条第二款`,
  text: '新建、扩建、改建的城市道路交付使用后5年内、大修的城市道路竣工后3年内不得挖掘；因特殊情况需要挖掘的，须经县级以上城市人民政府批准。',
}
// The emergency-repair article is art. 34 of the 1996 regulation as amended (art. 35 is about site signs
// and inspection after approved excavation; art. 36 about changes to an approved excavation).
export const ROADS_ART_34_EMERGENCY: LegalBasis = {
  citation: `${ROADS}第三十四条`,
  text: '埋设在城市道路下的管线发生故障需要紧急抢修的，可以先行破路抢修，并同时通知市政工程行政主管部门和公安交通管理部门，在24小时内按照规定补办批准手续。',
}
export const LICENSING_LAW_TIME_LIMIT: LegalBasis = {
  citation: '《中华人民共和国行政许可法》第四十二条、第八十二条',
  text:
    '行政机关应当自受理行政许可申请之日起二十日内作出行政许可决定。二十日内不能作出决定的，经本行政机关负责人批准，可以延长十日，' +
    '并应当将延长期限的理由告知申请人。（第八十二条：期限以工作日计算，不含法定节假日。）',
}

const DEFAULT: RuleSet = {
  id: 'zz-green-channel',
  version: 1,
  effectiveFrom: '2019-11-01',
  name: 'Zhangzhou power-works road-excavation green channel 漳州市电力工程掘路审批绿色通道',
  description:
    'Routes for road excavation by power works in Zhangzhou, from the city business-environment office notice of ' +
    'November 2019 (承诺报备 up to 400 V / 200 m; 免联合会审 up to 10 kV under 50 m in 2 working days; "4+2+1+1" ' +
    'joint review in 8 working days), with emergency repair, protected roads and works over 10 kV under the national rules.',
  parameters: {
    // Emergency repair overrides everything (the line has failed; any voltage, even on a protected road);
    // a protected road is outside the green channel whatever the voltage and length; then the bands.
    routeOrder: ['emergency_repair', 'special_approval', 'commitment_filing', 'fast_track', 'joint_review', 'standard'],
    conditionRules: [
      {
        route: 'emergency_repair',
        when: 'emergency',
        description:
          'emergency repair of a failed buried line, at any voltage: dig first, notify the road authority and the ' +
          'traffic police at once, complete the formalities within 24 hours',
        basis: ROADS_ART_34_EMERGENCY,
      },
      {
        route: 'special_approval',
        when: 'roadProtected',
        description:
          'the road is in its protection period (within 5 years of construction or reconstruction, or 3 years of an ' +
          'overhaul): not eligible for the green channel; digging needs the approval of the city government',
        basis: ROADS_ART_33_PROTECTED,
      },
    ],
    voltageTiers: [
      {
        key: 'low_voltage',
        name: 'low-voltage',
        min: { value: 0, inclusive: false },
        max: { value: 400, inclusive: true, wording: '400伏以下', reading: '以下 includes the number' },
        basis: NOTICE_LOW_VOLTAGE,
        lengthBands: [
          {
            min: { value: 0, inclusive: false },
            max: { value: 200, inclusive: true, wording: '延伸至200米', reading: '延伸至 (extended to) includes the number' },
            outcome: { kind: 'route', route: 'commitment_filing' },
            description:
              'low-voltage works up to 200 m are filed with a signed commitment (承诺报备制) and acknowledged at once ' +
              'with a filing receipt; no approval is needed and the office may spot-check',
            basis: NOTICE_LOW_VOLTAGE,
          },
          {
            min: {
              value: 200,
              inclusive: false,
              wording: '延伸至200米',
              reading: 'the commitment filing reaches up to and including 200 m, no further',
            },
            max: null,
            outcome: { kind: 'fall_through', tier: 'distribution' },
            description:
              'low-voltage works over 200 m are not covered by the commitment filing; they are decided by the ' + 'rules for 10 kV and below (being over 50 m, joint review)',
            basis: {
              citation: NOTICE,
              text: '掘路审批快捷通道延伸至200米；10千伏及以下掘路审批由供电公司"一站式"受理',
            },
          },
        ],
      },
      {
        key: 'distribution',
        name: 'distribution-voltage',
        min: { value: 400, inclusive: false, wording: '400伏以下', reading: '400 V itself is low voltage (以下 includes the number)' },
        max: { value: 10_000, inclusive: true, wording: '10千伏及以下', reading: '及以下 includes the number' },
        basis: NOTICE_FAST_TRACK,
        lengthBands: [
          {
            min: { value: 0, inclusive: false },
            max: { value: 50, inclusive: false, wording: '长度小于50米的', reading: '小于 excludes the number' },
            outcome: { kind: 'route', route: 'fast_track' },
            description: 'works under 50 m are accepted one-stop and approved without joint review (免联合会审)',
            basis: NOTICE_FAST_TRACK,
          },
          {
            min: {
              value: 50,
              inclusive: true,
              wording: '长度大于50米的',
              reading: 'exactly 50 m is in neither band of the notice (小于50米 / 大于50米); an exemption from joint review is ' + 'read strictly, so it goes to joint review',
              decidedBy: 'boundary_rule',
            },
            max: null,
            outcome: { kind: 'route', route: 'joint_review' },
            description: 'works of 50 m or more go to one-stop joint review by the departments and "4+2+1+1" consultation review',
            basis: NOTICE_JOINT_REVIEW,
          },
        ],
      },
      {
        key: 'high_voltage',
        name: 'high-voltage',
        min: {
          value: 10_000,
          inclusive: false,
          wording: '10千伏及以下',
          reading: '10 kV itself is in the green channel (及以下 includes the number)',
        },
        max: null,
        basis: {
          citation: NOTICE,
          text: '10千伏及以下掘路审批由供电公司"一站式"受理 (the green channel covers 10 kV and below only)',
        },
        lengthBands: [
          {
            min: { value: 0, inclusive: false },
            max: null,
            outcome: { kind: 'route', route: 'standard' },
            description: 'works over 10 kV are outside the green channel and go through ordinary administrative licensing',
            basis: ROADS_ART_33_LICENSING,
          },
        ],
      },
    ],
    routeTerms: [
      {
        route: 'emergency_repair',
        name: 'emergency repair (紧急抢修)',
        // The approval is still required, after the fact: 补办批准手续 within 24 hours of the notification.
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
        name: 'special approval by the city government (特殊情况挖掘审批)',
        requiresApproval: true,
        requiresJointReview: false,
        // Neither the regulation nor the notice sets a time limit: tracked, not promised.
        timeLimit: null,
        extension: null,
        timeLimitBasis: ROADS_ART_33_PROTECTED,
        approvingAuthority: "县级以上城市人民政府 (city people's government at county level or above)",
        approvingAuthorityBasis: ROADS_ART_33_PROTECTED,
      },
      {
        route: 'commitment_filing',
        name: 'commitment filing (承诺报备)',
        requiresApproval: false,
        requiresJointReview: false,
        // "Immediate" is 0 working days rather than null: null means no limit is promised (special approval),
        // whereas the filing receipt is due on acceptance itself.
        timeLimit: { amount: 0, unit: 'working_days' },
        extension: null,
        timeLimitBasis: NOTICE_LOW_VOLTAGE,
        approvingAuthority: null,
        approvingAuthorityBasis: NOTICE_LOW_VOLTAGE,
      },
      {
        route: 'fast_track',
        name: 'fast track without joint review (免联合会审)',
        requiresApproval: true,
        requiresJointReview: false,
        timeLimit: { amount: 2, unit: 'working_days' },
        extension: null,
        timeLimitBasis: NOTICE_FAST_TRACK,
        approvingAuthority: ROAD_AUTHORITIES,
        approvingAuthorityBasis: ROADS_ART_30,
      },
      {
        route: 'joint_review',
        name: '"4+2+1+1" joint review (联合会审)',
        requiresApproval: true,
        requiresJointReview: true,
        timeLimit: { amount: 8, unit: 'working_days' },
        extension: null,
        timeLimitBasis: NOTICE_JOINT_REVIEW,
        approvingAuthority: ROAD_AUTHORITIES,
        approvingAuthorityBasis: ROADS_ART_30,
      },
      {
        route: 'standard',
        name: 'standard administrative licensing (一般行政许可)',
        requiresApproval: true,
        requiresJointReview: false,
        timeLimit: { amount: 20, unit: 'working_days' },
        extension: { amount: 10, unit: 'working_days' },
        timeLimitBasis: LICENSING_LAW_TIME_LIMIT,
        approvingAuthority: ROAD_AUTHORITIES,
        approvingAuthorityBasis: ROADS_ART_30,
      },
    ],
    // No public source defines the four stages of "4+2+1+1"; this plan is the rule set's choice (docs/domain.md §2).
    jointReviewStages: [
      {
        key: 'joint_survey',
        workingDays: 4,
        name: 'joint site survey (联合踏勘)',
        description: 'joint site survey and written opinions of the departments (municipal engineering, traffic police and others configured)',
      },
      {
        key: 'consultation',
        workingDays: 2,
        name: 'consultation meeting (会商)',
        description: 'consultation meeting resolving conflicting opinions',
      },
      { key: 'decision', workingDays: 1, name: 'approval decision (审批决定)', description: 'approval decision signed' },
      { key: 'issuance', workingDays: 1, name: 'permit issuance (发证)', description: 'permit issued and delivered' },
    ],
    reasonCodes: DEFAULT_REASON_CODES,
  },
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner)
    Object.freeze(value)
  }
  return value
}

/** Frozen: it is shared by every caller; derive a new version with structuredClone(DEFAULT_RULE_SET). */
export const DEFAULT_RULE_SET: RuleSet = deepFreeze(DEFAULT)
