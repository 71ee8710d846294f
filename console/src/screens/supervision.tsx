/**
 * Supervision and audit (监管与审计, office and auditor): the SLA report of a period (GET /v1/reports/sla) as charts
 * grouped by route, month, district or organization (on-time rate; median and 90th-percentile working days; the
 * electronic supervision's yellow and red warnings and overdue), the figures as a table, the report and the case
 * timelines as CSV downloads, and the audit chain's verification with the latest signed checkpoint, shown only when
 * the role may call them.
 */
import type { EChartsCoreOption } from 'echarts/core'
import { useMemo, useState } from 'preact/hooks'
import { api, unwrap, type Schemas } from '../api/client.ts'
import { Chart } from '../components/chart.tsx'
import { ProblemView } from '../components/problem-view.tsx'
import { useI18n } from '../i18n/i18n.ts'
import { useIdentity } from '../lib/identity.ts'
import { useAsync } from '../lib/use-async.ts'
import { shanghaiToday } from '../map-data.ts'
import { SupervisionAudit } from '../supervision-audit.tsx'
import { downloadCsv } from '../supervision-download.ts'
import '../supervision.css'
import { routeLabel } from '../components/case-format.ts'

type SlaReport = Schemas['SlaReport']
type GroupBy = SlaReport['groupBy']
const GROUPS: GroupBy[] = ['route', 'month', 'district', 'organization']

export function SupervisionScreen() {
  const { t, locale, formatNumber } = useI18n()
  const identity = useIdentity()
  const today = shanghaiToday()
  const [from, setFrom] = useState(`${today.slice(0, 4)}-01-01`)
  const [to, setTo] = useState(today)
  const [groupBy, setGroupBy] = useState<GroupBy>('route')
  const [downloadState, setDownloadState] = useState<{ file?: string; error?: unknown }>({})
  // JSON unless asked for CSV: the answer is the report object (the CSV variant is the download below).
  const report = useAsync(async () => (await unwrap(api.GET('/v1/reports/sla', { params: { query: { from, to, groupBy } } }))) as SlaReport, [from, to, groupBy])

  const groupLabel = (group: string) => (groupBy === 'route' ? routeLabel(t, group) : group)
  const groupName = t(`supervision.group.${groupBy}`)
  const percent = (value: number | null) => (value === null ? '—' : formatNumber(value, { style: 'percent', maximumFractionDigits: 1 }))
  const days = (value: number | null) => (value === null ? '—' : formatNumber(value, { maximumFractionDigits: 1 }))

  const charts = useMemo(() => {
    const data = report.data
    if (!data) return null
    const names = data.groups.map((g) => groupLabel(g.group))
    const grid = { left: 56, right: 16, top: 40, bottom: 64, containLabel: false }
    const axisLabel = { interval: 0, rotate: names.length > 4 ? 25 : 0, width: 110, overflow: 'truncate' }
    const onTime: EChartsCoreOption = {
      grid,
      tooltip: { trigger: 'axis', valueFormatter: (v: number) => `${v}%` },
      xAxis: { type: 'category', data: names, axisLabel },
      yAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
      series: [
        {
          type: 'bar',
          name: t('supervision.onTimeRate'),
          barMaxWidth: 48,
          itemStyle: { color: '#2f855a' },
          label: { show: true, position: 'top', formatter: '{c}%' },
          data: data.groups.map((g) => (g.onTimeRate === null ? null : Math.round(g.onTimeRate * 1000) / 10)),
        },
      ],
    }
    const timeTaken: EChartsCoreOption = {
      grid,
      legend: { top: 4 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: names, axisLabel },
      yAxis: { type: 'value', name: t('common.workingDays', { count: '' }).trim() },
      series: [
        { type: 'bar', name: t('supervision.median'), barMaxWidth: 36, itemStyle: { color: '#0b5cad' }, data: data.groups.map((g) => g.medianWorkingDays) },
        { type: 'bar', name: t('supervision.p90'), barMaxWidth: 36, itemStyle: { color: '#7c3aed' }, data: data.groups.map((g) => g.p90WorkingDays) },
      ],
    }
    const s = data.supervision
    const warnings: EChartsCoreOption = {
      grid: { left: 120, right: 32, top: 16, bottom: 24 },
      tooltip: { trigger: 'axis' },
      yAxis: {
        type: 'category',
        inverse: true,
        data: [t('supervision.yellow'), t('supervision.red'), t('supervision.overdue'), t('supervision.overdueOpen'), t('supervision.stageOverruns')],
      },
      xAxis: { type: 'value', minInterval: 1 },
      series: [
        {
          type: 'bar',
          barMaxWidth: 28,
          label: { show: true, position: 'right' },
          data: [
            { value: s.casesReachedYellow, itemStyle: { color: '#d69e2e' } },
            { value: s.casesReachedRed, itemStyle: { color: '#c53030' } },
            { value: s.casesReachedOverdue, itemStyle: { color: '#742a2a' } },
            { value: data.totals.overdueOpenCases, itemStyle: { color: '#9b2c2c' } },
            { value: s.stageOverruns, itemStyle: { color: '#b7791f' } },
          ],
        },
      ],
    }
    return { onTime, timeTaken, warnings }
  }, [report.data, locale])

  async function download(kind: 'sla' | 'timelines') {
    setDownloadState({})
    try {
      const file =
        kind === 'sla'
          ? await downloadCsv('/v1/reports/sla', { from, to, groupBy }, locale, `sla-report_${from}_${to}.csv`)
          : await downloadCsv('/v1/reports/timelines', { from, to }, locale, `case-timelines_${from}_${to}.csv`)
      setDownloadState({ file })
    } catch (error) {
      setDownloadState({ error })
    }
  }

  const data = report.data
  return (
    <section class="supervision-screen">
      <h1>{t('supervision.title')}</h1>
      <p class="muted">{t('supervision.intro')}</p>
      <form class="supervision-filters panel" onSubmit={(event) => event.preventDefault()}>
        <div class="field">
          <label for="sla-from">{t('supervision.from')}</label>
          <input id="sla-from" name="from" type="date" value={from} max={to} onChange={(event) => event.currentTarget.value && setFrom(event.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="sla-to">{t('supervision.to')}</label>
          <input id="sla-to" name="to" type="date" value={to} min={from} onChange={(event) => event.currentTarget.value && setTo(event.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="sla-group">{t('supervision.groupBy')}</label>
          <select id="sla-group" name="groupBy" value={groupBy} onChange={(event) => setGroupBy(event.currentTarget.value as GroupBy)}>
            {GROUPS.map((group) => (
              <option key={group} value={group}>
                {t(`supervision.group.${group}`)}
              </option>
            ))}
          </select>
        </div>
        <fieldset class="downloads">
          <legend class="visually-hidden">{t('supervision.downloads')}</legend>
          <button type="button" class="secondary" onClick={() => download('sla')} data-testid="download-sla">
            {t('supervision.downloadSla')}
          </button>
          <button type="button" class="secondary" onClick={() => download('timelines')} data-testid="download-timelines">
            {t('supervision.downloadTimelines')}
          </button>
        </fieldset>
      </form>
      {downloadState.file && (
        <p class="muted" role="status">
          {t('supervision.downloaded', { file: downloadState.file })}
        </p>
      )}
      {downloadState.error !== undefined && <ProblemView error={downloadState.error} />}
      {report.error !== undefined && <ProblemView error={report.error} onRetry={report.reload} />}
      {!data && report.loading && <p class="loading">{t('common.loading')}</p>}
      {data && charts && (
        <>
          <div class="kpis" data-testid="sla-totals">
            <div class="kpi">
              <span>{t('supervision.casesDecided')}</span>
              <strong>{formatNumber(data.totals.casesDecided)}</strong>
            </div>
            <div class="kpi">
              <span>{t('supervision.onTimeRate')}</span>
              <strong>{percent(data.totals.onTimeRate)}</strong>
            </div>
            <div class="kpi">
              <span>{t('supervision.median')}</span>
              <strong>{days(data.totals.medianWorkingDays)}</strong>
            </div>
            <div class="kpi">
              <span>{t('supervision.p90')}</span>
              <strong>{days(data.totals.p90WorkingDays)}</strong>
            </div>
            <div class="kpi">
              <span>{t('supervision.supplementRate')}</span>
              <strong>{percent(data.totals.supplementRate)}</strong>
            </div>
            <div class="kpi warn">
              <span>{t('supervision.overdueOpen')}</span>
              <strong>{formatNumber(data.totals.overdueOpenCases)}</strong>
            </div>
          </div>
          {data.groups.length === 0 && <p class="muted">{t('supervision.noData')}</p>}
          <div class="chart-grid">
            <div class="panel">
              <h2>{t('supervision.chartOnTime', { group: groupName })}</h2>
              <Chart option={charts.onTime} label={t('supervision.chartOnTime', { group: groupName })} height={260} />
            </div>
            <div class="panel">
              <h2>{t('supervision.chartDays', { group: groupName })}</h2>
              <Chart option={charts.timeTaken} label={t('supervision.chartDays', { group: groupName })} height={260} />
            </div>
            <div class="panel">
              <h2>{t('supervision.chartWarnings')}</h2>
              <Chart option={charts.warnings} label={t('supervision.chartWarnings')} height={220} />
            </div>
            <div class="panel">
              <h2>{t('supervision.table')}</h2>
              <table data-testid="sla-table">
                <thead>
                  <tr>
                    <th scope="col">{groupName}</th>
                    <th scope="col">{t('supervision.casesDecided')}</th>
                    <th scope="col">{t('supervision.onTimeRate')}</th>
                    <th scope="col">{t('supervision.median')}</th>
                    <th scope="col">{t('supervision.p90')}</th>
                    <th scope="col">{t('supervision.overdueOpen')}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.groups.map((g) => (
                    <tr key={g.group}>
                      <th scope="row">{groupLabel(g.group)}</th>
                      <td>{formatNumber(g.casesDecided)}</td>
                      <td>{percent(g.onTimeRate)}</td>
                      <td>{days(g.medianWorkingDays)}</td>
                      <td>{days(g.p90WorkingDays)}</td>
                      <td>{formatNumber(g.overdueOpenCases)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        </>
      )}
      {(identity.can('GET /v1/audit/verify') || identity.can('GET /v1/audit/checkpoints')) && <SupervisionAudit />}
    </section>
  )
}
