/**
 * The audit chain's status: the latest signed checkpoint (GET /v1/audit/checkpoints) and, on demand, the
 * verification of the whole history against it (GET /v1/audit/verify: chains, replays, checkpoint signatures).
 */
import { useState } from 'preact/hooks'
import { api, unwrap, type Schemas } from './api/client.ts'
import { ProblemView } from './components/problem-view.tsx'
import { useI18n } from './i18n/i18n.ts'
import { useIdentity } from './lib/identity.ts'
import { useAsync } from './lib/use-async.ts'

type Verification = { valid: boolean; checkedCases: number; checkedEvents: number; checkpoint: Schemas['AuditCheckpoint'] | null; problems: Schemas['AuditProblem'][] }

const SIGNATURE_PROBLEMS = new Set(['checkpoint_signature_invalid', 'checkpoint_hash_mismatch', 'checkpoint_key_unknown'])

export function SupervisionAudit() {
  const { t, formatNumber } = useI18n()
  const identity = useIdentity()
  const mayList = identity.can('GET /v1/audit/checkpoints')
  const checkpoints = useAsync(
    () => (mayList ? unwrap(api.GET('/v1/audit/checkpoints', { params: { query: { limit: 1 } } })) : Promise.resolve({ items: [], nextCursor: null })),
    [mayList],
  )
  const [verification, setVerification] = useState<Verification | null>(null)
  const [verifyError, setVerifyError] = useState<unknown>(undefined)
  const [verifying, setVerifying] = useState(false)

  async function verify() {
    setVerifying(true)
    setVerifyError(undefined)
    try {
      setVerification((await unwrap(api.GET('/v1/audit/verify'))) as Verification)
    } catch (error) {
      setVerifyError(error)
    } finally {
      setVerifying(false)
    }
  }

  const latest = checkpoints.data?.items[0] ?? verification?.checkpoint ?? null
  const signatureBad = verification?.problems.some((p) => SIGNATURE_PROBLEMS.has(p.kind)) ?? false
  return (
    <section class="panel supervision-audit" aria-labelledby="audit-title">
      <h2 id="audit-title">{t('supervision.auditTitle')}</h2>
      {identity.can('GET /v1/audit/verify') && (
        <div class="audit-verify">
          <button type="button" onClick={verify} disabled={verifying} data-testid="audit-verify">
            {verifying ? t('supervision.verifying') : t('supervision.verify')}
          </button>
          {verification && (
            <p class={verification.valid ? 'audit-ok' : 'audit-bad'} role="status" data-testid="audit-result" data-valid={String(verification.valid)}>
              <strong>{verification.valid ? t('supervision.valid') : t('supervision.invalid', { count: verification.problems.length })}</strong>{' '}
              {t('supervision.checked', { cases: formatNumber(verification.checkedCases), events: formatNumber(verification.checkedEvents) })}
            </p>
          )}
          {verification && verification.problems.length > 0 && (
            <ul>
              {verification.problems.slice(0, 20).map((problem, index) => (
                <li key={index}>
                  {problem.caseNumber ?? ''} {problem.kind}: {problem.detail}
                </li>
              ))}
            </ul>
          )}
          {verifyError !== undefined && <ProblemView error={verifyError} />}
        </div>
      )}
      {checkpoints.error !== undefined && <ProblemView error={checkpoints.error} onRetry={checkpoints.reload} />}
      <h3>{t('supervision.checkpoint')}</h3>
      {latest ? (
        <dl class="checkpoint" data-testid="audit-checkpoint">
          <dt>{t('supervision.checkpointSequence')}</dt>
          <dd>{latest.sequence}</dd>
          <dt>{t('supervision.checkpointTime')}</dt>
          <dd>{latest.createdAt}</dd>
          <dt>{t('supervision.checkpointRoot')}</dt>
          <dd>
            <code>{latest.merkleRoot}</code>
          </dd>
          <dt>{t('supervision.checkpointSignature')}</dt>
          <dd class={verification ? (signatureBad ? 'audit-bad' : 'audit-ok') : 'muted'}>
            {verification ? (signatureBad ? t('supervision.signatureBad') : t('supervision.signatureOk')) : t('supervision.signatureUnverified')}
          </dd>
        </dl>
      ) : (
        !checkpoints.loading && <p class="muted">{t('supervision.noCheckpoint')}</p>
      )}
    </section>
  )
}
