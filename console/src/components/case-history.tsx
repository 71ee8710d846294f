/** The case's append-only, hash-chained history (GET /v1/cases/{id}/events) and its verification (…/events/verify). */
import type { Schemas } from '../api/client.ts'
import type { paths } from '../api/schema.gen.ts'
import { useI18n } from '../i18n/i18n.ts'
import type { AsyncState } from '../lib/use-async.ts'
import { formatInstant, labelOr, statusLabel } from './case-format.ts'
import { ProblemView } from './problem-view.tsx'

type Verification = paths['/v1/cases/{id}/events/verify']['get']['responses'][200]['content']['application/json']

function VerificationResult({ verify }: { verify: AsyncState<Verification | null> }) {
  const { t } = useI18n()
  if (verify.error) return <ProblemView error={verify.error} onRetry={verify.reload} />
  const result = verify.data
  if (!result) return <p class="muted">{t('common.loading')}</p>
  return (
    <div class={`case-verify ${result.valid ? 'valid' : 'invalid'}`} data-testid="case-verify" data-valid={String(result.valid)} role="status">
      <strong>{result.valid ? `✓ ${t('case.history.valid')}` : `✗ ${t('case.history.invalid')}`}</strong>
      <span class="muted">
        {' '}
        · {t('case.history.events', { count: result.events })} · {result.stateMatchesReplay ? t('case.history.replayOk') : t('case.history.replayMismatch')}
        {result.checkpoint
          ? ` · ${result.checkpoint.included ? t('case.history.checkpointIncluded', { sequence: result.checkpoint.sequence }) : t('case.history.checkpointNotYet', { sequence: result.checkpoint.sequence })}`
          : ` · ${t('case.history.noCheckpoint')}`}
      </span>
      {result.firstBreak && <p>{t('case.history.firstBreak', { seq: result.firstBreak.seq, reason: result.firstBreak.reason })}</p>}
      {result.problems.length > 0 && (
        <ul>
          {result.problems.map((problem) => (
            <li key={problem.kind + problem.detail}>
              <code>{problem.kind}</code> {problem.detail}
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}

export function CaseHistory({ events, verify }: { events: AsyncState<{ items: Schemas['CaseEvent'][] }>; verify: AsyncState<Verification | null> | null }) {
  const { t, locale } = useI18n()
  return (
    <section class="panel" aria-labelledby="case-history-title" data-testid="case-history">
      <h2 id="case-history-title">{t('case.history.title')}</h2>
      {verify && <VerificationResult verify={verify} />}
      {events.error ? (
        <ProblemView error={events.error} onRetry={events.reload} />
      ) : !events.data ? (
        <p class="muted">{t('common.loading')}</p>
      ) : (
        <table class="case-events">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">{t('case.history.at')}</th>
              <th scope="col">{t('case.history.event')}</th>
              <th scope="col">{t('case.history.statusChange')}</th>
              <th scope="col">{t('case.history.actor')}</th>
              <th scope="col">{t('case.history.hash')}</th>
            </tr>
          </thead>
          <tbody>
            {events.data.items.map((event) => (
              <tr key={event.seq} data-type={event.type}>
                <td>{event.seq}</td>
                <td>{formatInstant(locale, event.occurredAt)}</td>
                <td>
                  {labelOr(t, `case.event.${event.type.replace(/^case\./, '')}`, event.type)} <code class="muted">{event.type}</code>
                </td>
                <td>
                  {event.toStatus && event.toStatus !== event.fromStatus ? `${event.fromStatus ? statusLabel(t, event.fromStatus) : '—'} → ${statusLabel(t, event.toStatus)}` : '—'}
                </td>
                <td>{event.actor.role ? t(`role.${event.actor.role}` as never) : t('case.history.system')}</td>
                <td>
                  <code title={event.hash}>{event.hash.slice(0, 12)}…</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}
