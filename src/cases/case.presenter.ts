import { requireBehaviour } from '../core/rules/route-behaviour.ts'
import type { WriteResponse } from '../platform/idempotency/unit-of-work.ts'
import { caseResponseSchema } from './case.schema.ts'
import type { Role } from '../core/access/principal.ts'
import { BadRequestError, PreconditionRequiredError } from '../platform/errors/domain-errors.ts'
import { formatShanghaiInstant } from '../core/calendar/civil-date.ts'
import type { WorkingDayCalendar } from '../core/calendar/working-day-calendar.ts'
import { allowedActions } from '../core/lifecycle/case-state-machine.ts'
import { caseDeadlineOf, lifecycleView } from '../core/lifecycle/lifecycle-state.ts'
import { superviseLifecycle } from '../core/lifecycle/supervision.ts'
import { explainCaseDeadlines } from '../core/lifecycle/case-deadline-explanation.ts'
import type { Locale } from '../core/i18n/locale.ts'
import { recomputeLifecycle } from '../core/lifecycle/lifecycle-state.ts'
import type { CaseRecord } from './case.repository.ts'
import type { CoordinationView } from './case-coordination.service.ts'

/** What a case looks like depends on when (overdue, working days used) and who asks (allowed actions). */
export interface PresentationContext {
  calendar: WorkingDayCalendar
  now: Date
  role: Role
  /** false: leave the day-by-day deadline explanations out (lists); default true. */
  explainDeadlines?: boolean
  /** The language of the deadline explanations' texts (the request's Accept-Language); default en. */
  locale?: Locale
}

/** A case with what its presentation needs: the record, and when and for whom it is shown. */
export interface CaseView {
  record: CaseRecord
  context: PresentationContext
  /** Its clashes with other works (case-coordination.service.ts): on a read or write of one case, not in lists. */
  coordination?: CoordinationView | undefined
}

/** Lifecycle records are plain JSON documents; the response schema describes them as open objects. */
type Json<T> = T extends unknown[] ? Record<string, unknown>[] : T extends null ? null : Record<string, unknown>
const json = <T>(value: T) => value as unknown as Json<T>

/** The public JSON of a case (camelCase, instants in Asia/Shanghai time with their offset). */
export function presentCase(record: CaseRecord, context: PresentationContext, coordination?: CoordinationView) {
  const { decision } = record
  const state = record.lifecycle
  const view = lifecycleView(state, context.calendar, context.now)
  const clock = view.clock
  const supervision = superviseLifecycle(state, context.calendar, context.now)
  const explanations =
    context.explainDeadlines === false ? { overall: null, stages: {} } : explainCaseDeadlines(recomputeLifecycle(state, context.calendar), context.calendar, context.locale)
  return {
    id: record.id,
    number: record.number,
    externalReference: record.externalReference,
    organization: record.organizationCode,
    jurisdiction: record.jurisdictionCode,
    route: record.route,
    behaviour: requireBehaviour(state),
    status: state.status,
    allowedActions: allowedActions(state, context.role),
    requiresApproval: decision.requiresApproval,
    requiresJointReview: decision.requiresJointReview,
    timeLimit: decision.timeLimit,
    approvingAuthority: decision.approvingAuthority,
    stagePlan: decision.stages.map((stage) => ({ key: stage.key, name: stage.name, workingDays: stage.workingDays })),
    ruleSet: { id: record.ruleSetId, version: record.ruleSetVersion, effectiveFrom: record.ruleSetEffectiveFrom },
    explanation: decision.explanation,
    // The statutory clock at this moment: null fields until the case is accepted.
    ...caseDeadlineOf(view),
    paused: clock?.paused ?? false,
    workingDaysUsed: clock?.workingDaysUsed ?? null,
    workingDaysRemaining: clock?.workingDaysRemaining ?? null,
    overdue: view.overdue,
    provisional: clock?.provisional ?? false,
    currentStage: view.currentStage ? { ...view.currentStage, warningLevel: supervision.stageWarningLevel } : null,
    clock: clock ? { ...clock, warningLevel: supervision.warningLevel, explanation: explanations.overall, ledger: state.clock?.ledger ?? [] } : null,
    stages: json(state.stages.map((stage) => ({ ...stage, explanation: explanations.stages[stage.key] ?? null }))),
    formalities: json(view.formalities),
    acceptance: json(state.acceptance),
    notAccepted: json(state.notAccepted),
    supplements: json(state.supplements),
    decision: json(state.decision),
    extension: json(state.extension),
    worksProgress: json(state.works),
    inspections: json(state.inspections),
    pendingChange: json(state.pendingChange),
    changes: json(state.changes),
    withdrawal: json(state.withdrawal),
    closure: json(state.closure),
    revocation: json(state.revocation),
    voltageVolts: record.voltageVolts,
    excavationLengthMeters: record.excavationLengthMeters,
    excavationWidthMeters: record.excavationWidthMeters,
    emergency: record.emergency,
    roadProtected: record.roadProtected,
    lengthCheck: record.lengthCheck,
    roads: record.roads,
    works: record.works,
    location: record.location as never,
    plannedStartDate: record.plannedStartDate,
    plannedEndDate: record.plannedEndDate,
    contact: record.contact,
    commitment: record.commitment,
    filingReceiptNumber: record.filingReceiptNumber,
    submittedAt: formatShanghaiInstant(record.submittedAt),
    formalitiesDueAt: record.formalitiesDueAt ? formatShanghaiInstant(record.formalitiesDueAt) : null,
    version: record.version,
    updatedAt: formatShanghaiInstant(record.updatedAt),
    ...(coordination ? { coordination } : {}),
  }
}

/** A case's entity tag is its version, strong (RFC 9110 §8.8.3): "3". */
export const etagOf = (record: Pick<CaseRecord, 'version'>) => `"${record.version}"`

/**
 * The version an If-Match header asks for. RFC 9110 §13.1.1: If-Match uses the strong comparison, so a weak
 * tag (W/"3") never matches any version: it parses (the header is well-formed) as 'weak', which the
 * transition answers with 412. A missing header is 428 (RFC 6585 §3): a change must name the version it saw.
 */
export function parseIfMatch(header: string | undefined): number | 'weak' {
  if (header === undefined || header.trim() === '') {
    throw new PreconditionRequiredError('Send If-Match with the case\'s current ETag (e.g. If-Match: "3") so a change never overwrites one you have not seen.')
  }
  const match = /^\s*(W\/)?"(\d{1,9})"\s*$/.exec(header)
  if (!match)
    throw new BadRequestError('If-Match must be the ETag of the case, e.g. "3".', [{ path: 'header.if-match', message: 'must be a quoted version like "3"' }], 'invalid_if_match')
  return match[1] ? 'weak' : Number(match[2])
}

/** The answer to a case write (intake 201 with Location, transition 200), as sent and as stored for an Idempotency-Key. */
export function caseWriteResponse(view: CaseView, status: 200 | 201): WriteResponse<ReturnType<typeof presentCase>> {
  const headers: Record<string, string> = { etag: etagOf(view.record) }
  if (status === 201) headers.location = `/v1/cases/${view.record.id}`
  return { status, headers, body: presentCase(view.record, view.context, view.coordination), schema: caseResponseSchema }
}
