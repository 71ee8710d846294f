/**
 * One case (#/cases/:id): the facts; the decision with its route, explanation and legal basis (the basis text from
 * the case's rule-set version, one click away); every deadline explained day by day and the timeline chart; the
 * actions the key may take, as forms (If-Match with the ETag read; a 412 offers to reload); clashes with other works;
 * and the hash-chained history with its verification.
 */
import { useState } from 'preact/hooks'
import { ApiProblem, api, unwrap } from '../api/client.ts'
import { CaseActions, type ActionResult, type ReasonCodeLists } from '../components/case-actions.tsx'
import { CaseClashes } from '../components/case-clashes.tsx'
import { CaseDeadlines } from '../components/case-deadlines.tsx'
import { formatDate, formatInstant, routeLabel, statusLabel } from '../components/case-format.ts'
import { CaseHistory } from '../components/case-history.tsx'
import { ProblemView } from '../components/problem-view.tsx'
import { TimelineChart } from '../components/timeline-chart.tsx'
import { useI18n } from '../i18n/i18n.ts'
import { useIdentity } from '../lib/identity.ts'
import { href } from '../lib/router.ts'
import { useAsync } from '../lib/use-async.ts'
import './case-screen.css'
import type { CaseData } from '../components/case-types.ts'

type LegalBasis = { citation: string; text: string }

async function loadCase(id: string): Promise<{ data: CaseData; etag: string | null }> {
  const result = await api.GET('/v1/cases/{id}', { params: { path: { id } } })
  const data = await unwrap(Promise.resolve(result))
  return { data: data as unknown as CaseData, etag: result.response.headers.get('etag') }
}

/** Every legal basis the rule set cites, by citation (the explanation items name the citation only). */
function basesOf(value: unknown, into = new Map<string, string>()): Map<string, string> {
  if (Array.isArray(value)) for (const item of value) basesOf(item, into)
  else if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>
    if (typeof record.citation === 'string' && typeof record.text === 'string' && !into.has(record.citation)) into.set(record.citation, record.text)
    for (const item of Object.values(record)) basesOf(item, into)
  }
  return into
}

export function WarningBadge({ level }: { level: string | null | undefined }) {
  const { t } = useI18n()
  if (!level) return null
  return (
    <span class={`badge ${level}`} data-warning={level}>
      {level === 'overdue' ? '! ' : level === 'red' ? '● ' : '▲ '}
      {t(`case.warning.${level}` as never)}
    </span>
  )
}

function Basis({ basis, bases }: { basis: string; bases: Map<string, string> }) {
  const { t } = useI18n()
  const citations = basis.split(/;\s*/).filter(Boolean)
  return (
    <details class="case-basis">
      <summary>{t('case.decision.basisOf', { basis })}</summary>
      {citations.map((citation) => {
        const found: LegalBasis | undefined = bases.has(citation) ? { citation, text: bases.get(citation) as string } : undefined
        return (
          <blockquote key={citation}>
            <cite>{citation}</cite>
            <p>{found ? found.text : t('case.decision.basisNotInRuleSet')}</p>
          </blockquote>
        )
      })}
    </details>
  )
}

function Facts({ data }: { data: CaseData }) {
  const { t, locale, formatNumber } = useI18n()
  const check = data.lengthCheck as { measuredMeters?: number | null; decidedBy?: string } | null
  return (
    <section class="panel" aria-labelledby="case-facts-title">
      <h2 id="case-facts-title">{t('case.facts.title')}</h2>
      <dl class="case-facts">
        <dt>{t('case.facts.organization')}</dt>
        <dd>{data.organization}</dd>
        <dt>{t('case.facts.externalReference')}</dt>
        <dd>{data.externalReference ?? '—'}</dd>
        <dt>{t('case.facts.works')}</dt>
        <dd>
          {data.works.title}
          {data.works.description && <div class="muted">{data.works.description}</div>}
        </dd>
        <dt>{t('case.facts.district')}</dt>
        <dd>{data.location.district}</dd>
        <dt>{t('case.facts.road')}</dt>
        <dd>
          {data.location.roadName}
          {data.location.description && <div class="muted">{data.location.description}</div>}
        </dd>
        <dt>{t('case.facts.voltage')}</dt>
        <dd>{data.voltageVolts >= 1000 ? `${formatNumber(data.voltageVolts / 1000)} kV` : `${formatNumber(data.voltageVolts)} V`}</dd>
        <dt>{t('case.facts.length')}</dt>
        <dd>
          {t('case.facts.meters', { value: formatNumber(data.excavationLengthMeters) })}
          {check?.measuredMeters != null && <span class="muted"> · {t('case.facts.measured', { value: formatNumber(check.measuredMeters, { maximumFractionDigits: 1 }) })}</span>}
        </dd>
        <dt>{t('case.facts.width')}</dt>
        <dd>{data.excavationWidthMeters === null ? '—' : t('case.facts.meters', { value: formatNumber(data.excavationWidthMeters) })}</dd>
        <dt>{t('case.facts.period')}</dt>
        <dd>{t('case.facts.periodValue', { from: formatDate(locale, data.plannedStartDate), to: formatDate(locale, data.plannedEndDate) })}</dd>
        <dt>{t('case.facts.emergency')}</dt>
        <dd>{data.emergency ? t('common.yes') : t('common.no')}</dd>
        <dt>{t('case.facts.roads')}</dt>
        <dd>{data.roads.length === 0 ? t('common.none') : data.roads.map((road) => `${road.name} (${road.code})`).join('；')}</dd>
        <dt>{t('case.facts.contact')}</dt>
        <dd>
          {data.contact.name} · {data.contact.phone}
        </dd>
        <dt>{t('case.facts.submittedAt')}</dt>
        <dd>{formatInstant(locale, data.submittedAt)}</dd>
      </dl>
    </section>
  )
}

function Decision({ data, bases }: { data: CaseData; bases: Map<string, string> }) {
  const { t, locale } = useI18n()
  const decision = data.decision as {
    outcome?: string
    approvedPosition?: string | null
    approvedArea?: { lengthMeters: number; widthMeters?: number } | string | null
    approvedPeriod?: { from: string; to: string } | null
    conditions?: string[]
    reasons?: string[]
    authority?: string | null
    decidedAt?: string
  } | null
  const limit = data.timeLimit
  return (
    <section class="panel" aria-labelledby="case-decision-title" data-testid="case-decision">
      <h2 id="case-decision-title">{t('case.decision.title')}</h2>
      <dl class="case-facts">
        <dt>{t('case.decision.route')}</dt>
        <dd>
          <strong data-route={data.route}>{routeLabel(t, data.route)}</strong> <code>{data.route}</code>
        </dd>
        <dt>{t('case.decision.timeLimit')}</dt>
        <dd>
          {limit === null
            ? t('case.decision.noLimit')
            : limit.unit === 'hours'
              ? t('case.decision.hours', { count: limit.amount })
              : t('common.workingDays', { count: limit.amount })}
        </dd>
        {data.stagePlan.length > 0 && (
          <>
            <dt>{t('case.decision.stages')}</dt>
            <dd>{data.stagePlan.map((stage) => `${stage.name} ${t('common.workingDays', { count: stage.workingDays })}`).join(' + ')}</dd>
          </>
        )}
        <dt>{t('case.decision.authority')}</dt>
        <dd>{data.approvingAuthority ?? '—'}</dd>
        <dt>{t('case.decision.ruleSet')}</dt>
        <dd>
          {data.ruleSet.id} v{data.ruleSet.version} · {t('case.decision.effectiveFrom', { date: formatDate(locale, data.ruleSet.effectiveFrom) })}
        </dd>
      </dl>
      <h3>{t('case.decision.explanation')}</h3>
      <ol class="case-explanation">
        {data.explanation.map((item) => (
          <li key={item.code + item.text} data-code={item.code}>
            <p>{item.text}</p>
            {item.basis && <Basis basis={item.basis} bases={bases} />}
          </li>
        ))}
      </ol>
      {decision?.outcome && (
        <div class={`case-outcome ${decision.outcome}`} data-testid="case-outcome">
          <h3>{decision.outcome === 'approved' ? t('case.decision.approved') : t('case.decision.refused')}</h3>
          <dl class="case-facts compact">
            {decision.approvedPosition && (
              <>
                <dt>{t('case.field.approvedPosition')}</dt>
                <dd>{decision.approvedPosition}</dd>
              </>
            )}
            {decision.approvedArea && (
              <>
                <dt>{t('case.decision.area')}</dt>
                <dd>
                  {typeof decision.approvedArea === 'string'
                    ? decision.approvedArea
                    : t('case.decision.areaValue', { length: decision.approvedArea.lengthMeters, width: decision.approvedArea.widthMeters ?? '—' })}
                </dd>
              </>
            )}
            {decision.approvedPeriod && (
              <>
                <dt>{t('case.decision.period')}</dt>
                <dd>{t('case.facts.periodValue', { from: formatDate(locale, decision.approvedPeriod.from), to: formatDate(locale, decision.approvedPeriod.to) })}</dd>
              </>
            )}
            {(decision.conditions?.length ?? 0) > 0 && (
              <>
                <dt>{t('case.field.conditions')}</dt>
                <dd>
                  <ul>
                    {decision.conditions?.map((condition) => (
                      <li key={condition}>{condition}</li>
                    ))}
                  </ul>
                </dd>
              </>
            )}
            {(decision.reasons?.length ?? 0) > 0 && (
              <>
                <dt>{t('case.field.reasons')}</dt>
                <dd>{decision.reasons?.join('；')}</dd>
              </>
            )}
            <dt>{t('case.decision.decidedAt')}</dt>
            <dd>{formatInstant(locale, decision.decidedAt)}</dd>
          </dl>
        </div>
      )}
    </section>
  )
}

function Clock({ data }: { data: CaseData }) {
  const { t, locale } = useI18n()
  const clock = data.clock
  return (
    <dl class="case-summary" data-testid="case-summary">
      <div>
        <dt>{t('case.summary.status')}</dt>
        <dd data-status={data.status} data-testid="case-status">
          {statusLabel(t, data.status)}
        </dd>
      </div>
      <div>
        <dt>{t('case.summary.currentStage')}</dt>
        <dd>{data.currentStage ? data.currentStage.name : '—'}</dd>
      </div>
      <div>
        <dt>{t('case.summary.dueDate')}</dt>
        <dd>{data.paused ? t('case.summary.paused') : formatDate(locale, data.dueDate)}</dd>
      </div>
      <div>
        <dt>{t('case.summary.remaining')}</dt>
        <dd data-testid="case-remaining">
          {data.workingDaysRemaining === null ? '—' : t('common.workingDays', { count: data.workingDaysRemaining })}
          {data.workingDaysUsed !== null && <span class="muted"> · {t('case.summary.used', { count: data.workingDaysUsed })}</span>}
        </dd>
      </div>
      <div>
        <dt>{t('case.summary.warning')}</dt>
        <dd>{clock?.warningLevel || data.overdue ? <WarningBadge level={data.overdue ? 'overdue' : clock?.warningLevel} /> : t('case.warning.none')}</dd>
      </div>
      {data.provisional && (
        <div>
          <dt>{t('case.deadline.provisional')}</dt>
          <dd class="warn">{t('case.summary.provisional')}</dd>
        </div>
      )}
    </dl>
  )
}

export function CaseScreen({ id }: { id: string }) {
  const { t } = useI18n()
  const identity = useIdentity()
  const [generation, setGeneration] = useState(0)
  const [written, setWritten] = useState<ActionResult | null>(null)
  const [conflict, setConflict] = useState(false)
  const [notice, setNotice] = useState<string | null>(null)
  const loaded = useAsync(() => loadCase(id), [id, generation])
  const current = written && written.data.id === id && written.data.version >= (loaded.data?.data.version ?? 0) ? written : loaded.data
  const ruleSetKey = current ? `${current.data.ruleSet.id}@${current.data.ruleSet.version}` : null
  const ruleSet = useAsync(async () => {
    if (!current) return null
    return await unwrap(api.GET('/v1/rule-sets/{id}', { params: { path: { id: current.data.ruleSet.id }, query: { version: current.data.ruleSet.version } } }))
  }, [ruleSetKey])
  const historyKey = current ? current.data.version : -1
  const events = useAsync(() => unwrap(api.GET('/v1/cases/{id}/events', { params: { path: { id } } })), [id, historyKey])
  const mayVerify = identity.can('GET /v1/cases/{id}/events/verify')
  const verify = useAsync(async () => (mayVerify ? await unwrap(api.GET('/v1/cases/{id}/events/verify', { params: { path: { id } } })) : null), [id, historyKey, mayVerify])

  if (loaded.error && !current) {
    const notFound = loaded.error instanceof ApiProblem && loaded.error.status === 404
    return notFound ? <p role="alert">{t('case.notFound')}</p> : <ProblemView error={loaded.error} onRetry={loaded.reload} />
  }
  if (!current) return <p class="loading">{t('common.loading')}</p>
  const { data, etag } = current
  const bases = basesOf(ruleSet.data?.parameters ?? {})
  const codes = (ruleSet.data?.reasonCodes ?? {}) as ReasonCodeLists

  function reload() {
    setConflict(false)
    setNotice(null)
    setWritten(null)
    setGeneration((value) => value + 1)
  }

  return (
    <div class="case-screen" data-case-id={data.id} data-version={data.version}>
      <p class="case-back">{identity.can('GET /v1/worklist') && <a href="#/worklist">← {t('case.backToWorklist')}</a>}</p>
      <h1>
        {t('case.title', { number: data.number })} <span class="muted case-works-title">{data.works.title}</span>
      </h1>
      <Clock data={data} />
      {['approved', 'works_started', 'works_completed', 'reinstatement_passed', 'reinstatement_failed', 'closed'].includes(data.status) && (
        <p>
          <a href={`${href('cases', data.id)}/permit`}>{t('case.permitLink')}</a>
        </p>
      )}
      {notice && (
        <p class="case-notice" role="status">
          {notice}
        </p>
      )}
      <div class="case-columns">
        <div>
          <Facts data={data} />
          <Decision data={data} bases={bases} />
        </div>
        <div>
          {conflict && (
            <div class="case-conflict" role="alert" data-testid="case-conflict">
              <strong>{t('case.conflict.title')}</strong>
              <p>{t('case.conflict.detail')}</p>
              <button type="button" onClick={reload} data-testid="case-conflict-reload">
                {t('case.conflict.reload')}
              </button>
            </div>
          )}
          <CaseActions
            data={data}
            etag={etag}
            codes={codes}
            onDone={(result) => {
              setConflict(false)
              setWritten(result)
              setNotice(t('case.actions.done', { status: statusLabel(t, result.data.status) }))
            }}
            onConflict={() => setConflict(true)}
          />
          <CaseClashes data={data} />
        </div>
      </div>
      <section class="panel" aria-labelledby="case-deadlines-title">
        <h2 id="case-deadlines-title">{t('case.deadlines.title')}</h2>
        <TimelineChart data={data} />
        <CaseDeadlines data={data} />
      </section>
      <CaseHistory events={events} verify={mayVerify ? verify : null} />
    </div>
  )
}
