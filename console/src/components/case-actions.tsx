/**
 * The actions the key may take on the case now (case.allowedActions), each as a form whose fields are the action's
 * body (src/core/lifecycle/transition.schema.ts). A submit is POST /v1/cases/{id}/transitions with If-Match = the
 * ETag the screen read: a 412 (the case changed meanwhile) shows a notice with a reload button and keeps what was
 * typed; a 400/422 shows each field's issue next to the field. A role without allowed actions gets no form at all.
 */
import { useState } from 'preact/hooks'
import { ApiProblem, api } from '../api/client.ts'
import { ProblemView } from './problem-view.tsx'
import { useI18n } from '../i18n/i18n.ts'
import type { CaseData } from './case-types.ts'

type Action = CaseData['allowedActions'][number]
type ReasonCode = { code: string; zh: string; en: string; basis: { citation: string; text: string } }
export type ReasonCodeLists = Partial<Record<'notAccept' | 'refuse' | 'refuseChange' | 'revokeFiling' | 'supplementItems', ReasonCode[]>>

type FieldKind = 'text' | 'textarea' | 'lines' | 'date' | 'number' | 'checkbox' | 'select' | 'codes'
interface Field {
  name: string
  kind: FieldKind
  required?: boolean
  options?: readonly string[]
  codes?: keyof ReasonCodeLists
}

const FIELDS: Record<Action, Field[]> = {
  accept: [{ name: 'note', kind: 'textarea' }],
  not_accept: [
    { name: 'reasonCodes', kind: 'codes', codes: 'notAccept' },
    { name: 'reason', kind: 'textarea', required: true },
  ],
  request_supplement: [
    { name: 'itemCodes', kind: 'codes', codes: 'supplementItems' },
    { name: 'items', kind: 'lines' },
    { name: 'note', kind: 'textarea' },
  ],
  submit_supplement: [
    { name: 'documents', kind: 'lines' },
    { name: 'note', kind: 'textarea' },
  ],
  record_opinion: [
    { name: 'department', kind: 'text', required: true },
    { name: 'opinion', kind: 'select', options: ['agree', 'agree_with_conditions', 'object'], required: true },
    { name: 'comments', kind: 'textarea' },
    { name: 'conditions', kind: 'lines' },
  ],
  complete_stage: [{ name: 'summary', kind: 'textarea' }],
  approve: [
    { name: 'approvedPosition', kind: 'text', required: true },
    { name: 'lengthMeters', kind: 'number', required: true },
    { name: 'widthMeters', kind: 'number' },
    { name: 'periodFrom', kind: 'date', required: true },
    { name: 'periodTo', kind: 'date', required: true },
    { name: 'conditions', kind: 'lines' },
    { name: 'authority', kind: 'text' },
    { name: 'approvedBy', kind: 'text' },
    { name: 'reference', kind: 'text' },
  ],
  refuse: [
    { name: 'reasonCodes', kind: 'codes', codes: 'refuse' },
    { name: 'reasons', kind: 'lines', required: true },
    { name: 'authority', kind: 'text' },
    { name: 'reference', kind: 'text' },
  ],
  withdraw: [{ name: 'reason', kind: 'textarea' }],
  start_works: [{ name: 'note', kind: 'textarea' }],
  complete_works: [{ name: 'note', kind: 'textarea' }],
  inspect_reinstatement: [
    { name: 'passed', kind: 'checkbox' },
    { name: 'inspector', kind: 'text', required: true },
    { name: 'notes', kind: 'textarea' },
  ],
  close: [{ name: 'note', kind: 'textarea' }],
  revoke_filing: [
    { name: 'reasonCodes', kind: 'codes', codes: 'revokeFiling' },
    { name: 'reason', kind: 'textarea', required: true },
  ],
  complete_formalities: [
    { name: 'permitReference', kind: 'text', required: true },
    { name: 'documents', kind: 'lines' },
    { name: 'note', kind: 'textarea' },
  ],
  request_change: [
    { name: 'kind', kind: 'select', options: ['move', 'enlarge', 'extend'], required: true },
    { name: 'description', kind: 'textarea', required: true },
    { name: 'requestedPosition', kind: 'text' },
    { name: 'lengthMeters', kind: 'number' },
    { name: 'widthMeters', kind: 'number' },
    { name: 'periodFrom', kind: 'date' },
    { name: 'periodTo', kind: 'date' },
  ],
  approve_change: [
    { name: 'note', kind: 'textarea' },
    { name: 'conditions', kind: 'lines' },
  ],
  refuse_change: [
    { name: 'reasonCodes', kind: 'codes', codes: 'refuseChange' },
    { name: 'reasons', kind: 'lines', required: true },
  ],
  extend_time_limit: [
    { name: 'approverName', kind: 'text', required: true },
    { name: 'approverTitle', kind: 'text', required: true },
    { name: 'reason', kind: 'textarea', required: true },
  ],
}

type Values = Record<string, string | boolean | string[]>

const lines = (value: unknown) =>
  String(value ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
const text = (value: unknown) => {
  const trimmed = String(value ?? '').trim()
  return trimmed === '' ? undefined : trimmed
}
const num = (value: unknown) => (text(value) === undefined ? undefined : Number(value))
const list = (value: unknown) => (Array.isArray(value) && value.length > 0 ? (value as string[]) : undefined)

/** The transition body of an action from the form's values: empty optional fields are left out. */
function bodyOf(action: Action, v: Values, codes: ReasonCodeLists, locale: string): Record<string, unknown> {
  const area = () => {
    const lengthMeters = num(v.lengthMeters)
    if (lengthMeters === undefined) return undefined
    const widthMeters = num(v.widthMeters)
    return widthMeters === undefined ? { lengthMeters } : { lengthMeters, widthMeters }
  }
  const period = () => (text(v.periodFrom) || text(v.periodTo) ? { from: text(v.periodFrom), to: text(v.periodTo) } : undefined)
  const textLines = (key: string) => (lines(v[key]).length > 0 ? lines(v[key]) : undefined)
  const base: Record<string, unknown> = { action }
  switch (action) {
    case 'request_supplement': {
      const chosen = (list(v.itemCodes) ?? []).map((code) => {
        const entry = codes.supplementItems?.find((item) => item.code === code)
        return { item: entry ? (locale === 'en' ? entry.en : entry.zh) : code, code }
      })
      return { ...base, items: [...chosen, ...lines(v.items).map((item) => ({ item }))], note: text(v.note) }
    }
    case 'submit_supplement':
      return { ...base, documents: textLines('documents'), note: text(v.note) }
    case 'record_opinion':
      return { ...base, department: text(v.department), opinion: text(v.opinion), comments: text(v.comments), conditions: textLines('conditions') }
    case 'approve':
      return {
        ...base,
        approvedPosition: text(v.approvedPosition),
        approvedArea: area(),
        approvedPeriod: period(),
        conditions: textLines('conditions'),
        authority: text(v.authority),
        approvedBy: text(v.approvedBy),
        reference: text(v.reference),
      }
    case 'refuse':
      return { ...base, reasons: lines(v.reasons), reasonCodes: list(v.reasonCodes), authority: text(v.authority), reference: text(v.reference) }
    case 'refuse_change':
      return { ...base, reasons: lines(v.reasons), reasonCodes: list(v.reasonCodes) }
    case 'not_accept':
    case 'revoke_filing':
      return { ...base, reason: text(v.reason), reasonCodes: list(v.reasonCodes) }
    case 'inspect_reinstatement':
      return { ...base, passed: v.passed === true, inspector: text(v.inspector), notes: text(v.notes) }
    case 'complete_formalities':
      return { ...base, permitReference: text(v.permitReference), documents: textLines('documents'), note: text(v.note) }
    case 'request_change':
      return { ...base, kind: text(v.kind), description: text(v.description), requestedPosition: text(v.requestedPosition), requestedArea: area(), requestedPeriod: period() }
    case 'approve_change':
      return { ...base, note: text(v.note), conditions: textLines('conditions') }
    case 'extend_time_limit':
      return { ...base, approver: { name: text(v.approverName), title: text(v.approverTitle) }, reason: text(v.reason) }
    case 'withdraw':
      return { ...base, reason: text(v.reason) }
    default:
      return { ...base, ...Object.fromEntries(FIELDS[action].map((field) => [field.name, text(v[field.name])])) }
  }
}

/** Which form field an API issue path ("body.approvedArea.lengthMeters") belongs to. */
function fieldOfIssue(path: string): string {
  const parts = path.replace(/^body\./, '').split('.')
  const [head, next] = parts
  if (head === 'approvedArea' || head === 'requestedArea') return next === 'widthMeters' ? 'widthMeters' : 'lengthMeters'
  if (head === 'approvedPeriod' || head === 'requestedPeriod') return next === 'to' ? 'periodTo' : 'periodFrom'
  if (head === 'approver') return next === 'title' ? 'approverTitle' : 'approverName'
  if (head === 'items' && next !== undefined && parts[2] === 'code') return 'itemCodes'
  return head ?? path
}

/** Initial values a form starts with, from the case (e.g. the approval defaults to what was applied for). */
function initialValues(action: Action, data: CaseData): Values {
  if (action === 'approve')
    return {
      approvedPosition: `${data.location.roadName}${data.location.description ? ` ${data.location.description}` : ''}`,
      lengthMeters: String(data.excavationLengthMeters),
      widthMeters: data.excavationWidthMeters === null ? '' : String(data.excavationWidthMeters),
      periodFrom: data.plannedStartDate,
      periodTo: data.plannedEndDate,
      authority: data.approvingAuthority ?? '',
    }
  if (action === 'record_opinion') return { opinion: 'agree' }
  if (action === 'request_change') return { kind: 'extend' }
  return {}
}

export interface ActionResult {
  data: CaseData
  etag: string | null
}

function ActionForm({
  action,
  data,
  etag,
  codes,
  onDone,
  onConflict,
}: {
  action: Action
  data: CaseData
  etag: string | null
  codes: ReasonCodeLists
  onDone: (result: ActionResult) => void
  onConflict: () => void
}) {
  const { t, locale } = useI18n()
  const [values, setValues] = useState<Values>(() => initialValues(action, data))
  const [problem, setProblem] = useState<ApiProblem | null>(null)
  const [busy, setBusy] = useState(false)
  const set = (name: string, value: string | boolean | string[]) => setValues((previous) => ({ ...previous, [name]: value }))
  const issues = new Map<string, string[]>()
  for (const issue of problem?.issues ?? []) {
    const field = fieldOfIssue(issue.path)
    issues.set(field, [...(issues.get(field) ?? []), issue.message])
  }
  const fieldNames = new Set(FIELDS[action].map((field) => field.name))
  const unplaced = (problem?.issues ?? []).filter((issue) => !fieldNames.has(fieldOfIssue(issue.path)))

  async function submit(event: Event) {
    event.preventDefault()
    setBusy(true)
    setProblem(null)
    try {
      const body = bodyOf(action, values, codes, locale)
      if (action === 'complete_stage') body.stage = data.currentStage?.key
      const result = await api.POST('/v1/cases/{id}/transitions', {
        params: { path: { id: data.id }, header: etag ? { 'if-match': etag } : {} },
        body: JSON.parse(JSON.stringify(body)) as never,
      })
      if (result.response.ok && result.data) {
        const updated = result.data as unknown as CaseData
        setValues(initialValues(action, updated))
        onDone({ data: updated, etag: result.response.headers.get('etag') })
        return
      }
      const error = (result.error ?? {}) as {
        title?: string
        detail?: string
        code?: string
        errors?: { path: string; message: string }[]
        issues?: { path: string; message: string }[]
      }
      const failure = new ApiProblem(result.response.status, error.title ?? result.response.statusText, error.detail, error.code, error.errors ?? error.issues ?? [], error)
      if (result.response.status === 412) onConflict()
      else setProblem(failure)
    } catch (cause) {
      setProblem(new ApiProblem(0, 'network', undefined, 'network', [], cause))
    } finally {
      setBusy(false)
    }
  }

  const id = (name: string) => `action-${action}-${name}`
  return (
    <form class="case-action" data-action={action} onSubmit={submit} aria-labelledby={id('title')} noValidate>
      <h3 id={id('title')}>{t(`case.action.${action}` as never)}</h3>
      <p class="muted">{t(`case.actionHelp.${action}` as never)}</p>
      {FIELDS[action].map((field) => {
        const fieldIssues = issues.get(field.name) ?? []
        const label = t(`case.field.${field.name}` as never)
        const describedBy = fieldIssues.length > 0 ? id(`${field.name}-issue`) : undefined
        const value = values[field.name]
        let control
        if (field.kind === 'codes') {
          const options = codes[field.codes as keyof ReasonCodeLists] ?? []
          if (options.length === 0) return null
          const chosen = Array.isArray(value) ? value : []
          control = (
            <fieldset aria-describedby={describedBy}>
              <legend>{label}</legend>
              {options.map((option) => (
                <label key={option.code} class="case-check" title={`${option.basis.citation}：${option.basis.text}`}>
                  <input
                    type="checkbox"
                    name={field.name}
                    value={option.code}
                    checked={chosen.includes(option.code)}
                    onChange={(event) => set(field.name, event.currentTarget.checked ? [...chosen, option.code] : chosen.filter((code) => code !== option.code))}
                  />
                  {locale === 'en' ? option.en : option.zh}
                  <span class="muted"> · {option.basis.citation}</span>
                </label>
              ))}
            </fieldset>
          )
        } else if (field.kind === 'checkbox') {
          control = (
            <label class="case-check">
              <input type="checkbox" id={id(field.name)} name={field.name} checked={value === true} onChange={(event) => set(field.name, event.currentTarget.checked)} />
              {label}
            </label>
          )
        } else {
          const common = {
            id: id(field.name),
            name: field.name,
            required: field.required,
            'aria-invalid': fieldIssues.length > 0 ? true : undefined,
            'aria-describedby': describedBy,
            value: typeof value === 'string' ? value : '',
            onInput: (event: Event) => set(field.name, (event.currentTarget as HTMLInputElement).value),
          }
          control = (
            <>
              <label for={id(field.name)}>
                {label}
                {field.required && <span class="required"> *</span>}
                {field.kind === 'lines' && <span class="muted"> {t('case.field.onePerLine')}</span>}
              </label>
              {field.kind === 'textarea' || field.kind === 'lines' ? (
                <textarea rows={field.kind === 'lines' ? 3 : 2} {...common} />
              ) : field.kind === 'select' ? (
                <select {...common} onChange={common.onInput}>
                  {field.options?.map((option) => (
                    <option key={option} value={option}>
                      {t(`case.option.${option}` as never)}
                    </option>
                  ))}
                </select>
              ) : (
                <input type={field.kind === 'number' ? 'number' : field.kind === 'date' ? 'date' : 'text'} step={field.kind === 'number' ? '0.01' : undefined} {...common} />
              )}
            </>
          )
        }
        return (
          <div class={`case-field${fieldIssues.length > 0 ? ' invalid' : ''}`} key={field.name}>
            {control}
            {fieldIssues.length > 0 && (
              <p class="case-issue" id={id(`${field.name}-issue`)} role="alert">
                {fieldIssues.join('；')}
              </p>
            )}
          </div>
        )
      })}
      {problem && <ProblemView error={new ApiProblem(problem.status, problem.title, problem.detail, problem.code, unplaced, problem.body)} />}
      <button type="submit" disabled={busy}>
        {t(`case.action.${action}` as never)}
      </button>
    </form>
  )
}

export function CaseActions(props: { data: CaseData; etag: string | null; codes: ReasonCodeLists; onDone: (result: ActionResult) => void; onConflict: () => void }) {
  const actions = props.data.allowedActions
  const { t } = useI18n()
  const [open, setOpen] = useState<Action | null>(null)
  if (actions.length === 0) return null
  const current = open && actions.includes(open) ? open : actions[0]
  return (
    <section class="panel case-actions" aria-labelledby="case-actions-title" data-testid="case-actions">
      <h2 id="case-actions-title">{t('case.actions.title')}</h2>
      <fieldset class="case-action-tabs">
        <legend class="visually-hidden">{t('case.actions.choose')}</legend>
        {actions.map((action) => (
          <button type="button" key={action} class={action === current ? '' : 'secondary'} aria-pressed={action === current} data-choose={action} onClick={() => setOpen(action)}>
            {t(`case.action.${action}` as never)}
          </button>
        ))}
      </fieldset>
      {current && <ActionForm key={`${current}`} action={current} {...props} />}
    </section>
  )
}
