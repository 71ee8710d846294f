import { attachment, csvRecord } from '../core/reports/csv.ts'
import { csvHeaders } from '../core/reports/csv-headers.ts'
import type { Locale } from '../core/i18n/locale.ts'
import type { SlaFigures, SlaReport } from './sla-report.service.ts'

const FIGURE_COLUMNS: [keyof SlaFigures, string][] = [
  ['casesDecided', 'cases_decided'],
  ['casesWithTimeLimit', 'cases_with_time_limit'],
  ['decidedOnTime', 'decided_on_time'],
  ['onTimeRate', 'on_time_rate'],
  ['medianWorkingDays', 'median_working_days'],
  ['p90WorkingDays', 'p90_working_days'],
  ['pausedWorkingDaysTotal', 'paused_working_days_total'],
  ['pausedWorkingDaysAverage', 'paused_working_days_average'],
  ['casesWithSupplement', 'cases_with_supplement'],
  ['supplementRate', 'supplement_rate'],
  ['overdueOpenCases', 'overdue_open_cases'],
]

const SUPERVISION_MEASURES: [keyof SlaReport['supervision'], string][] = [
  ['casesReachedYellow', 'cases_reached_yellow'],
  ['casesReachedRed', 'cases_reached_red'],
  ['casesReachedOverdue', 'cases_reached_overdue'],
  ['casesWithStageOverrun', 'cases_with_stage_overrun'],
  ['stageOverruns', 'stage_overruns'],
  ['casesWithStageYellow', 'cases_with_stage_yellow'],
  ['casesWithStageRed', 'cases_with_stage_red'],
]

/** Columns after the figures, filled by the supervision and reason rows only. */
const MEASURE_COLUMNS = ['measure', 'reason_action', 'reason_code', 'reason_list_version', 'count']

/**
 * The SLA report as CSV: a header row, one row per group (`row_type` group) and the totals (`row_type`
 * total, group empty), then the supervision figures (`row_type` supervision: one row per `measure` with its
 * `count`) and the coded reasons (`row_type` reason: measure `cases_with_reason`, the action, code and list
 * version, and the cases given it), each carrying its period so rows copied elsewhere keep their meaning. Empty
 * cells are the JSON's nulls (no case to compute a rate or a percentile from) or columns the row type has not.
 */
export function slaReportCsv(report: SlaReport, locale: Locale = 'en'): string {
  const header = csvRecord(csvHeaders(['period_from', 'period_to', 'row_type', report.groupBy, ...FIGURE_COLUMNS.map(([, column]) => column), ...MEASURE_COLUMNS], locale))
  const noFigures = FIGURE_COLUMNS.map(() => null)
  const noMeasure = MEASURE_COLUMNS.map(() => null)
  const row = (type: 'group' | 'total', group: string | null, figures: SlaFigures) =>
    csvRecord([report.from, report.to, type, group, ...FIGURE_COLUMNS.map(([key]) => figures[key]), ...noMeasure])
  const supervision = SUPERVISION_MEASURES.map(([key, measure]) =>
    csvRecord([report.from, report.to, 'supervision', null, ...noFigures, measure, null, null, null, report.supervision[key]]),
  )
  const reasons = report.reasons.map((r) => csvRecord([report.from, report.to, 'reason', null, ...noFigures, 'cases_with_reason', r.action, r.code, r.listVersion, r.cases]))
  return header + report.groups.map((g) => row('group', g.group, g)).join('') + row('total', null, report.totals) + supervision.join('') + reasons.join('')
}

export const slaReportFilename = (report: Pick<SlaReport, 'from' | 'to' | 'groupBy'>) => attachment(`sla-report_${report.groupBy}_${report.from}_${report.to}.csv`)
