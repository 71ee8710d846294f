import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { FastifyBaseLogger } from 'fastify'
import type { CalendarService } from '../calendar/calendar.service.ts'
import { formatShanghaiInstant } from '../core/calendar/civil-date.ts'
import { lockCasesPastDeadline, markOverdueChecked } from '../cases/case.repository.ts'
import type { Database } from '../platform/database/database.types.ts'
import { appendCaseEvent } from '../cases/case-event.repository.ts'
import { purgeExpiredIdempotencyKeys } from '../platform/idempotency/idempotency.repository.ts'
import { lifecycleView } from '../core/lifecycle/lifecycle-state.ts'
import type { Clock } from '../platform/clock.ts'
import { sweepWarnings } from './warning-sweep.ts'

export interface SweepDeps {
  db: Kysely<Database>
  calendars: CalendarService
  clock: Clock
  log?: FastifyBaseLogger
}

const BATCH = 200

/**
 * Marks cases overdue once their pending deadline (clock, current "4+2+1+1" stage, or the 24-hour emergency
 * formalities) has passed: one `case.overdue` event per deadline, which flows to the feed and webhooks.
 * Overdue is reported; a case is approved by default only on a route whose rule set says so (onTimeout:
 * deem_approved, warning-sweep.ts), never otherwise (docs/domain.md §2, §5).
 *
 * Several instances may sweep at once: each case is taken FOR UPDATE SKIP LOCKED and the "not yet marked
 * for this deadline" condition is checked under that lock, so each deadline is reported exactly once.
 */
export async function sweepOverdueCases(deps: SweepDeps): Promise<number> {
  const now = deps.clock.now()
  const calendar = await deps.calendars.calendar()
  const runId = `scheduler:${randomUUID()}`
  // Warnings, stage overruns and deemed approvals first: a deem_approved case whose time ran out is decided, not
  // reported overdue (its deadline is no longer pending once decided).
  const warned = await sweepWarnings(deps.db, calendar, now, runId)
  let marked = 0
  for (;;) {
    const batchMarked = await deps.db.transaction().execute(async (trx) => {
      const due = await lockCasesPastDeadline(trx, now, BATCH)
      let count = 0
      for (const record of due) {
        const id = record.id
        const view = lifecycleView(record.lifecycle, calendar, now)
        // The columns said overdue; the lifecycle decides (and says which deadline).
        await markOverdueChecked(trx, id, now, view.overdue)
        if (!view.overdue) continue
        const which = view.formalities?.overdue ? 'formalities' : view.clock?.overdue ? 'clock' : 'stage'
        await appendCaseEvent(trx, {
          caseId: id,
          organizationId: record.organizationId,
          type: 'case.overdue',
          fromStatus: record.status,
          toStatus: record.status,
          actor: { keyId: null, role: 'system', organizationId: null },
          requestId: runId,
          occurredAt: now,
          payload: {
            deadline: which,
            dueDate: which === 'stage' ? (view.currentStage?.dueDate ?? null) : (view.clock?.dueDate ?? null),
            dueAt: which === 'formalities' ? (view.formalities?.dueAt ?? null) : which === 'stage' ? (view.currentStage?.dueAt ?? null) : (view.clock?.dueAt ?? null),
            stage: view.currentStage?.key ?? null,
            workingDaysRemaining: view.clock?.workingDaysRemaining ?? null,
            detectedAt: formatShanghaiInstant(now),
            note: 'Overdue cases are reported for supervision; they are never approved by default.',
          },
        })
        count++
      }
      return { count, more: due.length === BATCH }
    })
    marked += batchMarked.count
    if (!batchMarked.more) break
  }
  const purged = await purgeExpiredIdempotencyKeys(deps.db, now)
  if (marked > 0 || purged > 0 || warned > 0) deps.log?.info({ marked, warned, purged, runId }, 'supervision sweep')
  return marked
}
