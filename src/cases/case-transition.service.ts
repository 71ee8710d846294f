import type { Kysely } from 'kysely'
import type { CalendarService } from '../calendar/calendar.service.ts'
import type { Database } from '../platform/database/database.types.ts'
import {
  BadRequestError,
  ConflictError,
  DomainError,
  ForbiddenError,
  NotFoundError,
  PreconditionFailedError,
  PreconditionRequiredError,
  ValidationFailedError,
} from '../platform/errors/domain-errors.ts'
import { appendCaseEvent } from './case-event.repository.ts'
import { applyAction, LifecycleError } from '../core/lifecycle/case-state-machine.ts'
import { recomputeLifecycle } from '../core/lifecycle/lifecycle-state.ts'
import type { TransitionRequest } from '../core/lifecycle/transition.schema.ts'
import type { Clock } from '../platform/clock.ts'
import { listProvisionalCaseIds, lockCase, updateCaseLifecycle, type CaseRecord } from './case.repository.ts'
import { caseVisibilityScope, type RequestContext } from './case.service.ts'

export interface TransitionDeps {
  db: Kysely<Database>
  calendars: CalendarService
  clock: Clock
}

/** RFC 9110 §13.1.1: If-Match carries entity tags; ours are the case version, "3". */
export function parseIfMatch(header: string | undefined): number {
  if (header === undefined || header.trim() === '') {
    throw new PreconditionRequiredError('Send If-Match with the case\'s current ETag (e.g. If-Match: "3") so a change never overwrites one you have not seen.')
  }
  const match = /^\s*(?:W\/)?"(\d{1,9})"\s*$/.exec(header)
  if (!match) throw new BadRequestError('If-Match must be the ETag of the case, e.g. "3".', [{ path: 'header.if-match', message: 'must be a quoted version like "3"' }], 'invalid_if_match')
  return Number(match[1])
}

function toDomainError(error: LifecycleError): DomainError {
  switch (error.code) {
    case 'role_not_allowed':
      return new ForbiddenError(`${error.message}${error.details.allowedRoles ? ` (allowed: ${error.details.allowedRoles.join(', ')})` : ''}`)
    case 'action_not_allowed':
      return new ConflictError(error.message, 'action_not_allowed', { caseStatus: error.details.status, allowedActions: error.details.allowedActions ?? [] })
    case 'invalid_action_payload':
      return new ValidationFailedError(error.message, error.details.issues ?? [], 'invalid_action_payload')
  }
}

/**
 * One transition: lock the case, check the version the caller saw, let the pure state machine decide,
 * then write the new state and its hash-chained event in the same transaction. Two callers with the same
 * version: the second waits for the lock, then finds the version moved on (412).
 */
export async function transitionCase(
  deps: TransitionDeps,
  context: RequestContext,
  caseId: string,
  ifMatch: string | undefined,
  request: TransitionRequest,
): Promise<CaseRecord> {
  const expectedVersion = parseIfMatch(ifMatch)
  const calendar = await deps.calendars.calendar()
  const { action, ...payload } = request
  const scope = caseVisibilityScope(context.principal)

  return await deps.db.transaction().execute(async (trx) => {
    const current = await lockCase(trx, caseId, scope)
    if (!current) throw new NotFoundError(`No case ${caseId} is visible to this API key.`, 'case_not_found')
    if (current.version !== expectedVersion) {
      throw new PreconditionFailedError(`The case is at version ${current.version}, not ${expectedVersion}: read it again and retry with If-Match: "${current.version}".`, current.version)
    }
    const at = deps.clock.now()
    let result
    try {
      result = applyAction(current.lifecycle, { action, payload, actor: { keyId: context.principal.keyId, role: context.principal.role }, at }, calendar)
    } catch (error) {
      if (error instanceof LifecycleError) throw toDomainError(error)
      throw error
    }
    await updateCaseLifecycle(trx, current.id, result.state, at, calendar)
    await appendCaseEvent(trx, {
      caseId: current.id,
      organizationId: current.organizationId,
      type: result.event.type,
      fromStatus: result.event.fromStatus,
      toStatus: result.event.toStatus,
      actor: { keyId: context.principal.keyId, role: context.principal.role, organizationId: context.principal.organizationId },
      requestId: context.requestId,
      occurredAt: at,
      payload: { action, ...result.event.payload, calendarFingerprint: calendar.fingerprint() },
    })
    // Only the lifecycle, its status, the version and the time changed: no need to read the row back.
    const updated: CaseRecord = { ...current, status: result.state.status, lifecycle: result.state, version: current.version + 1, updatedAt: at }
    await context.beforeCommit?.(trx, updated)
    return updated
  })
}

/**
 * After a year's schedule is loaded, deadlines that were provisional (computed on weekends alone) are
 * recomputed with it; each case that changes gets an event saying what moved and why.
 */
export async function recomputeProvisionalDeadlines(deps: TransitionDeps, context: RequestContext, reason: string): Promise<number> {
  const calendar = await deps.calendars.calendar()
  let changed = 0
  for (const id of await listProvisionalCaseIds(deps.db)) {
    await deps.db.transaction().execute(async (trx) => {
      const current = await lockCase(trx, id)
      if (!current) return
      const recomputed = recomputeLifecycle(current.lifecycle, calendar)
      const before = { dueDate: current.lifecycle.clock?.dueDate ?? null, provisional: current.lifecycle.clock?.provisional ?? false }
      const after = { dueDate: recomputed.clock?.dueDate ?? null, provisional: recomputed.clock?.provisional ?? false }
      if (JSON.stringify(recomputed) === JSON.stringify(current.lifecycle)) return
      const at = deps.clock.now()
      await updateCaseLifecycle(trx, id, recomputed, at, calendar)
      await appendCaseEvent(trx, {
        caseId: id,
        organizationId: current.organizationId,
        type: 'case.deadlines_recomputed',
        fromStatus: current.status,
        toStatus: current.status,
        actor: { keyId: context.principal.keyId, role: context.principal.role, organizationId: context.principal.organizationId },
        requestId: context.requestId,
        occurredAt: at,
        payload: { reason, before, after, stages: recomputed.stages.map((s) => ({ key: s.key, dueDate: s.dueDate })), calendarFingerprint: calendar.fingerprint() },
      })
      changed++
    })
  }
  return changed
}
