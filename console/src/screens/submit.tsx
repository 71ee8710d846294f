/**
 * Submit (申报, dispatch and office): the application form of POST /v1/cases, grouped in labelled fieldsets, with a
 * live preview of what the rules decide (POST /v1/assessments, debounced as the user types): route, due date and
 * stages, the decision's explanation with its legal basis, and the due date explained day by day. The works'
 * geometry is pasted as GeoJSON or drawn on the map over the road register. Field issues of either call are shown
 * next to their fields. The submission carries an Idempotency-Key, so a retried click never files twice.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { api, ApiProblem, unwrap, type Schemas } from '../api/client.ts'
import { ProblemView } from '../components/problem-view.tsx'
import { type Position, polylinesOf, type RoadCollection, WorksMap } from '../components/works-map.tsx'
import { type MessageKey, useI18n } from '../i18n/i18n.ts'
import { useIdentity } from '../lib/identity.ts'
import { href, navigate } from '../lib/router.ts'
import { addCalendarDays, loadRoads, shanghaiToday } from '../map-data.ts'
import { SubmitPreview } from '../submit-preview.tsx'
import '../submit.css'

type Assessment = Schemas['Assessment']

interface Form {
  organization: string
  jurisdiction: string
  externalReference: string
  title: string
  description: string
  voltageVolts: string
  excavationLengthMeters: string
  excavationWidthMeters: string
  emergency: boolean
  roadProtected: boolean
  district: string
  roadName: string
  locationDescription: string
  plannedStartDate: string
  plannedEndDate: string
  contactName: string
  contactPhone: string
  signedBy: string
  statement: string
}

/** Where each API field path (after `body.`) is shown. */
const FIELD_OF: [prefix: string, field: keyof Form | 'geometry'][] = [
  ['organization', 'organization'],
  ['jurisdiction', 'jurisdiction'],
  ['externalReference', 'externalReference'],
  ['works.title', 'title'],
  ['works.description', 'description'],
  ['voltageVolts', 'voltageVolts'],
  ['excavationLengthMeters', 'excavationLengthMeters'],
  ['excavationWidthMeters', 'excavationWidthMeters'],
  ['location.district', 'district'],
  ['location.roadName', 'roadName'],
  ['location.description', 'locationDescription'],
  ['location.geometry', 'geometry'],
  ['geometry', 'geometry'],
  ['plannedStartDate', 'plannedStartDate'],
  ['plannedEndDate', 'plannedEndDate'],
  ['contact.name', 'contactName'],
  ['contact.phone', 'contactPhone'],
  ['commitment.signedBy', 'signedBy'],
  ['commitment.statement', 'statement'],
]

function issuesByField(error: unknown): Map<string, string[]> {
  const byField = new Map<string, string[]>()
  if (!(error instanceof ApiProblem)) return byField
  for (const issue of error.issues) {
    const path = issue.path.replace(/^body\.?/, '')
    const field = FIELD_OF.find(([prefix]) => path === prefix || path.startsWith(`${prefix}.`))?.[1] ?? 'general'
    byField.set(field, [...(byField.get(field) ?? []), issue.message])
  }
  return byField
}

const numberOrUndefined = (text: string) => (text.trim() === '' || !Number.isFinite(Number(text)) ? undefined : Number(text))
const optional = (text: string) => (text.trim() === '' ? undefined : text.trim())

type Geometry = Schemas['Geometry']

/** The pasted text as a geometry, or why not (a Feature or FeatureCollection of one is taken for its geometry). */
function parseGeometry(text: string): { geometry?: Geometry; error?: 'notJson' | 'wrongType' } {
  if (text.trim() === '') return {}
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return { error: 'notJson' }
  }
  const v = value as { type?: string; geometry?: unknown; features?: { geometry?: unknown }[] }
  if (v?.type === 'Feature') value = v.geometry
  else if (v?.type === 'FeatureCollection' && v.features?.length === 1) value = v.features[0]?.geometry
  const g = value as { type?: string; coordinates?: unknown }
  if (!g || !['LineString', 'MultiLineString', 'Polygon'].includes(g.type ?? '') || !Array.isArray(g.coordinates)) return { error: 'wrongType' }
  return { geometry: g as Geometry }
}

export function SubmitScreen() {
  const { t } = useI18n()
  const identity = useIdentity()
  const today = shanghaiToday()
  const [form, setForm] = useState<Form>({
    organization: '',
    jurisdiction: identity.jurisdiction ?? '',
    externalReference: '',
    title: '',
    description: '',
    voltageVolts: '10000',
    excavationLengthMeters: '',
    excavationWidthMeters: '',
    emergency: false,
    roadProtected: false,
    district: '',
    roadName: '',
    locationDescription: '',
    plannedStartDate: addCalendarDays(today, 14),
    plannedEndDate: addCalendarDays(today, 21),
    contactName: '',
    contactPhone: '',
    signedBy: '',
    statement: '',
  })
  const [geometryMode, setGeometryMode] = useState<'paste' | 'draw'>('paste')
  const [geometryText, setGeometryText] = useState('')
  const [drawn, setDrawn] = useState<Position[]>([])
  const [roads, setRoads] = useState<RoadCollection | undefined>(undefined)
  const [jurisdictions, setJurisdictions] = useState<{ code: string; name: { zh: string; en: string } }[]>([])
  const [assessment, setAssessment] = useState<Assessment | null>(null)
  const [previewError, setPreviewError] = useState<unknown>(null)
  const [previewing, setPreviewing] = useState(false)
  const [submitError, setSubmitError] = useState<unknown>(null)
  const [submitting, setSubmitting] = useState(false)
  const idempotencyKey = useRef<{ body: string; key: string } | null>(null)

  useEffect(() => {
    loadRoads().then(setRoads, () => setRoads({ type: 'FeatureCollection', features: [], nextCursor: null }))
    if (!identity.jurisdiction)
      unwrap(api.GET('/v1/jurisdictions')).then(
        (data) => setJurisdictions(data.items),
        () => {},
      )
  }, [])

  const pasted = useMemo(() => parseGeometry(geometryText), [geometryText])
  const geometry: Geometry | undefined = geometryMode === 'paste' ? pasted.geometry : drawn.length >= 2 ? ({ type: 'LineString', coordinates: drawn } as Geometry) : undefined

  // The live preview: the facts the rules decide on, assessed 300 ms after the last keystroke; the latest wins.
  const assessmentBody = useMemo(() => {
    const voltageVolts = numberOrUndefined(form.voltageVolts)
    const excavationLengthMeters = numberOrUndefined(form.excavationLengthMeters)
    if (voltageVolts === undefined || excavationLengthMeters === undefined) return null
    return JSON.stringify({
      ...(optional(form.jurisdiction) ? { jurisdiction: form.jurisdiction } : {}),
      voltageVolts,
      excavationLengthMeters,
      emergency: form.emergency,
      roadProtected: form.roadProtected,
      ...(geometry ? { geometry } : {}),
      ...(form.plannedStartDate ? { plannedStartDate: form.plannedStartDate } : {}),
      ...(form.plannedEndDate ? { plannedEndDate: form.plannedEndDate } : {}),
    })
  }, [form, geometry])
  const generation = useRef(0)
  useEffect(() => {
    const mine = ++generation.current
    if (!assessmentBody) {
      setAssessment(null)
      setPreviewError(null)
      return
    }
    setPreviewing(true)
    const timer = setTimeout(() => {
      unwrap(api.POST('/v1/assessments', { body: JSON.parse(assessmentBody) }))
        .then(
          (data) => {
            if (mine !== generation.current) return
            setAssessment(data)
            setPreviewError(null)
          },
          (error: unknown) => mine === generation.current && setPreviewError(error),
        )
        .finally(() => mine === generation.current && setPreviewing(false))
    }, 300)
    return () => clearTimeout(timer)
  }, [assessmentBody])

  const issues = useMemo(() => {
    const merged = issuesByField(previewError)
    for (const [field, messages] of issuesByField(submitError)) merged.set(field, [...new Set([...(merged.get(field) ?? []), ...messages])])
    return merged
  }, [previewError, submitError])

  const set =
    <K extends keyof Form>(key: K) =>
    (event: Event) => {
      const target = event.currentTarget as HTMLInputElement
      const value = (target.type === 'checkbox' ? target.checked : target.value) as Form[K]
      setForm((previous) => ({ ...previous, [key]: value }))
    }

  const commitmentRoute = assessment?.route === 'commitment_filing'

  function caseBody() {
    return {
      ...(optional(form.externalReference) ? { externalReference: form.externalReference.trim() } : {}),
      ...(identity.role === 'office' && optional(form.organization) ? { organization: form.organization.trim() } : {}),
      ...(optional(form.jurisdiction) ? { jurisdiction: form.jurisdiction } : {}),
      voltageVolts: numberOrUndefined(form.voltageVolts) as number,
      excavationLengthMeters: numberOrUndefined(form.excavationLengthMeters) as number,
      ...(numberOrUndefined(form.excavationWidthMeters) !== undefined ? { excavationWidthMeters: numberOrUndefined(form.excavationWidthMeters) } : {}),
      emergency: form.emergency,
      roadProtected: form.roadProtected,
      works: { title: form.title, ...(optional(form.description) ? { description: form.description } : {}) },
      location: {
        district: form.district,
        roadName: form.roadName,
        ...(optional(form.locationDescription) ? { description: form.locationDescription } : {}),
        ...(geometry ? { geometry } : {}),
      },
      plannedStartDate: form.plannedStartDate,
      plannedEndDate: form.plannedEndDate,
      contact: { name: form.contactName, phone: form.contactPhone },
      ...(optional(form.signedBy) || optional(form.statement) ? { commitment: { signedBy: form.signedBy, statement: form.statement } } : {}),
    }
  }

  async function submit(event: Event) {
    event.preventDefault()
    const body = caseBody()
    const text = JSON.stringify(body)
    // One key per body: a retry of the same application is answered with the first answer, never filed twice.
    if (idempotencyKey.current?.body !== text) idempotencyKey.current = { body: text, key: crypto.randomUUID() }
    setSubmitting(true)
    setSubmitError(null)
    try {
      const created = await unwrap(api.POST('/v1/cases', { body: body as never, headers: { 'Idempotency-Key': idempotencyKey.current.key } }))
      navigate(href('cases', created.id))
    } catch (error) {
      setSubmitError(error)
    } finally {
      setSubmitting(false)
    }
  }

  const fieldIssues = (field: string) => {
    const messages = issues.get(field)
    return messages ? (
      <span class="field-issue" id={`issue-${field}`} role="alert">
        {messages.join('；')}
      </span>
    ) : null
  }
  const described = (field: string) => (issues.has(field) ? { 'aria-describedby': `issue-${field}`, 'aria-invalid': true } : {})

  const text = (
    field: keyof Form,
    label: MessageKey,
    options: { required?: boolean; type?: string; multiline?: boolean; step?: string; hint?: MessageKey; list?: string } = {},
  ) => (
    <div class="field">
      <label for={`f-${field}`}>
        {t(label)}
        {options.required && <span class="required"> *</span>}
      </label>
      {options.multiline ? (
        <textarea id={`f-${field}`} name={field} rows={2} value={form[field] as string} onInput={set(field)} {...described(field)} />
      ) : (
        <input
          id={`f-${field}`}
          name={field}
          type={options.type ?? 'text'}
          step={options.step}
          list={options.list}
          required={options.required}
          value={form[field] as string}
          onInput={set(field)}
          {...described(field)}
        />
      )}
      {options.hint && <span class="hint">{t(options.hint)}</span>}
      {fieldIssues(field)}
    </div>
  )

  const positions = geometry ? polylinesOf(geometry).reduce((sum, line) => sum + line.length, 0) : 0
  const pastedLines: Position[] = geometryMode === 'paste' && pasted.geometry ? polylinesOf(pasted.geometry).flat() : []

  return (
    <section class="submit-screen">
      <h1>{t('submit.title')}</h1>
      <p class="muted">{t('submit.intro')}</p>
      <div class="submit-layout">
        <form class="submit-form" onSubmit={submit} noValidate aria-label={t('submit.title')}>
          <fieldset>
            <legend>{t('submit.applicant')}</legend>
            <div class="field-row">
              {identity.role === 'office' && text('organization', 'submit.organization', { required: true })}
              {!identity.jurisdiction && jurisdictions.length > 1 && (
                <div class="field">
                  <label for="f-jurisdiction">{t('submit.jurisdiction')}</label>
                  <select id="f-jurisdiction" name="jurisdiction" value={form.jurisdiction} onChange={set('jurisdiction')} {...described('jurisdiction')}>
                    <option value="">—</option>
                    {jurisdictions.map((j) => (
                      <option key={j.code} value={j.code}>
                        {j.name.zh} / {j.name.en}
                      </option>
                    ))}
                  </select>
                  {fieldIssues('jurisdiction')}
                </div>
              )}
              {text('externalReference', 'submit.externalReference')}
            </div>
          </fieldset>
          <fieldset>
            <legend>{t('submit.worksGroup')}</legend>
            {text('title', 'submit.worksTitle', { required: true })}
            {text('description', 'submit.worksDescription', { multiline: true })}
            <div class="field-row">
              {text('voltageVolts', 'submit.voltage', { required: true, type: 'number', step: '1', hint: 'submit.voltageHint', list: 'voltages' })}
              <datalist id="voltages">
                <option value="400" />
                <option value="10000" />
                <option value="35000" />
                <option value="110000" />
              </datalist>
              {text('excavationLengthMeters', 'submit.length', { required: true, type: 'number', step: '0.01' })}
              {text('excavationWidthMeters', 'submit.width', { type: 'number', step: '0.01' })}
            </div>
            <div class="field-row checks">
              <label class="check">
                <input type="checkbox" name="emergency" checked={form.emergency} onChange={set('emergency')} /> {t('submit.emergency')}
              </label>
              <label class="check">
                <input type="checkbox" name="roadProtected" checked={form.roadProtected} onChange={set('roadProtected')} /> {t('submit.roadProtected')}
              </label>
            </div>
          </fieldset>
          <fieldset>
            <legend>{t('submit.locationGroup')}</legend>
            <div class="field-row">
              {text('district', 'submit.district', { required: true })}
              {text('roadName', 'submit.roadName', { required: true })}
            </div>
            {text('locationDescription', 'submit.locationDescription', { multiline: true })}
          </fieldset>
          <fieldset class="geometry">
            <legend>{t('submit.geometryGroup')}</legend>
            <div class="mode" role="radiogroup" aria-label={t('submit.geometryGroup')}>
              <label class="check">
                <input type="radio" name="geometryMode" value="paste" checked={geometryMode === 'paste'} onChange={() => setGeometryMode('paste')} /> {t('submit.geometryPaste')}
              </label>
              <label class="check">
                <input type="radio" name="geometryMode" value="draw" checked={geometryMode === 'draw'} onChange={() => setGeometryMode('draw')} /> {t('submit.geometryDraw')}
              </label>
            </div>
            {geometryMode === 'paste' ? (
              <div class="field">
                <label for="f-geometry">{t('submit.geometryText')}</label>
                <textarea
                  id="f-geometry"
                  name="geometry"
                  rows={3}
                  spellcheck={false}
                  value={geometryText}
                  onInput={(event) => setGeometryText(event.currentTarget.value)}
                  {...described('geometry')}
                />
                {pasted.error && (
                  <span class="field-issue" role="alert">
                    {t('submit.geometryInvalid', { reason: t(pasted.error === 'notJson' ? 'submit.geometryNotJson' : 'submit.geometryWrongType') })}
                  </span>
                )}
                {pasted.geometry && (
                  <span class="hint" data-testid="geometry-ok">
                    {t('submit.geometryOk', { count: positions })}
                  </span>
                )}
              </div>
            ) : (
              <div class="draw-tools">
                <span class="hint">{t('submit.drawHint')}</span>
                <span data-testid="drawn-count">{t('submit.drawPoints', { count: drawn.length })}</span>
                <button type="button" class="secondary" data-testid="draw-undo" disabled={drawn.length === 0} onClick={() => setDrawn((d) => d.slice(0, -1))}>
                  {t('submit.undo')}
                </button>
                <button type="button" class="secondary" data-testid="draw-clear" disabled={drawn.length === 0} onClick={() => setDrawn([])}>
                  {t('submit.clear')}
                </button>
              </div>
            )}
            {fieldIssues('geometry')}
            {roads && (
              <WorksMap
                works={{ type: 'FeatureCollection', features: [], truncated: false }}
                roads={roads}
                label={t('submit.mapLabel')}
                height={300}
                drawn={geometryMode === 'draw' ? drawn : pastedLines}
                onMapClick={geometryMode === 'draw' ? (position) => setDrawn((d) => [...d, position]) : undefined}
              />
            )}
          </fieldset>
          <fieldset>
            <legend>{t('submit.periodGroup')}</legend>
            <div class="field-row">
              {text('plannedStartDate', 'submit.plannedStart', { required: true, type: 'date' })}
              {text('plannedEndDate', 'submit.plannedEnd', { required: true, type: 'date' })}
            </div>
          </fieldset>
          <fieldset>
            <legend>{t('submit.contactGroup')}</legend>
            <div class="field-row">
              {text('contactName', 'submit.contactName', { required: true })}
              {text('contactPhone', 'submit.contactPhone', { required: true, type: 'tel' })}
            </div>
          </fieldset>
          <fieldset class={commitmentRoute ? 'emphasis' : ''}>
            <legend>{t('submit.commitmentGroup')}</legend>
            <p class="hint">{t('submit.commitmentHint')}</p>
            {text('signedBy', 'submit.commitmentSignedBy', { required: commitmentRoute })}
            {text('statement', 'submit.commitmentStatement', { required: commitmentRoute, multiline: true })}
          </fieldset>
          {fieldIssues('general')}
          {submitError !== null && <ProblemView error={submitError} />}
          <div class="actions">
            <button type="submit" disabled={submitting}>
              {submitting ? t('submit.submitting') : t('submit.submit')}
            </button>
          </div>
        </form>
        <SubmitPreview assessment={assessmentBody ? assessment : null} error={previewError} loading={previewing} />
      </div>
    </section>
  )
}
