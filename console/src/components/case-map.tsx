/**
 * The case's small map: its works and the other open works around them over the same period (GET /v1/works), drawn
 * by the works map of the map screen (components/works-map.tsx) with this case highlighted.
 */
import { useEffect, useState } from 'preact/hooks'
import { api, unwrap } from '../api/client.ts'
import { useI18n } from '../i18n/i18n.ts'
import type { CaseData } from './case-types.ts'
import { type WorksCollection, WorksMap } from './works-map.tsx'

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
  const [works, setWorks] = useState<WorksCollection | null>(null)
  const geometry = data.location.geometry
  const decision = data.decision as { approvedPeriod?: { from: string; to: string } | null } | null
  const period = decision?.approvedPeriod ?? { from: data.plannedStartDate, to: data.plannedEndDate }
  useEffect(() => {
    if (!geometry) return
    let cancelled = false
    unwrap(api.GET('/v1/works', { params: { query: { bbox: boxAround(geometry), from: period.from, to: period.to } } })).then(
      (collection) => {
        if (!cancelled) setWorks(collection as WorksCollection)
      },
      () => {},
    )
    return () => {
      cancelled = true
    }
  }, [data.id, data.version])
  if (!geometry) return <div class="case-map-slot">{t('case.clashes.noGeometry')}</div>
  if (!works) return <div class="case-map-slot">{t('common.loading')}</div>
  return (
    <div class="case-map" data-testid="case-map">
      <WorksMap works={works} highlight={[data.id]} height={260} label={t('case.clashes.mapLabel', { number: data.number })} />
    </div>
  )
}
