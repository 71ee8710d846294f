/**
 * The office's worklist (#/worklist), the first screen after sign-in: every open case waiting on the office,
 * soonest deadline first (GET /v1/worklist), with queue buttons and their counts, filters by district, route and
 * organization, and cursor paging. The queue, the filters and the cursor live in the hash query
 * (#/worklist?queue=red&district=…), so a link reproduces the view.
 */
import { useEffect, useState } from 'preact/hooks'
import { api, unwrap } from '../api/client.ts'
import { formatDate, formatInstant, labelOr, routeLabel } from '../components/case-format.ts'
import { ProblemView } from '../components/problem-view.tsx'
import { useI18n } from '../i18n/i18n.ts'
import { href, navigate } from '../lib/router.ts'
import { useAsync } from '../lib/use-async.ts'
import { WarningBadge } from './case.tsx'
import './worklist-screen.css'

const QUEUES = ['awaiting_acceptance', 'supplement_pending', 'in_review', 'due_soon', 'yellow', 'red', 'overdue'] as const
type Queue = (typeof QUEUES)[number]
const ROUTES = ['joint_review', 'fast_track', 'standard', 'special_approval', 'commitment_filing', 'emergency_repair'] as const
const FILTERS = ['district', 'route', 'organization'] as const
const PAGE_SIZE = 50

/** The hash of a worklist view: only the parameters that are set, in a stable order. */
function viewHash(params: Record<string, string | undefined>): string {
  const query = new URLSearchParams()
  for (const name of ['queue', 'stage', ...FILTERS, 'cursor']) {
    const value = params[name]
    if (value) query.set(name, value)
  }
  const text = query.toString()
  return `#/worklist${text ? `?${text}` : ''}`
}

export function WorklistScreen({ params }: { params: Record<string, string> }) {
  const { t, locale } = useI18n()
  const queue = (QUEUES as readonly string[]).includes(params.queue ?? '') ? (params.queue as Queue) : undefined
  const { stage, district, route, organization, cursor } = params
  const [draft, setDraft] = useState({ district: district ?? '', route: route ?? '', organization: organization ?? '' })
  useEffect(() => setDraft({ district: district ?? '', route: route ?? '', organization: organization ?? '' }), [district, route, organization])

  const list = useAsync(
    () =>
      unwrap(
        api.GET('/v1/worklist', {
          params: {
            query: {
              ...(queue ? { queue } : {}),
              ...(stage ? { stage } : {}),
              ...(district ? { district } : {}),
              ...(route ? { route } : {}),
              ...(organization ? { organization } : {}),
              ...(cursor ? { cursor } : {}),
              limit: PAGE_SIZE,
            },
          },
        }),
      ),
    [queue, stage, district, route, organization, cursor],
  )
  const data = list.data
  const counts = data?.counts
  const go = (changes: Record<string, string | undefined>) => navigate(viewHash({ ...params, cursor: undefined, ...changes }))
  const countOf = (name: Queue): number | undefined => {
    if (!counts) return undefined
    if (name === 'due_soon') return counts.dueSoon
    if (name === 'yellow' || name === 'red' || name === 'overdue') return counts[name]
    return counts.queues[name]
  }
  const stageNames = new Map<string, string>()
  for (const item of data?.items ?? []) if (item.stage) stageNames.set(item.stage.key, item.stage.name)
  const stageLabel = (key: string) => stageNames.get(key) ?? labelOr(t, `worklist.stage.${key}`, key)

  function applyFilters(event: Event) {
    event.preventDefault()
    go({ district: draft.district.trim() || undefined, route: draft.route || undefined, organization: draft.organization.trim() || undefined })
  }

  return (
    <div class="worklist-screen">
      <h1>{t('worklist.title')}</h1>
      <fieldset class="worklist-queues">
        <legend class="visually-hidden">{t('worklist.queues')}</legend>
        <button type="button" class={!queue ? 'active' : 'secondary'} aria-pressed={!queue} data-queue="all" onClick={() => go({ queue: undefined, stage: undefined })}>
          {t('worklist.queue.all')} <span class="worklist-count">{counts?.total ?? '…'}</span>
        </button>
        {QUEUES.map((name) => (
          <button
            type="button"
            key={name}
            class={`${queue === name && !stage ? 'active' : 'secondary'} queue-${name}`}
            aria-pressed={queue === name && !stage}
            data-queue={name}
            onClick={() => go({ queue: name, stage: undefined })}
          >
            {t(`worklist.queue.${name}` as never)} <span class="worklist-count">{countOf(name) ?? '…'}</span>
          </button>
        ))}
      </fieldset>
      {counts && Object.keys(counts.stages).length > 0 && (
        <fieldset class="worklist-queues stages">
          <legend class="muted">{t('worklist.stages')}：</legend>
          {Object.entries(counts.stages).map(([key, count]) => (
            <button
              type="button"
              key={key}
              class={stage === key ? 'active' : 'secondary'}
              aria-pressed={stage === key}
              data-stage={key}
              onClick={() => go({ queue: 'in_review', stage: key })}
            >
              {stageLabel(key)} <span class="worklist-count">{count}</span>
            </button>
          ))}
        </fieldset>
      )}
      <form class="worklist-filters" onSubmit={applyFilters} aria-label={t('worklist.filters')}>
        <div>
          <label for="worklist-district">{t('worklist.filter.district')}</label>
          <input id="worklist-district" name="district" value={draft.district} onInput={(event) => setDraft({ ...draft, district: event.currentTarget.value })} />
        </div>
        <div>
          <label for="worklist-route">{t('worklist.filter.route')}</label>
          <select id="worklist-route" name="route" value={draft.route} onChange={(event) => setDraft({ ...draft, route: event.currentTarget.value })}>
            <option value="">{t('worklist.filter.anyRoute')}</option>
            {ROUTES.map((name) => (
              <option key={name} value={name}>
                {routeLabel(t, name)}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="worklist-organization">{t('worklist.filter.organization')}</label>
          <input id="worklist-organization" name="organization" value={draft.organization} onInput={(event) => setDraft({ ...draft, organization: event.currentTarget.value })} />
        </div>
        <button type="submit">{t('worklist.filter.apply')}</button>
        <button type="button" class="secondary" onClick={() => go({ district: undefined, route: undefined, organization: undefined })}>
          {t('worklist.filter.clear')}
        </button>
      </form>
      {list.error ? <ProblemView error={list.error} onRetry={list.reload} /> : null}
      {!data ? (
        !list.error && <p class="loading">{t('common.loading')}</p>
      ) : (
        <>
          <p class="muted worklist-asof" aria-live="polite">
            {t('worklist.asOf', { time: formatInstant(locale, data.asOf), count: data.items.length })}
          </p>
          {data.items.length === 0 ? (
            <p class="worklist-empty">{t('worklist.empty')}</p>
          ) : (
            <table class="worklist-table" data-testid="worklist-table">
              <caption class="visually-hidden">{t('worklist.caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('worklist.col.number')}</th>
                  <th scope="col">{t('worklist.col.route')}</th>
                  <th scope="col">{t('worklist.col.district')}</th>
                  <th scope="col">{t('worklist.col.organization')}</th>
                  <th scope="col">{t('worklist.col.queue')}</th>
                  <th scope="col">{t('worklist.col.stage')}</th>
                  <th scope="col">{t('worklist.col.due')}</th>
                  <th scope="col" class="num">
                    {t('worklist.col.remaining')}
                  </th>
                  <th scope="col">{t('worklist.col.warning')}</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((item) => (
                  <tr key={item.id} data-case-id={item.id} data-warning={item.warningLevel ?? 'none'}>
                    <td>
                      <a href={href('cases', item.id)}>{item.caseNumber}</a>
                    </td>
                    <td>{labelOr(t, `worklist.routeShort.${item.route}`, item.route)}</td>
                    <td>{item.district}</td>
                    <td>{item.organization}</td>
                    <td>{t(`worklist.queue.${item.queue}` as never)}</td>
                    <td>{item.stage ? item.stage.name : '—'}</td>
                    <td>{item.dueDate ? formatDate(locale, item.dueDate) : item.queue === 'supplement_pending' ? t('worklist.paused') : t('worklist.notStarted')}</td>
                    <td class="num">
                      {item.workingDaysRemaining === null
                        ? '—'
                        : item.workingDaysRemaining < 0
                          ? t('worklist.overdueBy', { count: -item.workingDaysRemaining })
                          : item.workingDaysRemaining}
                    </td>
                    <td>{item.warningLevel ? <WarningBadge level={item.warningLevel} /> : <span class="muted">{t('case.warning.none')}</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <nav class="worklist-paging" aria-label={t('worklist.paging')}>
            {cursor && (
              <a class="button secondary" href={viewHash({ ...params, cursor: undefined })}>
                {t('worklist.firstPage')}
              </a>
            )}
            {data.nextCursor && (
              <a class="button" href={viewHash({ ...params, cursor: data.nextCursor })} data-testid="worklist-next">
                {t('worklist.nextPage')}
              </a>
            )}
          </nav>
        </>
      )}
    </div>
  )
}
