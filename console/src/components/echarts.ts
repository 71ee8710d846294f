/**
 * ECharts, loaded on demand and tree-shaken: only the charts and components the console draws are registered,
 * and the module is a separate chunk, so the first screen's JavaScript stays small (issue 12: under 500 kB
 * gzipped). The canvas renderer draws GeoJSON maps without any tile server.
 */
import type { EChartsType } from 'echarts/core'

let loading: Promise<typeof import('echarts/core')> | null = null

export function loadECharts(): Promise<typeof import('echarts/core')> {
  loading ??= (async () => {
    const [core, charts, components, renderers] = await Promise.all([import('echarts/core'), import('echarts/charts'), import('echarts/components'), import('echarts/renderers')])
    core.use([
      charts.BarChart,
      charts.LineChart,
      charts.CustomChart,
      charts.MapChart,
      charts.LinesChart,
      charts.ScatterChart,
      components.GridComponent,
      components.TooltipComponent,
      components.LegendComponent,
      components.TitleComponent,
      components.DataZoomComponent,
      components.MarkLineComponent,
      components.MarkAreaComponent,
      components.GeoComponent,
      components.DatasetComponent,
      components.AriaComponent,
      renderers.CanvasRenderer,
    ])
    return core
  })()
  return loading
}

export type { EChartsType }
