/** An API problem (RFC 9457) as a person reads it: title, detail and each field's issue, announced to screen readers. */
import { ApiProblem } from '../api/client.ts'
import { useI18n } from '../i18n/i18n.ts'

export function ProblemView({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useI18n()
  const problem = error instanceof ApiProblem ? error : null
  const title = problem ? (problem.status === 0 ? t('error.network') : problem.title) : t('error.title')
  return (
    <div class="problem" role="alert">
      <strong>{title}</strong>
      {problem?.detail && <p>{problem.detail}</p>}
      {problem && problem.issues.length > 0 && (
        <ul>
          {problem.issues.map((issue) => (
            <li key={issue.path}>{t('error.field', { path: issue.path, message: issue.message })}</li>
          ))}
        </ul>
      )}
      {!problem && error instanceof Error && <p>{error.message}</p>}
      {onRetry && (
        <button type="button" onClick={onRetry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  )
}
