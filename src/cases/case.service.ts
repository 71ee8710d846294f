import type { Kysely } from 'kysely'
import type { CalendarService } from '../calendar/calendar.service.ts'
import { confinedJurisdictionCode, confinedOrganizationId, jurisdictionScopeOf, type Principal } from '../core/access/principal.ts'
import { addDays, endOfShanghaiDay, formatShanghaiInstant, shanghaiDateOf } from '../core/calendar/civil-date.ts'
import { initialLifecycleState } from '../core/lifecycle/lifecycle-state.ts'
import { buildTimeline } from '../core/lifecycle/timeline.ts'
import { routeInputOf } from '../core/rules/assessment.ts'
import { decideRoute } from '../core/rules/route-decision.ts'
import { decisionExplanationIn } from '../core/rules/decision-explanation.ts'
import type { Locale } from '../core/i18n/locale.ts'
import { DEFAULT_RULE_SET } from '../core/rules/default-rule-set.ts'
import { resolveActingOrganization, resolveListOrganization, type OrganizationRef } from '../organizations/organization.service.ts'
import type { Jurisdiction } from '../jurisdictions/jurisdiction.repository.ts'
import { clashBufferMetersOf } from '../core/rules/coordination.ts'
import { inJurisdiction } from '../core/rules/geography.ts'
import type { Clock } from '../platform/clock.ts'
import type { Database } from '../platform/database/database.types.ts'
import type { IdempotencyHandle } from '../platform/idempotency/idempotency.plugin.ts'
import { runUnitOfWork, type WriteResponse } from '../platform/idempotency/unit-of-work.ts'
import { BadRequestError, ConflictError, NotFoundError, ValidationFailedError } from '../platform/errors/domain-errors.ts'
import { cursorValues, keysetCursor, pageOf } from '../platform/http/keyset-pagination.ts'
import type { RuleSetService } from '../rule-sets/rule-set.service.ts'
import type { JurisdictionService } from '../jurisdictions/jurisdiction.service.ts'
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
  jurisdictions: JurisdictionService
}

export interface RequestContext {
  principal: Principal
  /** The server's request id (sealed on the events). */
  requestId: string
  /** The caller's own request-id header, kept beside it on the events. */
  clientRequestId?: string | null
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
  const jurisdiction = await jurisdictionOfSubmission(deps, context.principal, organization, body.jurisdiction)
  const ruleSet = inJurisdiction(await deps.ruleSets.inForce(shanghaiDateOf(submittedAt), jurisdiction.ruleSetId), jurisdiction)
  // The geometry is validated (422 invalid_geometry), measured and matched to the road register here, before the
  // transaction; after this line body.location.geometry is usable (or absent). A no-dig period may refuse (422).
  const works = await establishWorksFacts(deps.db, ruleSet, { ...body, geometry: body.location.geometry })
  const decision = decideRoute(ruleSet, routeInputOf(body), works.facts)

  if (decision.behaviour === 'commitment_filing' && decision.requiresCommitment !== false && !body.commitment) {
    throw new ValidationFailedError(
      ruleSet.id === DEFAULT_RULE_SET.id
        ? 'Works of 400 V and below digging 200 m or less are filed with a signed commitment instead of an approval: include `commitment` with signedBy and statement.'
        : `Works on the ${decision.route} route are filed with a signed commitment instead of an approval: include \`commitment\` with signedBy and statement.`,
      [{ path: 'commitment', message: 'required for a commitment filing' }],
      'commitment_required',
    )
  }

  const presentation = await presentationContextFor(deps, context.principal, submittedAt)
  const lifecycle = initialLifecycleState(decision, submittedAt)
  // The route's warning thresholds and timeout effect are fixed at submission like its time limit (core/lifecycle/supervision.ts).
  const supervision = ruleSet.parameters.routeTerms.find((terms) => terms.route === decision.route)?.supervision
  if (supervision) lifecycle.plan.supervision = structuredClone(supervision)
  const status = lifecycle.status
  const formalitiesDueAt = lifecycle.formalities ? new Date(lifecycle.formalities.dueAt) : null
  const { result, response } = await runUnitOfWork(
    deps.db,
    idempotency,
    async (trx): Promise<CaseView> => {
      const record = await insertCase(trx, {
        organizationId: organization.id,
        jurisdictionCode: jurisdiction.code,
        caseNumberPrefix: jurisdiction.caseNumberPrefix,
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
          clientRequestId: context.clientRequestId ?? null,
          occurredAt: submittedAt,
          payload: {
            number,
            organization: organization.code,
            jurisdiction: jurisdiction.code,
            route: decision.route,
            ruleSet: { id: ruleSet.id, version: ruleSet.version },
            decision,
            // The route's supervision terms are part of the plan the case starts with (an audit replay rebuilds it from here).
            ...(supervision ? { supervision } : {}),
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
      const appended = await syncWorksAndClashes(trx, { record, bufferMeters: clashBufferMetersOf(ruleSet), context, at: submittedAt })
      const current = { ...record, version: record.version + appended }
      return { record: current, context: presentation, coordination: await coordinationOf(trx, context.principal, record.id) }
    },
    (view) => caseWriteResponse(view, 201),
  )
  return { view: result, response }
}

/**
 * The jurisdiction a case is submitted in: its organization's (an organization belongs to one jurisdiction). Naming
 * another is a 422 on `jurisdiction`; an office key scoped to a jurisdiction submits for its organizations only.
 */
async function jurisdictionOfSubmission(deps: CaseServiceDeps, principal: Principal, organization: OrganizationRef, requested: string | undefined): Promise<Jurisdiction> {
  const own = await deps.jurisdictions.resolve(organization.jurisdictionCode, 'organization')
  if (requested !== undefined && requested !== own.code) {
    await deps.jurisdictions.resolve(requested, 'jurisdiction')
    throw new ValidationFailedError(`Organization ${organization.code} belongs to ${own.code}: its cases are decided under that jurisdiction's rule set.`, [
      { path: 'jurisdiction', message: `must be ${own.code} (the organization's) or omitted` },
    ]).withParams('organization_jurisdiction', { organization: organization.code, jurisdiction: own.code })
  }
  const confined = confinedJurisdictionCode(principal)
  if (confined !== undefined && confined !== own.code) {
    throw new ValidationFailedError(`This key works in ${confined}; organization ${organization.code} belongs to ${own.code}.`, [
      { path: 'organization', message: `must be an organization of ${confined}` },
    ]).withParams('key_confined', { confined, organization: organization.code, jurisdiction: own.code })
  }
  return own
}

function duplicateReference(existing: CaseRecord | undefined, externalReference: string): ConflictError {
  return new ConflictError(
    `Your organization already submitted a case with externalReference ${externalReference}${existing ? `: ${existing.number}` : ''}.`,
    'duplicate_external_reference',
    existing ? { caseId: existing.id, caseNumber: existing.number, location: `/v1/cases/${existing.id}` } : {},
  ).withParams(existing ? 'reference' : '', existing ? { externalReference, caseNumber: existing.number } : {})
}

/** One case as the principal may see it; another organization's case is "not found" (core/access). */
export async function getCaseForPrincipal(db: Kysely<Database>, principal: Principal, id: string): Promise<CaseRecord> {
  const found = await findCase(db, id, confinedOrganizationId(principal), confinedJurisdictionCode(principal))
  if (!found) throw new NotFoundError(`No case ${id} is visible to this API key.`, 'case_not_found').withParams('id', { id })
  return found
}

export async function readCase(deps: CaseServiceDeps, principal: Principal, id: string, locale: Locale = 'en'): Promise<CaseView> {
  const stored = await getCaseForPrincipal(deps.db, principal, id)
  const record = locale === 'en' ? stored : await withExplanationIn(deps, stored, locale)
  return { record, context: { ...(await presentationContextFor(deps, principal)), locale }, coordination: await coordinationOf(deps.db, principal, id) }
}

/** The case with its decision's explanation in `locale` (core/rules/decision-explanation.ts); the record is unchanged. */
async function withExplanationIn(deps: Pick<CaseServiceDeps, 'ruleSets'>, record: CaseRecord, locale: Locale): Promise<CaseRecord> {
  const ruleSet = await deps.ruleSets.find(record.ruleSetId, record.ruleSetVersion)
  const explanation = decisionExplanationIn(locale, record.decision, ruleSet, {
    input: routeInputOf(record),
    plannedStartDate: record.plannedStartDate,
    plannedEndDate: record.plannedEndDate,
    lengthCheck: record.lengthCheck,
    roads: record.roads,
  })
  return { ...record, decision: { ...record.decision, explanation } }
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
  // Lists leave the day-by-day explanations out (clock.explanation null): read the case for them.
  const context: PresentationContext = { ...(await presentationContextFor(deps, principal, now)), explainDeadlines: false }
  // Decoded first: a bad cursor is a 400 whatever the other filters find.
  const after = query.cursor ? caseListCursor.decode(query.cursor) : undefined
  const organizationId = await resolveListOrganization(deps.db, principal, query.organization)
  if (organizationId === null) return { records: [], context, nextCursor: null }
  const dueBy = query.dueWithinWorkingDays === undefined ? undefined : { date: context.calendar.addWorkingDays(shanghaiDateOf(now), query.dueWithinWorkingDays).date, now }
  // Route names are rule-set data: a name no rule set has is a bad filter, as an unknown enum value was.
  if (query.route !== undefined && !(await deps.ruleSets.all()).some((r) => r.parameters.routeTerms.some((terms) => terms.route === query.route))) {
    throw new BadRequestError(`No rule set has a route ${query.route}.`, [{ path: 'query.route', message: 'no rule set names this route' }]).withParams('unknown_route_name', {
      route: query.route,
    })
  }
  // A scoped key lists its own jurisdiction only; asking for another finds nothing (core/access).
  const jurisdiction = jurisdictionScopeOf(principal, query.jurisdiction)
  if (jurisdiction.kind === 'none') return { records: [], context, nextCursor: null }
  const rows = await listCases(deps.db, {
    jurisdictionCode: jurisdiction.kind === 'one' ? jurisdiction.code : undefined,
    overdue: query.overdue === undefined ? undefined : { value: query.overdue, now },
    dueBy,
    organizationId,
    status: query.status,
    route: query.route,
    district: query.district,
    warningLevel: query.warningLevel ?? undefined,
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
