import type { Kysely } from 'kysely'
import type { WorkingDayCalendar } from '../core/calendar/working-day-calendar.ts'
import { formatShanghaiInstant, shanghaiDateOf } from '../core/calendar/civil-date.ts'
import { deemApproved, type SupervisionFinding, superviseLifecycle } from '../core/lifecycle/supervision.ts'
import { appendCaseEvent } from '../cases/case-event.repository.ts'
import { type CaseRecord, lockCasesDueForSupervision, updateCaseLifecycle, updateSupervisionColumns } from '../cases/case.repository.ts'
import { recordSlaFactsChange } from '../cases/case-transition.service.ts'
import type { Database } from '../platform/database/database.types.ts'
import { recordCaseWarning } from './case-warning.repository.ts'

const BATCH = 200
const SYSTEM = { keyId: null, role: 'system', organizationId: null } as const

/** The permit fields of a deemed approval: the works as the application describes them. */
function applicationOf(record: CaseRecord) {
  const { district, roadName, description } = record.location
  return {
    approvedPosition: `${district} ${roadName}${description ? `: ${description}` : ''}`,
    approvedArea:
      record.excavationWidthMeters === null
        ? { lengthMeters: record.excavationLengthMeters }
        : { lengthMeters: record.excavationLengthMeters, widthMeters: record.excavationWidthMeters },
    approvedPeriod: { from: record.plannedStartDate, to: record.plannedEndDate },
  }
}

function eventOf(finding: SupervisionFinding): { type: string; payload: Record<string, unknown> } | null {
  if (finding.level === 'overdue') return null // reported by case.overdue (overdue-sweep.ts); recorded for the report only
  if (finding.level === 'overrun') {
    return {
      type: 'case.stage_overrun',
      payload: {
        stage: finding.stage,
        dueDate: finding.dueDate,
        workingDays: finding.limitWorkingDays,
        workingDaysUsed: finding.workingDaysUsed,
        workingDaysRemaining: finding.workingDaysRemaining,
        note: 'The stage passed its own due date while the overall time limit had not yet run out.',
      },
    }
  }
  return {
    type: 'case.warning',
    payload: {
      level: finding.level,
      clock: finding.clock,
      ...(finding.stage === null ? {} : { stage: finding.stage }),
      workingDaysUsed: finding.workingDaysUsed,
      workingDaysRemaining: finding.workingDaysRemaining,
      limitWorkingDays: finding.limitWorkingDays,
      dueDate: finding.dueDate,
    },
  }
}

/**
 * The warnings pass of the supervision sweep (docs/domain.md §5): for each case whose supervision_due_at has come,
 * records every warning level, stage overrun and overdue it has reached (once: the case_warning key), emits
 * case.warning / case.stage_overrun for the new ones, decides a deem_approved case whose time ran out
 * (case.deemed_approved), and stores the warning level and the next instant to look again. Cases are taken FOR
 * UPDATE SKIP LOCKED, so several instances share the work; each fact is reported once among them.
 */
export async function sweepWarnings(db: Kysely<Database>, calendar: WorkingDayCalendar, now: Date, runId: string): Promise<number> {
  let reported = 0
  for (;;) {
    const batch = await db.transaction().execute(async (trx) => {
      const due = await lockCasesDueForSupervision(trx, now, BATCH)
      let count = 0
      for (const record of due) {
        let state = record.lifecycle
        let status = record.status
        const view = superviseLifecycle(state, calendar, now)
        for (const finding of view.findings) {
          const fresh = await recordCaseWarning(trx, {
            caseId: record.id,
            clock: finding.clock,
            stage: finding.stage,
            level: finding.level,
            reachedAt: now,
            reachedOn: shanghaiDateOf(now),
            route: record.route,
            district: record.location.district,
            organizationId: record.organizationId,
            workingDaysUsed: finding.workingDaysUsed,
            workingDaysRemaining: finding.workingDaysRemaining,
          })
          const event = fresh ? eventOf(finding) : null
          if (event === null) continue
          await appendCaseEvent(trx, {
            caseId: record.id,
            organizationId: record.organizationId,
            type: event.type,
            fromStatus: status,
            toStatus: status,
            actor: SYSTEM,
            requestId: runId,
            occurredAt: now,
            payload: { ...event.payload, detectedAt: formatShanghaiInstant(now) },
          })
          count++
        }
        if (view.deemApprovalDue) {
          const approved = deemApproved(state, calendar, now, formatShanghaiInstant(now), applicationOf(record))
          await recordSlaFactsChange(trx, await updateCaseLifecycle(trx, record.id, approved, now, calendar))
          await appendCaseEvent(trx, {
            caseId: record.id,
            organizationId: record.organizationId,
            type: 'case.deemed_approved',
            fromStatus: status,
            toStatus: approved.status,
            actor: SYSTEM,
            requestId: runId,
            occurredAt: now,
            payload: {
              basis: view.terms.basis,
              decision: approved.decision,
              clock: approved.clock === null ? null : { dueDate: state.clock?.dueDate ?? null, stoppedOn: shanghaiDateOf(now) },
              note: 'The route deems an application approved when its time limit runs out (onTimeout: deem_approved); the permit fields are those of the application.',
              calendarFingerprint: calendar.fingerprint(),
            },
          })
          state = approved
          status = approved.status
          count++
        }
        const after = view.deemApprovalDue ? superviseLifecycle(state, calendar, now) : view
        await updateSupervisionColumns(trx, record.id, after.warningLevel, after.nextCheckAt)
      }
      return { count, more: due.length === BATCH }
    })
    reported += batch.count
    if (!batch.more) break
  }
  return reported
}
