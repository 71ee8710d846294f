/**
 * The live assessment preview beside the application form: route, due date and stages, the approving authority,
 * each rule's explanation with its legal basis, and the due date counted day by day (GET /v1/calendar/due-date).
 */
import { useEffect, useState } from 'preact/hooks'
import { api, unwrap, type Schemas } from './api/client.ts'
import { ProblemView } from './components/problem-view.tsx'
import { useI18n } from './i18n/i18n.ts'
import { routeLabel } from './components/case-format.ts'

type Assessment = Schemas['Assessment']
type DeadlineExplanation = Schemas['DeadlineExplanation']

/** The Shanghai civil date of an instant the API formatted with its offset. */
function shanghaiDate(instant: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(instant))
}

export function SubmitPreview({ assessment, error, loading }: { assessment: Assessment | null; error: unknown; loading: boolean }) {
  const { t } = useI18n()
  const [deadline, setDeadline] = useState<DeadlineExplanation | null>(null)
  const from = assessment ? shanghaiDate(assessment.acceptedAt) : null
  const workingDays = assessment?.timeLimit?.unit === 'working_days' ? assessment.timeLimit.amount : null
  useEffect(() => {
    setDeadline(null)
    if (!from || workingDays === null) return
    let current = true
    unwrap(api.GET('/v1/calendar/due-date', { params: { query: { from, workingDays } } })).then(
      (data) => current && setDeadline(data.explanation),
      () => {},
    )
    return () => {
      current = false
    }
  }, [from, workingDays])

  return (
    <aside class="submit-preview panel" aria-live="polite" aria-busy={loading} aria-labelledby="preview-title">
      <h2 id="preview-title">{t('submit.previewTitle')}</h2>
      {loading && <p class="muted">{t('submit.previewLoading')}</p>}
      {error !== null && error !== undefined && <ProblemView error={error} />}
      {!assessment && !error && !loading && <p class="muted">{t('submit.previewEmpty')}</p>}
      {assessment && (
        <dl class="facts">
          <dt>{t('submit.route')}</dt>
          <dd data-testid="preview-route" data-route={assessment.route}>
            <strong>{routeLabel(t, assessment.route)}</strong>
          </dd>
          <dt>{t('submit.timeLimit')}</dt>
          <dd>
            {assessment.timeLimit === null
              ? t('submit.noDueDate')
              : assessment.timeLimit.unit === 'hours'
                ? t('submit.hours', { count: assessment.timeLimit.amount })
                : t('common.workingDays', { count: assessment.timeLimit.amount })}
          </dd>
          <dt>{t('submit.dueDate')}</dt>
          <dd data-testid="preview-due">{assessment.dueDate ?? t('submit.noDueDate')}</dd>
          {assessment.provisional && <dd class="warning">{t('submit.provisional')}</dd>}
          {assessment.approvingAuthority && (
            <>
              <dt>{t('submit.approvingAuthority')}</dt>
              <dd>{assessment.approvingAuthority}</dd>
            </>
          )}
          {assessment.stages.length > 0 && (
            <>
              <dt>{t('submit.stages')}</dt>
              <dd>
                <ol class="stages">
                  {assessment.stages.map((stage) => (
                    <li key={stage.key}>{t('submit.stageDue', { name: stage.name, days: stage.workingDays, date: stage.dueDate })}</li>
                  ))}
                </ol>
              </dd>
            </>
          )}
          {assessment.lengthCheck && (
            <dd class="muted">{t('submit.lengthCheck', { measured: assessment.lengthCheck.measuredMeters, declared: assessment.lengthCheck.declaredMeters })}</dd>
          )}
          {assessment.roads.length > 0 && (
            <>
              <dt>{t('submit.roads')}</dt>
              <dd>{assessment.roads.map((road) => road.name).join('、')}</dd>
            </>
          )}
        </dl>
      )}
      {assessment && (
        <>
          <h3>{t('submit.explanation')}</h3>
          <ul class="explanation" data-testid="preview-explanation">
            {assessment.explanation.map((item) => (
              <li key={item.code}>
                {item.text}
                {item.basis && (
                  <div class="basis">
                    <span class="muted">{t('submit.basis')}：</span>
                    {item.basis}
                  </div>
                )}
              </li>
            ))}
          </ul>
          <p class="muted">{t('submit.ruleSet', { id: assessment.ruleSet.id, version: assessment.ruleSet.version })}</p>
        </>
      )}
      {assessment && deadline && (
        <details class="deadline" data-testid="preview-deadline">
          <summary>{t('submit.deadlineExplanation')}</summary>
          <p>{deadline.summary}</p>
          <ol class="days">
            {deadline.days.map((day) => (
              <li key={day.date} class={`day ${day.kind}`}>
                {day.date} {day.reason}
              </li>
            ))}
          </ol>
        </details>
      )}
    </aside>
  )
}
