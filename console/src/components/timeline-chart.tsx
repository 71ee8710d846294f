/**
 * The case timeline as a chart (ECharts custom series): the statutory clock and each "4+2+1+1" stage as a bar over
 * calendar days (the counted days run from the day after the start to the due date), weekends and statutory
 * holidays shaded, make-up workdays (调休) marked, clock pauses (补正) hatched, and a line at today (the page's
 * clock, which the tests fix to the server's). Days are drawn on a plain day axis, so the browser's time zone never
 * shifts a bar; which day is a holiday or a make-up workday comes from the API (the day-by-day explanations, and the
 * calendar years for days the explanations do not name, such as a make-up Saturday inside a pause), never computed here.
 */
import type { EChartsCoreOption } from 'echarts/core'
import { useMemo } from 'preact/hooks'
import { api, type Schemas, unwrap } from '../api/client.ts'
import { useAsync } from '../lib/use-async.ts'
import { useI18n } from '../i18n/i18n.ts'
import { Chart } from './chart.tsx'
import { civilOfDay, dayNumber, formatDate, formatShortDate, isoWeekday, shanghaiNow } from './case-format.ts'
import type { CaseData } from './case-types.ts'

type Explanation = Schemas['DeadlineExplanation']

interface Bar {
  row: number
  from: number
  to: number
  color: string
  label: string
}

interface StageLike {
  key?: string
  name?: string
  status?: string
  startedOn?: string | null
  dueDate?: string | null
  completedOn?: string | null
  explanation?: Explanation | null
}

const COLORS = { clock: '#0b5cad', completed: '#2f855a', in_progress: '#0b5cad', pending: '#a0aec0', cancelled: '#cbd5e0', late: '#c53030' }

/** Runs of consecutive days with the same key, as [first, last] day numbers. */
function runs(days: Map<number, string>): { from: number; to: number; key: string }[] {
  const sorted = [...days.entries()].sort((a, b) => a[0] - b[0])
  const out: { from: number; to: number; key: string }[] = []
  for (const [day, key] of sorted) {
    const last = out.at(-1)
    if (last && last.key === key && last.to === day - 1) last.to = day
    else out.push({ from: day, to: day, key })
  }
  return out
}

type CalendarYear = Schemas['CalendarYear']

/** The calendar years a span of days touches (a year the service has not loaded is left out, not an error). */
async function calendarYears(from: string, to: string): Promise<CalendarYear[]> {
  const years: number[] = []
  for (let year = Number(from.slice(0, 4)); year <= Number(to.slice(0, 4)); year++) years.push(year)
  const loaded = await Promise.all(years.map((year) => unwrap(api.GET('/v1/calendar/years/{year}', { params: { path: { year } } })).catch(() => null)))
  return loaded.filter((year): year is CalendarYear => year !== null)
}

export function TimelineChart({ data }: { data: CaseData }) {
  const { t, locale } = useI18n()
  const startedOn = data.clock?.startedOn ?? null
  const lastDay = data.clock?.dueDate ?? startedOn
  const years = useAsync(async () => (startedOn && lastDay ? await calendarYears(startedOn, [lastDay, shanghaiNow().date].sort().at(-1) as string) : []), [startedOn, lastDay])
  const option = useMemo<EChartsCoreOption | null>(() => {
    const clock = data.clock
    if (!clock) return null
    const stages = data.stages as StageLike[]
    const now = shanghaiNow()
    const today = dayNumber(now.date)
    const start = dayNumber(clock.startedOn)
    const rows: string[] = [t('case.timeline.clockRow')]
    const bars: Bar[] = []
    const clockEnd = clock.dueDate ? dayNumber(clock.dueDate) : Math.max(today, start + 1)
    bars.push({
      row: 0,
      from: start + 1,
      to: clockEnd + 1,
      color: COLORS.clock,
      label: t('case.timeline.clockBar', { due: clock.dueDate ? formatDate(locale, clock.dueDate) : '—' }),
    })
    let previousEnd = start
    stages.forEach((stage, index) => {
      rows.push(stage.name ?? stage.key ?? String(index + 1))
      const from = stage.startedOn ? dayNumber(stage.startedOn) : previousEnd
      const to = stage.completedOn ? dayNumber(stage.completedOn) : stage.dueDate ? dayNumber(stage.dueDate) : from + 1
      const late = stage.completedOn && stage.dueDate && dayNumber(stage.completedOn) > dayNumber(stage.dueDate)
      const color = late ? COLORS.late : (COLORS[(stage.status ?? 'pending') as keyof typeof COLORS] ?? COLORS.pending)
      bars.push({
        row: index + 1,
        from: from + 1,
        to: Math.max(to, from) + 1,
        color,
        label: t('case.timeline.stageBar', { name: stage.name ?? '', status: t(`case.stageStatus.${stage.status ?? 'pending'}` as never), due: formatDate(locale, stage.dueDate) }),
      })
      previousEnd = stage.dueDate ? dayNumber(stage.dueDate) : to
    })

    const first = start
    const last = Math.max(today + 1, ...bars.map((bar) => bar.to)) + 1
    // What each day is: from the explanations (holidays, make-up workdays, pauses), weekends for days beyond them.
    const kinds = new Map<number, string>()
    for (let day = first; day <= last; day++) if (isoWeekday(civilOfDay(day)) >= 6) kinds.set(day, 'weekend|')
    for (const year of years.data ?? []) {
      for (const date of year.holidays) if (dayNumber(date) >= first && dayNumber(date) <= last) kinds.set(dayNumber(date), `holiday|${year.holidayNames[date] ?? ''}`)
      for (const date of year.makeupWorkdays) if (dayNumber(date) >= first && dayNumber(date) <= last) kinds.set(dayNumber(date), 'makeup_workday|')
    }
    const explanations = [clock.explanation, ...stages.map((stage) => stage.explanation)].filter((e): e is Explanation => !!e)
    for (const explanation of explanations)
      for (const day of explanation.days) {
        if (day.kind === 'holiday' || day.kind === 'makeup_workday') kinds.set(dayNumber(day.date), `${day.kind}|${day.holiday ?? ''}`)
        else if (day.kind === 'workday') kinds.delete(dayNumber(day.date))
      }
    const areas: unknown[] = []
    for (const run of runs(kinds)) {
      const [kind, holiday] = run.key.split('|') as [string, string]
      const style =
        kind === 'holiday'
          ? { color: 'rgba(197, 48, 48, 0.14)' }
          : kind === 'makeup_workday'
            ? { color: 'rgba(47, 133, 90, 0.22)', borderColor: '#2f855a', borderWidth: 1, borderType: 'dashed' }
            : { color: 'rgba(95, 107, 122, 0.10)' }
      const name = kind === 'holiday' ? holiday || t('case.day.holiday') : kind === 'makeup_workday' ? t('case.timeline.makeup') : ''
      areas.push([
        { name, xAxis: run.from, itemStyle: style, label: { show: name !== '', position: 'top', color: kind === 'holiday' ? '#9b2c2c' : '#22543d', fontSize: 11 } },
        { xAxis: run.to + 1 },
      ])
    }
    // Pauses of the clock (补正): from the day after the pause to the day of the resumption (or today).
    const ledger = clock.ledger
    ledger.forEach((entry, index) => {
      if (entry.kind !== 'pause') return
      const resume = ledger.slice(index + 1).find((next) => next.kind === 'resume' || next.kind === 'stop')
      const to = resume ? dayNumber(resume.date) : today
      areas.push([
        {
          name: t('case.timeline.paused'),
          xAxis: dayNumber(entry.date) + 1,
          itemStyle: { color: 'rgba(183, 121, 31, 0.25)', borderColor: '#b7791f', borderWidth: 1 },
          label: { show: true, position: 'insideBottom', color: '#7b4a0c', fontSize: 11 },
        },
        { xAxis: Math.max(to, dayNumber(entry.date)) + 1 },
      ])
    })

    return {
      grid: { left: 170, right: 24, top: 40, bottom: 40 },
      tooltip: {
        trigger: 'item',
        formatter: (params: { data?: { label?: string }; name?: string }) => params.data?.label ?? params.name ?? '',
      },
      xAxis: {
        type: 'value',
        min: first,
        max: last,
        interval: last - first > 40 ? 7 : 1,
        axisLabel: { formatter: (value: number) => formatShortDate(locale, civilOfDay(value)), hideOverlap: true, fontSize: 11 },
        splitLine: { show: true, lineStyle: { color: '#edf1f5' } },
      },
      yAxis: { type: 'category', data: rows, inverse: true, axisTick: { show: false } },
      series: [
        {
          type: 'custom',
          name: t('case.timeline.title'),
          encode: { x: [1, 2], y: 0 },
          renderItem: (_params: unknown, api: { value: (i: number) => number; coord: (p: number[]) => number[]; size: (p: number[]) => number[]; style: () => object }) => {
            const [x0, y] = api.coord([api.value(1), api.value(0)]) as [number, number]
            const [x1] = api.coord([api.value(2), api.value(0)]) as [number, number]
            const height = (api.size([0, 1])[1] ?? 20) * 0.5
            return { type: 'rect', shape: { x: x0, y: y - height / 2, width: Math.max(x1 - x0, 2), height }, style: api.style() }
          },
          data: bars.map((bar) => ({ value: [bar.row, bar.from, bar.to], itemStyle: { color: bar.color }, label: bar.label })),
          markArea: { silent: true, data: areas },
          markLine: {
            silent: true,
            symbol: ['none', 'none'],
            lineStyle: { color: '#c53030', width: 2, type: 'solid' },
            label: { formatter: t('case.timeline.today'), position: 'start', color: '#c53030' },
            data: [{ xAxis: today + now.fraction }],
          },
        },
      ],
    }
  }, [data, t, locale, years.data])
  if (!option) return <p class="muted">{t('case.timeline.noClock')}</p>
  // Drawn once the calendar is in (a fast local read), so the chart never shows a make-up day as a weekend first.
  if (years.loading && years.data === undefined) return <p class="muted">{t('common.loading')}</p>
  const height = 90 + (data.stages.length + 1) * 42
  return (
    <div class="case-timeline" data-testid="case-timeline">
      <Chart option={option} label={t('case.timeline.label', { number: data.number })} height={height} />
      <ul class="case-legend" aria-label={t('case.timeline.legend')}>
        <li>
          <span class="swatch weekend" aria-hidden="true" />
          {t('case.day.weekend')}
        </li>
        <li>
          <span class="swatch holiday" aria-hidden="true" />
          {t('case.day.holiday')}
        </li>
        <li>
          <span class="swatch makeup" aria-hidden="true" />
          {t('case.day.makeup_workday')}
        </li>
        <li>
          <span class="swatch paused" aria-hidden="true" />
          {t('case.day.paused')}
        </li>
        <li>
          <span class="swatch today" aria-hidden="true" />
          {t('case.timeline.today')}
        </li>
      </ul>
    </div>
  )
}
