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

/**
 * The SLA report as CSV: a header row, one row per group (`row_type` group) and the totals (`row_type`
 * total, group empty), each carrying its period so rows copied elsewhere keep their meaning. Empty cells
 * are the JSON's nulls (no case to compute a rate or a percentile from).
 */
export function slaReportCsv(report: SlaReport, locale: Locale = 'en'): string {
  const header = csvRecord(csvHeaders(['period_from', 'period_to', 'row_type', report.groupBy, ...FIGURE_COLUMNS.map(([, column]) => column)], locale))
  const row = (type: 'group' | 'total', group: string | null, figures: SlaFigures) =>
    csvRecord([report.from, report.to, type, group, ...FIGURE_COLUMNS.map(([key]) => figures[key])])
  return header + report.groups.map((g) => row('group', g.group, g)).join('') + row('total', null, report.totals)
}

export const slaReportFilename = (report: Pick<SlaReport, 'from' | 'to' | 'groupBy'>) => attachment(`sla-report_${report.groupBy}_${report.from}_${report.to}.csv`)
