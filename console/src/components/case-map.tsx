/**
 * The case's small map: its works and the other open works around them over the same period (GET /v1/works), drawn
 * by the works map of the map screen (components/works-map.tsx, written in parallel by the map screen's author).
 * The map component is found by Vite at build time (import.meta.glob): until it is in the tree, the case screen
 * keeps a marked slot instead of failing to build, and once it is, the map appears without a change here.
 */
import type { FunctionComponent } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { api, unwrap } from '../api/client.ts'
import { useI18n } from '../i18n/i18n.ts'
import type { CaseData } from './case-types.ts'

declare global {
  interface ImportMeta {
    glob<M>(pattern: string): Record<string, () => Promise<M>>
  }
}

interface WorksMapModule {
  WorksMap: FunctionComponent<{ works: never; highlight?: string[]; height?: number; label: string }>
}

const worksMapModules = import.meta.glob<WorksMapModule>('./works-map.tsx')

/** A box a little larger than the works' geometry, as the works feed takes it (minLon,minLat,maxLon,maxLat). */
function boxAround(geometry: NonNullable<CaseData['location']['geometry']>): string {
  const points = (JSON.stringify(geometry.coordinates).match(/-?\d+(\.\d+)?(e-?\d+)?/g) ?? []).map(Number)
  const lons = points.filter((_, index) => index % 2 === 0)
  const lats = points.filter((_, index) => index % 2 === 1)
  const pad = 0.003
  return [Math.min(...lons) - pad, Math.min(...lats) - pad, Math.max(...lons) + pad, Math.max(...lats) + pad].map((value) => value.toFixed(5)).join(',')
}

export function CaseMap({ data }: { data: CaseData }) {
  const { t } = useI18n()
  const [map, setMap] = useState<WorksMapModule['WorksMap'] | null>(null)
  const [works, setWorks] = useState<unknown>(null)
  const geometry = data.location.geometry
  const loader = worksMapModules['./works-map.tsx']
  const decision = data.decision as { approvedPeriod?: { from: string; to: string } | null } | null
  const period = decision?.approvedPeriod ?? { from: data.plannedStartDate, to: data.plannedEndDate }
  useEffect(() => {
    if (!loader || !geometry) return
    let cancelled = false
    Promise.all([loader(), unwrap(api.GET('/v1/works', { params: { query: { bbox: boxAround(geometry), from: period.from, to: period.to } } }))]).then(
      ([module, collection]) => {
        if (cancelled) return
        setMap(() => module.WorksMap)
        setWorks(collection)
      },
      () => {},
    )
    return () => {
      cancelled = true
    }
  }, [data.id, data.version])
  if (!geometry) return <div class="case-map-slot">{t('case.clashes.noGeometry')}</div>
  const WorksMap = map
  if (!loader || !WorksMap || !works)
    // SLOT: the small works map (components/works-map.tsx) appears here once that component is in the tree.
    return (
      <div class="case-map-slot" data-testid="case-map-slot">
        {loader ? t('common.loading') : t('case.clashes.mapPending')}
      </div>
    )
  return (
    <div class="case-map" data-testid="case-map">
      <WorksMap works={works as never} highlight={[data.id]} height={260} label={t('case.clashes.mapLabel', { number: data.number })} />
    </div>
  )
}
