import type { Kysely } from 'kysely'
import type { Principal } from '../core/access/principal.ts'
import { formatShanghaiInstant, shanghaiDateOf } from '../core/calendar/civil-date.ts'
import type { Database } from '../platform/database/database.types.ts'
import { ConflictError, NotFoundError, ValidationFailedError } from '../platform/errors/domain-errors.ts'
import { appendCaseEvent } from './case-event.repository.ts'
import { findOrganizationByCode } from '../organizations/organization.repository.ts'
import type { RuleSetService } from '../rule-sets/rule-set.service.ts'
import { routeInputOf } from '../core/rules/assessment.ts'
import { initialLifecycleState } from '../core/lifecycle/lifecycle-state.ts'
import { decideRoute } from '../core/rules/route-decision.ts'
import type { Clock } from '../platform/clock.ts'
import { findCase, findCaseByExternalReference, insertCase, nextCaseSequence, type CaseRecord } from './case.repository.ts'
import type { CreateCaseRequest } from './case.schema.ts'

export interface CaseServiceDeps {
  db: Kysely<Database>
  ruleSets: RuleSetService
  clock: Clock
}

export interface RequestContext {
  principal: Principal
  requestId: string
  /** Runs inside the transaction that does the work, just before it commits (the idempotent response is stored there). */
  beforeCommit?: ((trx: Kysely<Database>, record: CaseRecord) => Promise<void>) | undefined
}

/** ZZ-2026-000123: the Shanghai year of submission and a never-reused sequence number. */
export function formatCaseNumber(submittedAt: Date, sequence: number): string {
  return `ZZ-${shanghaiDateOf(submittedAt).slice(0, 4)}-${String(sequence).padStart(6, '0')}`
}

/** The receipt of a commitment filing (承诺报备) carries the case's number so the two are never confused. */
export function formatFilingReceiptNumber(caseNumber: string): string {
  return caseNumber.replace(/^ZZ-/, 'ZZ-BB-')
}

async function resolveOrganization(db: Kysely<Database>, principal: Principal, requested: string | undefined) {
  if (principal.role === 'dispatch') {
    if (requested && requested !== principal.organizationCode) {
      throw new ValidationFailedError('A dispatch key submits for its own organization only.', [
        { path: 'organization', message: `must be ${principal.organizationCode} or omitted` },
      ])
    }
    return { id: principal.organizationId as string, code: principal.organizationCode as string }
  }
  if (!requested) {
    throw new ValidationFailedError('An office key submits on behalf of an applicant: name its organization code.', [
      { path: 'organization', message: 'required when an office key submits a case' },
    ])
  }
  const organization = await findOrganizationByCode(db, requested)
  if (!organization) {
    throw new ValidationFailedError(`No organization has the code ${requested}.`, [{ path: 'organization', message: 'unknown organization code' }])
  }
  return organization
}

/**
 * Intake: the route is decided once, at submission, under the rule-set version in force that day, and
 * stored with its explanation (a later version never re-decides an existing case). The case and its
 * first event are written in one transaction.
 */
export async function submitCase(deps: CaseServiceDeps, context: RequestContext, body: CreateCaseRequest): Promise<CaseRecord> {
  const submittedAt = deps.clock.now()
  const organization = await resolveOrganization(deps.db, context.principal, body.organization)
  const ruleSet = await deps.ruleSets.inForce(shanghaiDateOf(submittedAt))
  const decision = decideRoute(ruleSet, routeInputOf(body))

  if (decision.route === 'commitment_filing' && !body.commitment) {
    throw new ValidationFailedError(
      'Works of 400 V and below digging 200 m or less are filed with a signed commitment instead of an approval: include `commitment` with signedBy and statement.',
      [{ path: 'commitment', message: 'required for a commitment filing' }],
      'commitment_required',
    )
  }
  // A repeated externalReference is caught by its unique index below (one round trip less per intake).

  const lifecycle = initialLifecycleState(decision, submittedAt)
  const status = lifecycle.status
  const formalitiesDueAt = lifecycle.formalities ? new Date(lifecycle.formalities.dueAt) : null

  try {
    const created = await deps.db.transaction().execute(async (trx) => {
      const number = formatCaseNumber(submittedAt, await nextCaseSequence(trx))
      const filingReceiptNumber = status === 'filed' ? formatFilingReceiptNumber(number) : null
      const record = await insertCase(trx, {
        number,
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
        filingReceiptNumber,
        submittedAt,
        formalitiesDueAt,
        createdByKeyId: context.principal.keyId,
        lifecycle,
      })
      const caseId = record.id
      await appendCaseEvent(trx, {
        caseId,
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
          input: { ...body, organization: organization.code },
          ...(filingReceiptNumber ? { filingReceiptNumber } : {}),
          ...(formalitiesDueAt ? { formalitiesDueAt: formatShanghaiInstant(formalitiesDueAt) } : {}),
        },
      }, null)
      await context.beforeCommit?.(trx, record)
      return record
    })
    return created
  } catch (error) {
    // Two concurrent submissions with one external reference: the loser learns which case won.
    if ((error as { code?: string }).code === '23505' && body.externalReference && /external_reference/.test(String((error as Error).message))) {
      const existing = await findCaseByExternalReference(deps.db, organization.id, body.externalReference)
      if (existing) throw duplicateReference(existing)
    }
    throw error
  }
}

function duplicateReference(existing: CaseRecord): ConflictError {
  return new ConflictError(
    `Your organization already submitted a case with externalReference ${existing.externalReference}: ${existing.number}.`,
    'duplicate_external_reference',
    { caseId: existing.id, caseNumber: existing.number, location: `/v1/cases/${existing.id}` },
  )
}

/** A dispatch key sees its own organization's cases only; any other case is "not found" (no existence leak). */
export function caseVisibilityScope(principal: Principal): string | undefined {
  return principal.role === 'dispatch' ? (principal.organizationId ?? undefined) : undefined
}

export async function getCaseForPrincipal(db: Kysely<Database>, principal: Principal, id: string): Promise<CaseRecord> {
  const found = await findCase(db, id, caseVisibilityScope(principal))
  if (!found) throw new NotFoundError(`No case ${id} is visible to this API key.`, 'case_not_found')
  return found
}
