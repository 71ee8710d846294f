/**
 * The header rows of the CSV exports in the reader's language. The column order and the cells are the same in
 * every language; integrations read the English names (the default), people opening the file in a spreadsheet
 * may ask for zh-CN (Accept-Language).
 */
import type { Locale } from '../i18n/locale.ts'

const CSV_HEADERS_ZH: Readonly<Record<string, string>> = {
  // SLA report
  period_from: '统计期间起',
  period_to: '统计期间止',
  row_type: '行类型',
  route: '办理路径',
  month: '月份',
  district: '行政区',
  organization: '申请单位',
  jurisdiction: '管辖地',
  cases_decided: '办结件数',
  cases_with_time_limit: '有办理时限件数',
  decided_on_time: '按时办结件数',
  on_time_rate: '按时办结率',
  median_working_days: '办理用时中位数（工作日）',
  p90_working_days: '办理用时第90百分位（工作日）',
  paused_working_days_total: '暂停计时合计（工作日）',
  paused_working_days_average: '暂停计时平均（工作日）',
  cases_with_supplement: '补正件数',
  supplement_rate: '补正率',
  overdue_open_cases: '超期未办结件数',
  // Supervision and coded-reason rows of the SLA report
  measure: '监管指标',
  reason_action: '理由所属操作',
  reason_code: '理由代码',
  reason_list_version: '理由代码表版本',
  count: '数量',
  // Timeline export
  case_id: '案件标识',
  case_number: '案件编号',
  case_status: '案件状态',
  decision_date: '办结日期',
  phase_key: '环节代码',
  phase_kind: '环节类型',
  phase_name: '环节名称',
  phase_start: '环节开始时间',
  phase_end: '环节结束时间',
  phase_start_date: '环节开始日期',
  phase_end_date: '环节结束日期',
  working_days_taken: '用时（工作日）',
  hours_taken: '用时（小时）',
  limit_amount: '时限',
  limit_unit: '时限单位',
  due_date: '截止日期',
  on_time: '是否按时',
  overdue: '是否超期',
  outcome: '办理结果',
  paused_intervals: '暂停计时区间',
  paused_working_days: '暂停计时（工作日）',
  provisional: '是否暂定期限',
}

/** The header cells for `columns` (English names) in `locale`; a column without a Chinese name keeps its own. */
export function csvHeaders(columns: readonly string[], locale: Locale): string[] {
  return locale === 'zh-CN' ? columns.map((column) => CSV_HEADERS_ZH[column] ?? column) : [...columns]
}
