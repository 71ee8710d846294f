/**
 * The code lists of the default rule set (version 1). Each code cites the article it rests on; the labels are what a
 * person reads (zh first, as the decision documents are written). A city's rule set may replace the lists.
 */
import type { LegalBasis } from './legal-basis.schema.ts'
import type { ReasonCodes } from './reason-codes.schema.ts'

const LICENSING_ART_32: LegalBasis = {
  citation: '《中华人民共和国行政许可法》第三十二条',
  text: '申请事项依法不需要取得行政许可的，应当即时告知申请人不受理；申请事项依法不属于本行政机关职权范围的，应当即时作出不予受理的决定；申请材料不齐全或者不符合法定形式的，应当一次告知申请人需要补正的全部内容。',
}
const LICENSING_ART_38: LegalBasis = {
  citation: '《中华人民共和国行政许可法》第三十八条第二款',
  text: '行政机关依法作出不予行政许可的书面决定的，应当说明理由，并告知申请人享有依法申请行政复议或者提起行政诉讼的权利。',
}
const ROADS_ART_33: LegalBasis = {
  citation: '《城市道路管理条例》第三十三条',
  text: '因工程建设需要挖掘城市道路的，应当持城市规划部门批准签发的文件和有关设计文件，到市政工程行政主管部门和公安交通管理部门办理审批手续；新建、扩建、改建的城市道路交付使用后5年内、大修的城市道路竣工后3年内不得挖掘。',
}
const ROADS_ART_30: LegalBasis = {
  citation: '《城市道路管理条例》第三十条',
  text: '未经市政工程行政主管部门和公安交通管理部门批准，任何单位或者个人不得占用或者挖掘城市道路。',
}
const ROADS_ART_36: LegalBasis = {
  citation: '《城市道路管理条例》第三十六条',
  text: '经批准挖掘城市道路的，应当在施工现场设置明显标志和安全防围设施；需要移动位置、扩大面积、延长时间的，应当提前办理变更审批手续。',
}
const NOTICE_COMMITMENT: LegalBasis = {
  citation: '漳州市营商办《关于实行电力工程掘路审批快捷通道的通知》（2019年11月）',
  text: '400伏以下的低压用电工程，掘路申报实行承诺报备制，掘路审批快捷通道延伸至200米',
}

export const DEFAULT_REASON_CODES: ReasonCodes = {
  version: 1,
  notAccept: [
    { code: 'permit_not_required', zh: '申请事项依法不需要取得行政许可', en: 'the works need no permit', basis: LICENSING_ART_32 },
    { code: 'outside_competence', zh: '申请事项不属于本机关职权范围', en: 'outside the competence of this authority', basis: LICENSING_ART_32 },
    { code: 'materials_not_supplemented', zh: '申请材料不齐全且未按要求补正', en: 'materials incomplete and not supplemented', basis: LICENSING_ART_32 },
  ],
  refuse: [
    { code: 'road_protection_period', zh: '道路处于保护期内，不得挖掘', en: 'the road is in its protection period', basis: ROADS_ART_33 },
    { code: 'missing_planning_documents', zh: '缺少规划批准文件或设计文件', en: 'planning approval or design documents missing', basis: ROADS_ART_33 },
    { code: 'traffic_impact_unacceptable', zh: '交通影响无法接受，交通组织方案不可行', en: 'unacceptable traffic impact; the diversion plan is not workable', basis: ROADS_ART_30 },
    { code: 'pipeline_conflict', zh: '与既有地下管线冲突', en: 'conflicts with existing buried pipelines', basis: ROADS_ART_30 },
    { code: 'other_statutory_reason', zh: '其他法定不予许可的情形（须说明）', en: 'another statutory reason (state it in the text)', basis: LICENSING_ART_38 },
  ],
  refuseChange: [
    { code: 'change_exceeds_scope', zh: '变更超出原批准范围，须重新申请', en: 'the change exceeds the approved scope; apply anew', basis: ROADS_ART_36 },
    { code: 'period_conflict', zh: '延期与其他占道施工冲突', en: 'the extended period conflicts with other road works', basis: ROADS_ART_36 },
    { code: 'not_requested_in_advance', zh: '未提前申请变更', en: 'the change was not requested in advance', basis: ROADS_ART_36 },
  ],
  revokeFiling: [
    { code: 'exceeds_filing_scope', zh: '超出承诺报备范围（400伏/200米）', en: 'outside the commitment-filing scope (400 V / 200 m)', basis: NOTICE_COMMITMENT },
    { code: 'false_commitment', zh: '承诺内容不实', en: 'the commitment was untrue', basis: NOTICE_COMMITMENT },
    { code: 'commitment_breached', zh: '未履行承诺事项', en: 'the commitment was not kept', basis: NOTICE_COMMITMENT },
  ],
  supplementItems: [
    { code: 'traffic_diversion_plan', zh: '交通疏解（组织）方案', en: 'traffic diversion plan', basis: ROADS_ART_30 },
    { code: 'pipeline_map', zh: '地下管线图', en: 'map of buried pipelines', basis: ROADS_ART_33 },
    { code: 'construction_drawing', zh: '施工图', en: 'construction drawing', basis: ROADS_ART_33 },
    { code: 'planning_approval', zh: '规划批准文件', en: 'planning approval document', basis: ROADS_ART_33 },
    { code: 'safety_measures', zh: '施工安全防护措施', en: 'site safety measures', basis: ROADS_ART_36 },
    { code: 'reinstatement_commitment', zh: '道路恢复承诺书', en: 'road reinstatement commitment', basis: ROADS_ART_33 },
  ],
}
