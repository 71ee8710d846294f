/**
 * The Chinese names of the lifecycle's statuses and actions and of the roles, for texts people read (problem
 * details). Typed on the lists, so a new status, action or role does not compile without its name.
 */
import type { Role } from '../access/principal.ts'
import type { Action, CaseStatus } from './lifecycle.types.ts'

export const CASE_STATUS_ZH: Readonly<Record<CaseStatus, string>> = {
  submitted: '已申报待受理',
  not_accepted: '不予受理',
  accepted: '已受理（审查中）',
  supplement_requested: '待补正',
  approved: '已批准',
  refused: '不予许可',
  withdrawn: '已撤回',
  works_started: '已开工',
  works_completed: '已完工',
  reinstatement_failed: '修复验收不合格',
  reinstatement_passed: '修复验收合格',
  closed: '已办结',
  filed: '已报备',
  revoked: '报备已撤销',
  notified: '已报告（紧急抢修）',
  formalities_completed: '已补办手续',
}

export const ACTION_ZH: Readonly<Record<Action, string>> = {
  accept: '受理',
  not_accept: '不予受理',
  request_supplement: '要求补正',
  submit_supplement: '提交补正材料',
  record_opinion: '记录部门意见',
  complete_stage: '完成审查阶段',
  approve: '批准',
  refuse: '不予许可',
  withdraw: '撤回申请',
  start_works: '开工',
  complete_works: '完工',
  inspect_reinstatement: '修复验收',
  close: '办结',
  revoke_filing: '撤销报备',
  complete_formalities: '补办手续',
  request_change: '申请变更',
  approve_change: '批准变更',
  refuse_change: '不予变更',
  extend_time_limit: '延长办理时限',
}

export const ROLE_ZH: Readonly<Record<Role, string>> = {
  office: '审批窗口',
  dispatch: '供电调度',
  auditor: '审计监督',
  admin: '系统管理员',
}
