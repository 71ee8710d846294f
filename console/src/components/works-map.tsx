/**
 * The works over the road register, drawn by ECharts from the API's GeoJSON without any tile server: a `geo`
 * component whose map is the box around what is drawn (registered from a one-polygon FeatureCollection), with the
 * roads and works as `lines` series and a point per works for small ones. Protected roads, clashing works and the
 * highlighted cases stand out; the tooltip names the case and links to it; clicking a works opens its case.
 * `onMapClick` (the submit screen's drawing) receives the clicked [longitude, latitude].
 */
import type { EChartsCoreOption } from 'echarts/core'
import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import type { Schemas } from '../api/client.ts'
import { useI18n } from '../i18n/i18n.ts'
import { href, navigate } from '../lib/router.ts'
import { Chart } from './chart.tsx'
import { type EChartsType, loadECharts } from './echarts.ts'
import '../map.css'
import { routeLabel } from './case-format.ts'

export type WorksCollection = Schemas['WorksFeatureCollection']
export type RoadCollection = Schemas['RoadFeatureCollection']
export type Position = [number, number]

/** Longitude/latitude polylines of a GeoJSON geometry (LineString, MultiLineString, Polygon rings). */
export function polylinesOf(geometry: unknown): Position[][] {
  const g = geometry as { type?: string; coordinates?: unknown } | null
  if (!g || !Array.isArray(g.coordinates)) return []
  const line = (coords: unknown): Position[] =>
    Array.isArray(coords)
      ? coords.filter((p): p is number[] => Array.isArray(p) && typeof p[0] === 'number' && typeof p[1] === 'number').map((p) => [p[0] as number, p[1] as number])
      : []
  switch (g.type) {
    case 'LineString':
      return [line(g.coordinates)]
    case 'MultiLineString':
    case 'Polygon':
      return g.coordinates.map(line)
    default:
      return []
  }
}

/** The default view when nothing is drawn: central Zhangzhou (Longwen). */
const DEFAULT_EXTENT: [number, number, number, number] = [117.63, 24.495, 117.68, 24.535]

function extentOf(lines: Position[][]): [number, number, number, number] {
  let [w, s, e, n] = [Infinity, Infinity, -Infinity, -Infinity]
  for (const polyline of lines)
    for (const [lon, lat] of polyline) {
      w = Math.min(w, lon)
      s = Math.min(s, lat)
      e = Math.max(e, lon)
      n = Math.max(n, lat)
    }
  if (!Number.isFinite(w)) return DEFAULT_EXTENT
  const pad = Math.max((e - w) * 0.08, (n - s) * 0.08, 0.002)
  return [w - pad, s - pad, e + pad, n + pad]
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** The properties of one works feature of GET /v1/works, as the map and the map screen's table read them. */
export interface WorksProps {
  caseId?: string
  caseNumber?: string
  route?: string
  status?: string
  period: { from: string; to: string }
  organization?: string
  road?: string
  clash?: boolean
  occupied?: true
}

const COLORS = { road: '#9aa7b6', protected: '#d97706', works: '#0b5cad', clash: '#c53030', highlight: '#7c3aed', occupied: '#6b7280', drawn: '#059669' }

export function WorksMap(props: {
  works: WorksCollection
  roads?: RoadCollection
  highlight?: string[]
  height?: number
  label: string
  /** A line being drawn (submit screen), shown with its points. */
  drawn?: Position[]
  onMapClick?: (position: Position) => void
}) {
  const { t } = useI18n()
  const { works, roads, highlight = [], height = 420, label, drawn = [], onMapClick } = props
  const [mapName, setMapName] = useState<string | null>(null)
  const clickRef = useRef(onMapClick)
  clickRef.current = onMapClick

  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date())
  const roadLines = useMemo(
    () =>
      (roads?.features ?? []).flatMap((feature) => {
        const p = feature.properties as { name: string; code: string; protectedUntil: string | null }
        // Protected today: the last protection period (城市道路管理条例 art. 33) has not ended.
        const isProtected = p.protectedUntil !== null && p.protectedUntil >= today
        return polylinesOf(feature.geometry).map((coords) => ({ coords, name: p.name, code: p.code, isProtected, protectedUntil: p.protectedUntil }))
      }),
    [roads, today],
  )
  const worksLines = useMemo(
    () => works.features.flatMap((feature) => polylinesOf(feature.geometry).map((coords) => ({ coords, props: feature.properties as WorksProps }))),
    [works],
  )
  // While drawing, the view stays put (a new extent would redraw the map under the pointer); a shown line is framed.
  const drawing = onMapClick !== undefined
  const framedLine = drawing ? '' : JSON.stringify(drawn)
  const extent = useMemo(
    () => extentOf([...roadLines.map((r) => r.coords), ...worksLines.map((w) => w.coords), ...(drawing ? [] : [drawn])]),
    [roadLines, worksLines, drawing, framedLine],
  )
  const extentKey = extent.map((v) => v.toFixed(5)).join(',')

  // The base map: the box itself, registered under a name of its own so several maps can live on one page.
  useEffect(() => {
    let cancelled = false
    loadECharts().then((echarts) => {
      if (cancelled) return
      const [w, s, e, n] = extent
      const name = `gc-extent-${extentKey}`
      echarts.registerMap(name, {
        type: 'FeatureCollection',
        features: [
          {
            type: 'Feature',
            properties: { name: 'extent' },
            geometry: {
              type: 'Polygon',
              coordinates: [
                [
                  [w, s],
                  [e, s],
                  [e, n],
                  [w, n],
                  [w, s],
                ],
              ],
            },
          },
        ],
      } as never)
      setMapName(name)
    })
    return () => {
      cancelled = true
    }
  }, [extentKey])

  const option = useMemo<EChartsCoreOption | null>(() => {
    if (!mapName) return null
    const highlighted = new Set(highlight)
    const lineItem = (coords: Position[], name: string, data: Record<string, unknown>) => ({ coords, name, ...data })
    const groups = { works: [] as unknown[], clash: [] as unknown[], highlight: [] as unknown[], occupied: [] as unknown[] }
    const points = { works: [] as unknown[], clash: [] as unknown[], highlight: [] as unknown[], occupied: [] as unknown[] }
    for (const { coords, props: p } of worksLines) {
      const kind = p.occupied ? 'occupied' : p.caseId && highlighted.has(p.caseId) ? 'highlight' : p.clash ? 'clash' : 'works'
      const data = { kind: 'works', props: p }
      groups[kind].push(lineItem(coords, p.caseNumber ?? '', data))
      const mid = coords[Math.floor((coords.length - 1) / 2)]
      if (mid) points[kind].push({ value: mid, name: p.caseNumber ?? '', ...data })
    }
    const seriesName = { works: t('map.works'), clash: t('map.clashes'), highlight: t('map.highlighted'), occupied: t('map.occupied') }
    const series: unknown[] = [
      {
        type: 'lines',
        name: t('map.roads'),
        coordinateSystem: 'geo',
        polyline: true,
        z: 1,
        lineStyle: { color: COLORS.road, width: 5, opacity: 0.8 },
        data: roadLines.filter((r) => !r.isProtected).map((r) => lineItem(r.coords, r.name, { kind: 'road', road: r })),
      },
      {
        type: 'lines',
        name: t('map.protectedRoads'),
        coordinateSystem: 'geo',
        polyline: true,
        z: 2,
        lineStyle: { color: COLORS.protected, width: 6, opacity: 0.85 },
        data: roadLines.filter((r) => r.isProtected).map((r) => lineItem(r.coords, r.name, { kind: 'road', road: r })),
      },
    ]
    for (const kind of ['works', 'occupied', 'clash', 'highlight'] as const) {
      const color = COLORS[kind]
      series.push(
        {
          type: 'lines',
          name: seriesName[kind],
          coordinateSystem: 'geo',
          polyline: true,
          z: 3,
          lineStyle: { color, width: kind === 'highlight' ? 5 : 3, opacity: 1 },
          data: groups[kind],
        },
        { type: 'scatter', name: seriesName[kind], coordinateSystem: 'geo', z: 4, symbolSize: kind === 'highlight' ? 11 : 8, itemStyle: { color }, data: points[kind] },
      )
    }
    if (drawn.length > 0) {
      series.push(
        {
          type: 'lines',
          name: t('map.drawn'),
          coordinateSystem: 'geo',
          polyline: true,
          z: 5,
          lineStyle: { color: COLORS.drawn, width: 4 },
          data: drawn.length > 1 ? [{ coords: drawn, name: t('map.drawn') }] : [],
        },
        {
          type: 'scatter',
          name: t('map.drawn'),
          coordinateSystem: 'geo',
          z: 6,
          symbolSize: 9,
          itemStyle: { color: COLORS.drawn },
          data: drawn.map((p) => ({ value: p, name: t('map.drawn') })),
        },
      )
    }
    const legendNames = [t('map.roads'), t('map.protectedRoads'), t('map.works'), t('map.clashes')]
    if (worksLines.some((w) => w.props.occupied)) legendNames.push(t('map.occupied'))
    if (highlight.length > 0) legendNames.push(t('map.highlighted'))
    if (drawn.length > 0) legendNames.push(t('map.drawn'))
    const midLat = (extent[1] + extent[3]) / 2
    return {
      // The label says what the map shows; ECharts' generated description of line data would read "NaN".
      aria: { enabled: true, label: { description: label } },
      geo: {
        map: mapName,
        roam: true,
        aspectScale: Math.cos((midLat * Math.PI) / 180),
        top: 40,
        bottom: 12,
        left: 12,
        right: 12,
        silent: true,
        itemStyle: { areaColor: '#f7f9fb', borderColor: '#e3e8ee' },
        label: { show: false },
      },
      legend: { top: 6, left: 8, data: legendNames, textStyle: { fontSize: 13 } },
      tooltip: {
        trigger: 'item',
        enterable: true,
        confine: true,
        className: 'works-map-tooltip',
        formatter: (params: { data?: { kind?: string; props?: WorksProps; road?: { name: string; code: string; protectedUntil: string | null } }; name?: string }) => {
          const data = params.data
          if (data?.kind === 'road' && data.road) {
            const r = data.road
            return `<strong>${escapeHtml(r.name)}</strong><br>${escapeHtml(r.code)}${r.protectedUntil ? `<br>${escapeHtml(t('map.protectedUntil', { date: r.protectedUntil }))}` : ''}`
          }
          if (data?.kind === 'works' && data.props) {
            const p = data.props
            const period = `${escapeHtml(t('map.period'))}：${escapeHtml(p.period.from)} – ${escapeHtml(p.period.to)}`
            if (p.occupied || !p.caseId) return `${escapeHtml(t('map.occupied'))}<br>${period}`
            return [
              `<a href="${href('cases', p.caseId)}">${escapeHtml(p.caseNumber ?? '')}</a>`,
              p.route ? escapeHtml(routeLabel(t, p.route)) : '',
              p.road ? `${escapeHtml(t('map.road'))}：${escapeHtml(p.road)}` : '',
              period,
              p.clash ? `<span class="works-map-clash">${escapeHtml(t('map.clash'))}</span>` : '',
            ]
              .filter(Boolean)
              .join('<br>')
          }
          return escapeHtml(params.name ?? '')
        },
      },
      series,
    }
  }, [mapName, roadLines, worksLines, highlight.join(','), drawn, t, label])

  function onReady(chart: EChartsType) {
    chart.on('click', (params) => {
      const data = params.data as { kind?: string; props?: WorksProps } | undefined
      if (!clickRef.current && data?.kind === 'works' && data.props?.caseId) navigate(href('cases', data.props.caseId))
    })
    chart.getZr().on('click', (event) => {
      if (!clickRef.current) return
      const position = chart.convertFromPixel({ geoIndex: 0 }, [event.offsetX, event.offsetY]) as number[] | undefined
      if (position && Number.isFinite(position[0]) && Number.isFinite(position[1]))
        clickRef.current([Number((position[0] as number).toFixed(6)), Number((position[1] as number).toFixed(6))])
    })
  }

  if (!option) return <div class="chart works-map" role="img" aria-label={label} style={{ height: `${height}px` }} />
  return (
    <div class="works-map" data-works={works.features.length} data-roads={roadLines.length} data-protected-roads={roadLines.filter((r) => r.isProtected).length}>
      <Chart option={option} label={label} height={height} onReady={onReady} key={mapName ?? ''} />
    </div>
  )
}
