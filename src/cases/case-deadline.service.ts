import type { CalendarYearSchedule } from '../core/calendar/working-day-calendar.ts'
import { recomputeLifecycle } from '../core/lifecycle/lifecycle-state.ts'
import type { StoredCalendarYear } from '../calendar/calendar.repository.ts'
import { appendCaseEvent } from './case-event.repository.ts'
import { listProvisionalCaseIds, lockCase, updateCaseLifecycle } from './case.repository.ts'
import type { CaseServiceDeps, RequestContext } from './case.service.ts'
import { recordSlaFactsChange } from './case-transition.service.ts'

/**
 * Loads (or replaces) a year's holiday schedule through the calendar, then recomputes the deadlines that were
 * provisional (computed on weekends alone because the year was missing) with it. This lives with the cases, not
 * the calendar, because it writes cases: the calendar knows nothing of them.
 */
export async function loadCalendarYear(
  deps: CaseServiceDeps,
  context: RequestContext,
  schedule: CalendarYearSchedule,
): Promise<{ stored: StoredCalendarYear; recomputedCases: number }> {
  const stored = await deps.calendars.replaceYear(schedule, context.principal.keyId)
  const recomputedCases = await recomputeProvisionalDeadlines(deps, context, `calendar ${schedule.year} loaded (${stored.source})`)
  return { stored, recomputedCases }
}

/**
 * Recomputes every provisional deadline with the calendar now loaded, one case per transaction; each case that
 * changes gets a case.deadlines_recomputed event saying what moved and why.
 */
async function recomputeProvisionalDeadlines(deps: CaseServiceDeps, context: RequestContext, reason: string): Promise<number> {
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
      await recordSlaFactsChange(trx, await updateCaseLifecycle(trx, id, recomputed, at, calendar))
      await appendCaseEvent(trx, {
        caseId: id,
        organizationId: current.organizationId,
        type: 'case.deadlines_recomputed',
        fromStatus: current.status,
        toStatus: current.status,
        actor: { keyId: context.principal.keyId, role: context.principal.role, organizationId: context.principal.organizationId },
        requestId: context.requestId,
        clientRequestId: context.clientRequestId ?? null,
        occurredAt: at,
        payload: { reason, before, after, stages: recomputed.stages.map((s) => ({ key: s.key, dueDate: s.dueDate })), calendarFingerprint: calendar.fingerprint() },
      })
      changed++
    })
  }
  return changed
}
