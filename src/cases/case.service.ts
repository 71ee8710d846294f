import type { Kysely } from 'kysely'
import type { CalendarService } from '../calendar/calendar.service.ts'
import { confinedOrganizationId, type Principal } from '../core/access/principal.ts'
import { addDays, endOfShanghaiDay, formatShanghaiInstant, shanghaiDateOf } from '../core/calendar/civil-date.ts'
import { initialLifecycleState } from '../core/lifecycle/lifecycle-state.ts'
import { buildTimeline } from '../core/lifecycle/timeline.ts'
import { routeInputOf } from '../core/rules/assessment.ts'
import { decideRoute } from '../core/rules/route-decision.ts'
import { clashBufferMetersOf } from '../core/rules/coordination.ts'
import { resolveActingOrganization, resolveListOrganization } from '../organizations/organization.service.ts'
import type { Clock } from '../platform/clock.ts'
import type { Database } from '../platform/database/database.types.ts'
import type { IdempotencyHandle } from '../platform/idempotency/idempotency.plugin.ts'
import { runUnitOfWork, type WriteResponse } from '../platform/idempotency/unit-of-work.ts'
import { ConflictError, NotFoundError, ValidationFailedError } from '../platform/errors/domain-errors.ts'
import { cursorValues, keysetCursor, pageOf } from '../platform/http/keyset-pagination.ts'
import type { RuleSetService } from '../rule-sets/rule-set.service.ts'
import { establishWorksFacts } from '../roads/works-facts.service.ts'
import { appendCaseEvent } from './case-event.repository.ts'
import { coordinationOf, syncWorksAndClashes } from './case-coordination.service.ts'
import { type CaseView, caseWriteResponse, type PresentationContext } from './case.presenter.ts'
import { findCase, findCaseByExternalReference, insertCase, listCases, type CaseRecord } from './case.repository.ts'
import type { CaseListQuery, CreateCaseRequest } from './case.schema.ts'

export interface CaseServiceDeps {
  db: Kysely<Database>
  ruleSets: RuleSetService
  calendars: CalendarService
  clock: Clock
}

export interface RequestContext {
  principal: Principal
  requestId: string
}

/** A committed case write: the case as the caller sees it and the HTTP answer (stored with its Idempotency-Key). */
export interface CaseWrite {
  view: CaseView
  response: WriteResponse<unknown>
}

/** What a case looks like depends on when and who asks: the calendar in force now and the caller's role. */
async function presentationContextFor(deps: Pick<CaseServiceDeps, 'calendars' | 'clock'>, principal: Principal, now = deps.clock.now()): Promise<PresentationContext> {
  return { calendar: await deps.calendars.calendar(), now, role: principal.role }
}

/**
 * Intake: the route is decided once, at submission, under the rule-set version in force that day, and stored with
 * its explanation (a later version never re-decides an existing case). The case, its first event and the
 * idempotent response are written in one transaction (platform/idempotency/unit-of-work.ts).
 */
export async function submitCase(deps: CaseServiceDeps, context: RequestContext, body: CreateCaseRequest, idempotency: IdempotencyHandle | null): Promise<CaseWrite> {
  const submittedAt = deps.clock.now()
  // Everything read through the pool (the organization, the cached rule sets and calendar) is read before the
  // transaction opens: a transaction that waited for a second pool connection could wait for ever once every
  // connection is held by such a transaction.
  const organization = await resolveActingOrganization(deps.db, context.principal, body.organization, {
    ownOnly: 'A dispatch key submits for its own organization only.',
    required: { detail: 'An office key submits on behalf of an applicant: name its organization code.', message: (role) => `required when an ${role} key submits a case` },
  })
  const ruleSet = await deps.ruleSets.inForce(shanghaiDateOf(submittedAt))
  // The geometry is validated (422 invalid_geometry), measured and matched to the road register here, before the
  // transaction; after this line body.location.geometry is usable (or absent). A no-dig period may refuse (422).
  const works = await establishWorksFacts(deps.db, ruleSet, { ...body, geometry: body.location.geometry })
  const decision = decideRoute(ruleSet, routeInputOf(body), works.facts)

  if (decision.route === 'commitment_filing' && !body.commitment) {
    throw new ValidationFailedError(
      'Works of 400 V and below digging 200 m or less are filed with a signed commitment instead of an approval: include `commitment` with signedBy and statement.',
      [{ path: 'commitment', message: 'required for a commitment filing' }],
      'commitment_required',
    )
  }

  const presentation = await presentationContextFor(deps, context.principal, submittedAt)
  const lifecycle = initialLifecycleState(decision, submittedAt)
  const status = lifecycle.status
  const formalitiesDueAt = lifecycle.formalities ? new Date(lifecycle.formalities.dueAt) : null
  const { result, response } = await runUnitOfWork(
    deps.db,
    idempotency,
    async (trx): Promise<CaseView> => {
      const record = await insertCase(trx, {
        organizationId: organization.id,
        externalReference: body.externalReference ?? null,
        route: decision.route,
        status,
        ruleSetId: ruleSet.id,
        ruleSetVersion: ruleSet.version,
        decision,
        voltageVolts: body.voltageVolts,
        excavationLengthMeters: body.excavationLengthMeters,
        excavationWidthMeters: body.excavationWidthMeters ?? null,
        emergency: body.emergency,
        roadProtected: body.roadProtected,
        works: body.works,
        location: body.location,
        plannedStartDate: body.plannedStartDate,
        plannedEndDate: body.plannedEndDate,
        contact: body.contact,
        commitment: body.commitment ?? null,
        filingReceipt: status === 'filed',
        submittedAt,
        formalitiesDueAt,
        createdByKeyId: context.principal.keyId,
        lifecycle,
        lengthCheck: works.facts.lengthCheck,
        roads: works.roads,
      })
      if (!record) {
        // The organization already has a case with this external reference (perhaps committed a moment ago by a
        // concurrent twin): the caller learns which case it is.
        const existing = await findCaseByExternalReference(trx, organization.id, body.externalReference as string)
        throw duplicateReference(existing, body.externalReference as string)
      }
      const { number, filingReceiptNumber } = record
      await appendCaseEvent(
        trx,
        {
          caseId: record.id,
          organizationId: organization.id,
          type: `case.${status}`,
          fromStatus: null,
          toStatus: status,
          actor: { keyId: context.principal.keyId, role: context.principal.role, organizationId: context.principal.organizationId },
          requestId: context.requestId,
          occurredAt: submittedAt,
          payload: {
            number,
            organization: organization.code,
            route: decision.route,
            ruleSet: { id: ruleSet.id, version: ruleSet.version },
            decision,
            lengthCheck: works.facts.lengthCheck,
            roads: works.roads,
            input: { ...body, organization: organization.code },
            ...(filingReceiptNumber ? { filingReceiptNumber } : {}),
            ...(formalitiesDueAt ? { formalitiesDueAt: formatShanghaiInstant(formalitiesDueAt) } : {}),
          },
        },
        null,
      )
      // Clash detection at intake (case-coordination.service.ts): the footprint, the clashes, events on both cases.
      // Works without a geometry are on no map and clash with nothing.
      if (record.location.geometry === undefined) return { record, context: presentation, coordination: { clashes: [] } }
      await syncWorksAndClashes(trx, { record, bufferMeters: clashBufferMetersOf(ruleSet), context, at: submittedAt })
      return { record, context: presentation, coordination: await coordinationOf(trx, context.principal, record.id) }
    },
    (view) => caseWriteResponse(view, 201),
  )
  return { view: result, response }
}

function duplicateReference(existing: CaseRecord | undefined, externalReference: string): ConflictError {
  return new ConflictError(
    `Your organization already submitted a case with externalReference ${externalReference}${existing ? `: ${existing.number}` : ''}.`,
    'duplicate_external_reference',
    existing ? { caseId: existing.id, caseNumber: existing.number, location: `/v1/cases/${existing.id}` } : {},
  )
}

/** One case as the principal may see it; another organization's case is "not found" (core/access). */
export async function getCaseForPrincipal(db: Kysely<Database>, principal: Principal, id: string): Promise<CaseRecord> {
  const found = await findCase(db, id, confinedOrganizationId(principal))
  if (!found) throw new NotFoundError(`No case ${id} is visible to this API key.`, 'case_not_found')
  return found
}

export async function readCase(deps: CaseServiceDeps, principal: Principal, id: string): Promise<CaseView> {
  const record = await getCaseForPrincipal(deps.db, principal, id)
  return { record, context: await presentationContextFor(deps, principal), coordination: await coordinationOf(deps.db, principal, id) }
}

/** The opaque cursor of GET /v1/cases: newest first on (submitted_at, id). */
const caseListCursor = keysetCursor<{ submittedAt: Date; id: string }>('cases', {
  toValues: (key) => [key.submittedAt.toISOString(), key.id],
  fromValues: ([submittedAt, id]) => (cursorValues.isoInstant(submittedAt) && cursorValues.uuid(id) ? { submittedAt: new Date(submittedAt), id } : undefined),
})

export interface CaseListPage {
  records: CaseRecord[]
  context: PresentationContext
  nextCursor: string | null
}

/** The case list with its filters; a dispatch key lists its own organization's cases only. */
export async function listCasesFor(deps: CaseServiceDeps, principal: Principal, query: CaseListQuery): Promise<CaseListPage> {
  const now = deps.clock.now()
  const context = await presentationContextFor(deps, principal, now)
  // Decoded first: a bad cursor is a 400 whatever the other filters find.
  const after = query.cursor ? caseListCursor.decode(query.cursor) : undefined
  const organizationId = await resolveListOrganization(deps.db, principal, query.organization)
  if (organizationId === null) return { records: [], context, nextCursor: null }
  const dueBy = query.dueWithinWorkingDays === undefined ? undefined : { date: context.calendar.addWorkingDays(shanghaiDateOf(now), query.dueWithinWorkingDays).date, now }
  const rows = await listCases(deps.db, {
    overdue: query.overdue === undefined ? undefined : { value: query.overdue, now },
    dueBy,
    organizationId,
    status: query.status,
    route: query.route,
    district: query.district,
    submittedFrom: query.submittedFrom ? new Date(endOfShanghaiDay(addDays(query.submittedFrom, -1)).getTime() + 1) : undefined,
    submittedBefore: query.submittedTo ? new Date(endOfShanghaiDay(query.submittedTo).getTime() + 1) : undefined,
    after,
    limit: query.limit + 1,
  })
  const page = pageOf(rows, query.limit, caseListCursor, (record) => ({ submittedAt: record.submittedAt, id: record.id }))
  return { records: page.items, context, nextCursor: page.nextCursor }
}

/** A case's timeline as an auditor reads it, with the rule-set and calendar provenance of its deadlines. */
export async function caseTimelineFor(deps: CaseServiceDeps, principal: Principal, id: string) {
  const record = await getCaseForPrincipal(deps.db, principal, id)
  const calendar = await deps.calendars.calendar()
  const years = await deps.calendars.years()
  return { record, timeline: buildTimeline(record.lifecycle, calendar, deps.clock.now()), calendarYears: years }
}
