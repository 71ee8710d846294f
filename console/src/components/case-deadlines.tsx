/**
 * Every deadline of a case with its day-by-day explanation (the API's DeadlineExplanation): the overall statutory
 * clock and each stage. What was counted, what was skipped and why (weekend, the named holiday, a pause), the
 * make-up workdays (调休) that were counted, and whether a year's schedule was missing (provisional).
 */
import type { Schemas } from '../api/client.ts'
import { useI18n } from '../i18n/i18n.ts'
import { formatDate } from './case-format.ts'
import type { CaseData } from './case-types.ts'

type Explanation = Schemas['DeadlineExplanation']

function DeadlineExplained({ title, explanation, testId }: { title: string; explanation: Explanation; testId: string }) {
  const { t, locale } = useI18n()
  const weekends = explanation.skipped.filter((day) => day.kind === 'weekend').length
  const holidays = explanation.skipped.filter((day) => day.kind === 'holiday')
  const paused = explanation.skipped.filter((day) => day.kind === 'paused').length
  const holidayNames = [...new Set(holidays.map((day) => day.holiday).filter(Boolean))].join('、')
  return (
    <section class="case-deadline" data-testid={testId} aria-label={title}>
      <h3>{title}</h3>
      <dl class="case-facts compact">
        <dt>{t('case.deadline.from')}</dt>
        <dd>{formatDate(locale, explanation.from)}</dd>
        <dt>{t('case.deadline.workingDays')}</dt>
        <dd>{t('common.workingDays', { count: explanation.workingDays })}</dd>
        <dt>{t('case.deadline.dueDate')}</dt>
        <dd>
          <strong>{explanation.dueDate ? formatDate(locale, explanation.dueDate) : t('case.deadline.unknownWhilePaused')}</strong>
          {explanation.dueDateNote && <span class="muted"> · {explanation.dueDateNote}</span>}
        </dd>
        <dt>{t('case.deadline.skipped')}</dt>
        <dd>
          {t('case.deadline.skippedSummary', { weekends, holidays: holidays.length, paused })}
          {holidayNames && t('case.deadline.holidayNames', { names: holidayNames })}
        </dd>
        <dt>{t('case.deadline.makeup')}</dt>
        <dd>
          {explanation.makeupWorkdaysCounted.length === 0
            ? t('common.none')
            : explanation.makeupWorkdaysCounted.map((day) => `${formatDate(locale, day.date)}${day.makesUpFor ? ` (${day.makesUpFor})` : ''}`).join('；')}
        </dd>
        {explanation.pauses.length > 0 && (
          <>
            <dt>{t('case.deadline.pauses')}</dt>
            <dd>
              {explanation.pauses.map((pause) => (
                <div key={pause.from}>
                  {t('case.deadline.pause', { from: formatDate(locale, pause.from), to: pause.to ? formatDate(locale, pause.to) : t('case.deadline.ongoing') })}
                  {pause.reason && <span class="muted"> · {pause.reason}</span>}
                </div>
              ))}
            </dd>
          </>
        )}
        {explanation.provisional && (
          <>
            <dt>{t('case.deadline.provisional')}</dt>
            <dd class="warn">{t('case.deadline.provisionalYears', { years: explanation.provisionalYears.join(', ') })}</dd>
          </>
        )}
      </dl>
      <p class="muted">{explanation.summary}</p>
      <details>
        <summary>{t('case.deadline.dayByDay', { count: explanation.days.length })}</summary>
        <table class="case-days">
          <thead>
            <tr>
              <th scope="col">{t('case.deadline.date')}</th>
              <th scope="col">{t('case.deadline.kind')}</th>
              <th scope="col">{t('case.deadline.counted')}</th>
              <th scope="col">{t('case.deadline.reason')}</th>
            </tr>
          </thead>
          <tbody>
            {explanation.days.map((day) => (
              <tr key={day.date} class={`day-${day.kind}`}>
                <td>{formatDate(locale, day.date)}</td>
                <td>
                  {t(`case.day.${day.kind}` as never)}
                  {day.holiday ? t('case.deadline.holidayNames', { names: day.holiday }) : ''}
                  {day.provisional ? ` · ${t('case.deadline.provisionalDay')}` : ''}
                </td>
                <td>{day.counted === null ? t('case.deadline.notCounted') : t('case.deadline.ordinal', { n: day.counted })}</td>
                <td>{day.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </section>
  )
}

interface StageLike {
  key?: string
  name?: string
  explanation?: Explanation | null
}

export function CaseDeadlines({ data }: { data: CaseData }) {
  const { t } = useI18n()
  const overall = data.clock?.explanation ?? null
  const stages = (data.stages as StageLike[]).filter((stage) => stage.explanation)
  if (!data.clock) return null
  if (!overall && stages.length === 0) return <p class="muted">{t('case.deadline.noLimit')}</p>
  return (
    <div class="case-deadlines">
      {overall && <DeadlineExplained title={t('case.deadline.overall')} explanation={overall} testId="deadline-overall" />}
      {stages.map((stage) => (
        <DeadlineExplained
          key={stage.key}
          title={t('case.deadline.stage', { name: stage.name ?? stage.key ?? '' })}
          explanation={stage.explanation as Explanation}
          testId={`deadline-stage-${stage.key}`}
        />
      ))}
    </div>
  )
}
