/**
 * Map (地图): the works of a period (GET /v1/works) over the road register (GET /v1/roads as GeoJSON), drawn by
 * ECharts without a tile server; clashing works and protected roads highlighted; each works' tooltip links to its
 * case. Below the map the same works as a table, for the keyboard and screen readers.
 */
import { useState } from 'preact/hooks'
import { ProblemView } from '../components/problem-view.tsx'
import { WorksMap, type WorksProps } from '../components/works-map.tsx'
import { useI18n } from '../i18n/i18n.ts'
import { href } from '../lib/router.ts'
import { useAsync } from '../lib/use-async.ts'
import { addCalendarDays, feedBox, loadRoads, loadWorks, shanghaiToday } from '../map-data.ts'
import '../map.css'
import { routeLabel, statusLabel } from '../components/case-format.ts'

export function MapScreen() {
  const { t, formatNumber } = useI18n()
  const today = shanghaiToday()
  const [from, setFrom] = useState(today)
  const [to, setTo] = useState(addCalendarDays(today, 90))
  const roads = useAsync(() => loadRoads(), [])
  const works = useAsync(async () => (roads.data ? await loadWorks(feedBox(roads.data), from, to) : null), [roads.data, from, to])
  const list = (works.data?.features ?? []).map((feature) => feature.properties as WorksProps)

  return (
    <section class="map-screen">
      <h1>{t('map.title')}</h1>
      <p class="muted">{t('map.intro')}</p>
      <form class="map-filters panel" onSubmit={(event) => event.preventDefault()}>
        <div class="field">
          <label for="map-from">{t('map.from')}</label>
          <input id="map-from" name="from" type="date" value={from} max={to} onChange={(event) => event.currentTarget.value && setFrom(event.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="map-to">{t('map.to')}</label>
          <input id="map-to" name="to" type="date" value={to} min={from} onChange={(event) => event.currentTarget.value && setTo(event.currentTarget.value)} />
        </div>
        {works.data && (
          <span class="muted" data-testid="map-count">
            {t('map.count', { count: formatNumber(works.data.features.length) })}
          </span>
        )}
      </form>
      {roads.error !== undefined && <ProblemView error={roads.error} onRetry={roads.reload} />}
      {works.error !== undefined && <ProblemView error={works.error} onRetry={works.reload} />}
      {works.data?.truncated && <p class="problem">{t('map.truncated', { count: formatNumber(works.data.features.length) })}</p>}
      {roads.data && works.data ? (
        <div class="panel map-panel">
          <WorksMap works={works.data} roads={roads.data} label={t('map.label', { from, to })} height={480} />
        </div>
      ) : (
        roads.error === undefined && works.error === undefined && <p class="loading">{t('common.loading')}</p>
      )}
      {works.data && (
        <div class="panel">
          <h2>{t('map.list')}</h2>
          {list.length === 0 ? (
            <p class="muted">{t('map.none')}</p>
          ) : (
            <table data-testid="map-works">
              <thead>
                <tr>
                  <th scope="col">{t('map.caseNumber')}</th>
                  <th scope="col">{t('map.route')}</th>
                  <th scope="col">{t('map.status')}</th>
                  <th scope="col">{t('map.road')}</th>
                  <th scope="col">{t('map.period')}</th>
                  <th scope="col">{t('map.organization')}</th>
                  <th scope="col">{t('map.clash')}</th>
                </tr>
              </thead>
              <tbody>
                {list.map((p, index) =>
                  p.occupied || !p.caseId ? (
                    <tr key={`occupied-${index}`}>
                      <td colSpan={4}>{t('map.occupied')}</td>
                      <td>
                        {p.period.from} – {p.period.to}
                      </td>
                      <td colSpan={2} />
                    </tr>
                  ) : (
                    <tr key={p.caseId} class={p.clash ? 'clash' : ''}>
                      <td>
                        <a href={href('cases', p.caseId)}>{p.caseNumber}</a>
                      </td>
                      <td>{p.route ? routeLabel(t, p.route) : ''}</td>
                      <td>{p.status ? statusLabel(t, p.status) : ''}</td>
                      <td>{p.road}</td>
                      <td>
                        {p.period.from} – {p.period.to}
                      </td>
                      <td>{p.organization}</td>
                      <td>{p.clash ? <span class="badge red">{t('map.clash')}</span> : ''}</td>
                    </tr>
                  ),
                )}
              </tbody>
            </table>
          )}
        </div>
      )}
    </section>
  )
}
