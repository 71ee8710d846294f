import { ACTION_ZH, CASE_STATUS_ZH, ROLE_ZH } from '../core/lifecycle/terms-zh.ts'
import type { Kysely } from 'kysely'
import { confinedJurisdictionCode, confinedOrganizationId } from '../core/access/principal.ts'
import { applyAction, LifecycleError } from '../core/lifecycle/case-state-machine.ts'
import type { TransitionRequest } from '../core/lifecycle/transition.schema.ts'
import type { Database } from '../platform/database/database.types.ts'
import type { IdempotencyHandle } from '../platform/idempotency/idempotency.plugin.ts'
import { runUnitOfWork } from '../platform/idempotency/unit-of-work.ts'
import type { WorkingDayCalendar } from '../core/calendar/working-day-calendar.ts'
import { ConflictError, type DomainError, ForbiddenError, NotFoundError, PreconditionFailedError, ValidationFailedError } from '../platform/errors/domain-errors.ts'
import { recordSlaChange } from '../reports/sla-summary.repository.ts'
import { appendCaseEvent } from './case-event.repository.ts'
import { recordReasonCodes } from './case-reason-code.repository.ts'
import { checkReasonCodes, codesInPayload, reasonCodesOf } from '../core/rules/reason-codes.ts'
import type { StoredRuleSet } from '../rule-sets/rule-set.repository.ts'
import { CLASH_CHECKING_ACTIONS, clashBufferMetersIn, coordinationOf, lockWorksAreaOfCase, syncWorksAndClashes } from './case-coordination.service.ts'
import { type CaseView, caseWriteResponse } from './case.presenter.ts'
import { findCaseJurisdictionCode, lockCase, updateCaseLifecycle, type CaseRecord, type SlaFactsChange } from './case.repository.ts'
import type { CaseServiceDeps, CaseWrite, RequestContext } from './case.service.ts'

function toDomainError(error: LifecycleError): DomainError {
  switch (error.code) {
    case 'role_not_allowed':
      return new ForbiddenError(`${error.message}${error.details.allowedRoles ? ` (allowed: ${error.details.allowedRoles.join(', ')})` : ''}`).withParams('action', {
        action: error.action,
        actionZh: ACTION_ZH[error.action],
        allowed: (error.details.allowedRoles ?? []).join(', '),
        allowedZh: (error.details.allowedRoles ?? []).map((role) => ROLE_ZH[role]).join('、'),
      })
    case 'action_not_allowed':
      return new ConflictError(error.message, 'action_not_allowed', { caseStatus: error.details.status, allowedActions: error.details.allowedActions ?? [] }).withParams('status', {
        action: error.action,
        actionZh: ACTION_ZH[error.action],
        ...(error.details.status === undefined ? {} : { status: error.details.status, statusZh: CASE_STATUS_ZH[error.details.status] }),
      })
    case 'invalid_action_payload':
      return new ValidationFailedError(error.message, error.details.issues ?? [], 'invalid_action_payload')
  }
}

/**
 * The SLA summary the reports read moves with the case, in the same transaction (src/reports): every lifecycle
 * write of the cases area goes through here.
 */
export async function recordSlaFactsChange(trx: Kysely<Database>, change: SlaFactsChange | undefined): Promise<void> {
  if (change) await recordSlaChange(trx, change.group, change.before, change.after)
}

/**
 * One transition, in one unit of work with its idempotent response: lock the case, check the version the caller saw, let the
 * pure state machine decide, then write the new state and its hash-chained event. Two callers with the same
 * version: the second waits for the lock, then finds the version moved on (412). A weak entity tag never
 * matches (RFC 9110 §13.1.1): 412 as well, with the current version to retry with.
 */
export async function transitionCase(
  deps: CaseServiceDeps,
  context: RequestContext,
  caseId: string,
  expectedVersion: number | 'weak',
  request: TransitionRequest,
  idempotency: IdempotencyHandle | null,
): Promise<CaseWrite> {
  // The cached calendar is read through the pool before the transaction holds a connection (see submitCase).
  const calendar = await deps.calendars.calendar()
  // The cached rule sets too: reason codes are checked against the case's rule set (core/rules/reason-codes.ts).
  const ruleSets = await deps.ruleSets.all()
  // Approval and approved changes look for clashes under the buffer of the rule set in force in the case's
  // jurisdiction (cached; read before the transaction too; an unknown case is a 404 inside it).
  const bufferMeters = CLASH_CHECKING_ACTIONS.has(request.action) ? await clashBufferMetersIn(deps, await findCaseJurisdictionCode(deps.db, caseId), deps.clock.now()) : undefined
  const { result, response } = await runUnitOfWork(
    deps.db,
    idempotency,
    (trx) => transitionInTransaction(deps, trx, context, caseId, expectedVersion, request, calendar, ruleSets, bufferMeters),
    (view) => caseWriteResponse(view, 200),
  )
  return { view: result, response }
}

async function transitionInTransaction(
  deps: CaseServiceDeps,
  trx: Kysely<Database>,
  context: RequestContext,
  caseId: string,
  expectedVersion: number | 'weak',
  request: TransitionRequest,
  calendar: WorkingDayCalendar,
  ruleSets: readonly StoredRuleSet[],
  bufferMeters: number | undefined,
): Promise<CaseView> {
  const { action, ...payload } = request
  // The works area before the case row: the lock order of case-coordination.service.ts.
  if (bufferMeters !== undefined) await lockWorksAreaOfCase(trx, caseId, bufferMeters)
  const current = await lockCase(trx, caseId, confinedOrganizationId(context.principal), confinedJurisdictionCode(context.principal))
  if (!current) throw new NotFoundError(`No case ${caseId} is visible to this API key.`, 'case_not_found').withParams('id', { id: caseId })
  if (expectedVersion === 'weak') {
    throw new PreconditionFailedError(
      `If-Match compares entity tags strongly (RFC 9110 §13.1.1), so a weak tag never matches: send the case's ETag as it came, If-Match: "${current.version}".`,
      current.version,
    ).withParams('weak', { current: current.version })
  }
  if (current.version !== expectedVersion) {
    throw new PreconditionFailedError(
      `The case is at version ${current.version}, not ${expectedVersion}: read it again and retry with If-Match: "${current.version}".`,
      current.version,
    ).withParams('stale', { current: current.version, expected: expectedVersion })
  }
  const codeLists = reasonCodesOf(ruleSets.find((r) => r.id === current.ruleSetId && r.version === current.ruleSetVersion))
  const codeIssues = checkReasonCodes(action, payload, codeLists)
  if (codeIssues.length > 0) {
    throw new ValidationFailedError(
      `The ${action} names codes its case's rule set does not list: ${codeIssues.map((i) => i.message).join('; ')}`,
      codeIssues,
      'unknown_reason_code',
    )
  }
  const at = deps.clock.now()
  let result
  try {
    result = applyAction(current.lifecycle, { action, payload, actor: { keyId: context.principal.keyId, role: context.principal.role }, at }, calendar)
  } catch (error) {
    if (error instanceof LifecycleError) throw toDomainError(error)
    throw error
  }
  await recordSlaFactsChange(trx, await updateCaseLifecycle(trx, current.id, result.state, at, calendar))
  await recordReasonCodes(
    trx,
    current,
    action,
    codesInPayload(action, payload).map((c) => c.code),
    codeLists.version,
    at,
  )
  await appendCaseEvent(trx, {
    caseId: current.id,
    organizationId: current.organizationId,
    type: result.event.type,
    fromStatus: result.event.fromStatus,
    toStatus: result.event.toStatus,
    actor: { keyId: context.principal.keyId, role: context.principal.role, organizationId: context.principal.organizationId },
    requestId: context.requestId,
    clientRequestId: context.clientRequestId ?? null,
    occurredAt: at,
    payload: { action, ...result.event.payload, calendarFingerprint: calendar.fingerprint() },
  })
  // Only the lifecycle, its status, the version and the time changed: no need to read the row back.
  const updated: CaseRecord = { ...current, status: result.state.status, lifecycle: result.state, version: current.version + 1, updatedAt: at }
  const view: CaseView = { record: updated, context: { calendar, now: at, role: context.principal.role } }
  // The works footprint follows the case (its status, an approved period); approve and approve_change look for clashes.
  const appended = await syncWorksAndClashes(trx, { record: updated, bufferMeters, context, at })
  const settled: CaseView = appended === 0 ? view : { ...view, record: { ...updated, version: updated.version + appended } }
  if (updated.location.geometry === undefined) return { ...settled, coordination: { clashes: [] } }
  return { ...settled, coordination: await coordinationOf(trx, context.principal, updated.id) }
}
