/**
 * One ECharts chart in a div: created when the element mounts, given new options when they change, resized with
 * its box and disposed on unmount. `label` names the chart for screen readers (role=img with aria-label), and
 * ECharts' aria module describes its data.
 */
import type { EChartsCoreOption } from 'echarts/core'
import { useEffect, useRef } from 'preact/hooks'
import { type EChartsType, loadECharts } from './echarts.ts'

export function Chart({ option, label, height = 320, onReady }: { option: EChartsCoreOption; label: string; height?: number; onReady?: (chart: EChartsType) => void }) {
  const element = useRef<HTMLDivElement>(null)
  const chart = useRef<EChartsType | null>(null)
  useEffect(() => {
    let disposed = false
    let observer: ResizeObserver | undefined
    loadECharts().then((echarts) => {
      if (disposed || !element.current) return
      chart.current = echarts.init(element.current, undefined, { renderer: 'canvas' })
      chart.current.setOption({ aria: { enabled: true }, animation: false, ...option })
      observer = new ResizeObserver(() => chart.current?.resize())
      observer.observe(element.current)
      onReady?.(chart.current)
    })
    return () => {
      disposed = true
      observer?.disconnect()
      chart.current?.dispose()
      chart.current = null
    }
    // Created once per mount; option changes are applied by the effect below.
  }, [])
  useEffect(() => {
    chart.current?.setOption({ aria: { enabled: true }, animation: false, ...option }, { notMerge: true })
  }, [option])
  return <div ref={element} class="chart" role="img" aria-label={label} style={{ height: `${height}px`, width: '100%' }} />
}
