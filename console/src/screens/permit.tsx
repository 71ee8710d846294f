/**
 * The permit (许可证) of an approved case, printable on A4: number, works, approved position, area and period,
 * conditions, approving authority, legal basis from the rule set, date of issue, and a QR code of the public
 * verification URL (GET /v1/permits/{caseNumber}/verification, no key needed). The QR code is an SVG drawn by the
 * `qrcode` package into an img data: URL (the CSP allows img data:). A case that is not approved says so instead.
 */
import { useEffect, useState } from 'preact/hooks'
import { api, unwrap, type Schemas } from '../api/client.ts'
import { ProblemView } from '../components/problem-view.tsx'
import { useI18n } from '../i18n/i18n.ts'
import { href } from '../lib/router.ts'
import { useAsync } from '../lib/use-async.ts'
import { permitQrDataUrl, permitVerificationUrl } from '../permit-qr.ts'
import '../permit.css'
import { routeLabel, statusLabel } from '../components/case-format.ts'

// The read answer's geometry positions are typed loosely (number[]); the permit does not use the location.
type Case = Omit<Schemas['Case'], 'location' | 'coordination'>

interface Approval {
  outcome: string
  decidedOn?: string
  authority?: string
  approvedPosition?: string
  approvedArea?: { lengthMeters?: number; widthMeters?: number } | string
  approvedPeriod?: { from: string; to: string }
  conditions?: string[]
  permitIssuedAt?: string | null
  reference?: string | null
}

/** Statuses in which an approval stands (a revoked or withdrawn case has no valid permit). */
const PERMIT_STATUSES = new Set(['approved', 'works_started', 'works_completed', 'reinstatement_failed', 'reinstatement_passed', 'closed'])

export function PermitScreen({ id }: { id: string }) {
  const { t } = useI18n()
  const state = useAsync(() => unwrap(api.GET('/v1/cases/{id}', { params: { path: { id } } })), [id])
  if (state.error) return <ProblemView error={state.error} onRetry={state.reload} />
  if (!state.data) return <p class="loading">{t('common.loading')}</p>
  const record = state.data
  const decision = record.decision as Approval | null
  if (decision?.outcome !== 'approved' || !PERMIT_STATUSES.has(record.status)) {
    return (
      <section class="permit-screen">
        <p class="problem" role="alert" data-testid="permit-not-approved">
          {t('permit.notApproved', { status: statusLabel(t, record.status) })}
        </p>
        <a href={href('cases', record.id)}>{t('permit.back')}</a>
      </section>
    )
  }
  return <Permit record={record} decision={decision} />
}

function Permit({ record, decision }: { record: Case; decision: Approval }) {
  const { t, formatNumber } = useI18n()
  const url = permitVerificationUrl(record.number)
  const [qr, setQr] = useState<string | null>(null)
  useEffect(() => {
    let current = true
    permitQrDataUrl(url).then((dataUrl) => current && setQr(dataUrl))
    return () => {
      current = false
    }
  }, [url])
  const area = decision.approvedArea
  // The law and policy the decision cites; the service's own checks ("green-channel service: …") are not law.
  const bases = [...new Set(record.explanation.map((item) => item.basis).filter((basis) => basis && !basis.startsWith('green-channel service')))]
  const issued = decision.permitIssuedAt ? decision.permitIssuedAt.slice(0, 10) : (decision.decidedOn ?? '')
  const voltage = record.voltageVolts >= 1000 ? `${formatNumber(record.voltageVolts / 1000)} kV` : `${formatNumber(record.voltageVolts)} V`
  return (
    <section class="permit-screen">
      <div class="permit-tools no-print">
        <a href={href('cases', record.id)}>{t('permit.back')}</a>
        <button type="button" onClick={() => window.print()} data-testid="permit-print">
          {t('permit.print')}
        </button>
      </div>
      {!decision.permitIssuedAt && <p class="permit-note no-print">{t('permit.notIssued')}</p>}
      <article class="permit" aria-labelledby="permit-title" data-testid="permit">
        <header class="permit-head">
          <div>
            <h1 id="permit-title">{t('permit.title')}</h1>
            <p class="permit-subtitle">{t('permit.subtitle')}</p>
          </div>
          <figure class="permit-qr">
            {qr && <img src={qr} alt={t('permit.qrAlt', { url })} data-url={url} width={132} height={132} data-testid="permit-qr" />}
            <figcaption>{t('permit.verify')}</figcaption>
          </figure>
        </header>
        <dl class="permit-facts">
          <dt>{t('permit.number')}</dt>
          <dd data-testid="permit-number">{decision.reference ?? record.number}</dd>
          <dt>{t('permit.caseNumber')}</dt>
          <dd>{record.number}</dd>
          <dt>{t('permit.applicant')}</dt>
          <dd>{record.organization}</dd>
          <dt>{t('permit.works')}</dt>
          <dd>{record.works.title}</dd>
          <dt>{t('permit.voltage')}</dt>
          <dd>{voltage}</dd>
          <dt>{t('permit.position')}</dt>
          <dd>{decision.approvedPosition}</dd>
          <dt>{t('permit.area')}</dt>
          <dd>
            {typeof area === 'string'
              ? area
              : t('permit.areaValue', {
                  length: formatNumber(area?.lengthMeters ?? record.excavationLengthMeters),
                  width: formatNumber(area?.widthMeters ?? record.excavationWidthMeters ?? 0),
                })}
          </dd>
          <dt>{t('permit.period')}</dt>
          <dd>{decision.approvedPeriod ? t('permit.periodValue', { from: decision.approvedPeriod.from, to: decision.approvedPeriod.to }) : ''}</dd>
          <dt>{t('permit.route')}</dt>
          <dd>{routeLabel(t, record.route)}</dd>
          <dt>{t('permit.conditions')}</dt>
          <dd>
            {decision.conditions && decision.conditions.length > 0 ? (
              <ol>
                {decision.conditions.map((condition) => (
                  <li key={condition}>{condition}</li>
                ))}
              </ol>
            ) : (
              t('permit.noConditions')
            )}
          </dd>
          <dt>{t('permit.basis')}</dt>
          <dd>
            <ul class="permit-basis">
              {bases.map((basis) => (
                <li key={basis}>{basis}</li>
              ))}
            </ul>
            <span class="muted">{t('permit.ruleSet', { id: record.ruleSet.id, version: record.ruleSet.version })}</span>
          </dd>
        </dl>
        <p class="permit-decision">{t('permit.decision')}</p>
        <footer class="permit-foot">
          <div>
            <span class="muted">{t('permit.authority')}</span>
            <strong data-testid="permit-authority">{decision.authority ?? record.approvingAuthority}</strong>
          </div>
          <div>
            <span class="muted">{t('permit.date')}</span>
            <strong>{issued}</strong>
          </div>
        </footer>
      </article>
    </section>
  )
}
