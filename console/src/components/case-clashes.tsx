/** Clashes of the case's works with other open works (GET /v1/cases/{id} coordination.clashes), and the small map. */
import type { Schemas } from '../api/client.ts'
import { useI18n } from '../i18n/i18n.ts'
import { useIdentity } from '../lib/identity.ts'
import { href } from '../lib/router.ts'
import { formatDate } from './case-format.ts'
import { CaseMap } from './case-map.tsx'
import type { CaseData } from './case-types.ts'

type Clash = Schemas['Clash']

export function CaseClashes({ data }: { data: CaseData }) {
  const { t, locale, formatNumber } = useI18n()
  const identity = useIdentity()
  const clashes: Clash[] = data.coordination?.clashes ?? []
  return (
    <section class="panel" aria-labelledby="case-clashes-title" data-testid="case-clashes">
      <h2 id="case-clashes-title">{t('case.clashes.title')}</h2>
      {clashes.length === 0 ? (
        <p class="muted">{t('case.clashes.none')}</p>
      ) : (
        <ul class="case-clash-list">
          {clashes.map((clash) => (
            <li key={clash.caseNumber}>
              {'caseId' in clash && identity.can('GET /v1/cases/{id}') ? <a href={href('cases', clash.caseId)}>{clash.caseNumber}</a> : <strong>{clash.caseNumber}</strong>} ·{' '}
              {clash.road}
              {clash.period && <span> · {t('case.facts.periodValue', { from: formatDate(locale, clash.period.from), to: formatDate(locale, clash.period.to) })}</span>}
              {'distanceMeters' in clash && (
                <div class="muted">
                  {t('case.clashes.detail', {
                    distance: formatNumber(clash.distanceMeters, { maximumFractionDigits: 1 }),
                    from: formatDate(locale, clash.overlapFrom),
                    to: formatDate(locale, clash.overlapTo),
                  })}{' '}
                  · {t(`case.clashes.status.${clash.status}` as never)}
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      <CaseMap data={data} />
    </section>
  )
}
