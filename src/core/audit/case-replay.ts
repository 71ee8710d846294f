import type { WorkingDayCalendar } from '../calendar/working-day-calendar.ts'
import { applyAction, eventTypes } from '../lifecycle/case-state-machine.ts'
import { initialLifecycleState, recomputeLifecycle, type LifecycleRouteDecision } from '../lifecycle/lifecycle-state.ts'
import { actions, type Action, type LifecycleState, type Role } from '../lifecycle/lifecycle.types.ts'
import { deemApproved, type DeemedApprovalApplication } from '../lifecycle/supervision.ts'
import { canonicalJson } from './case-event-hash.ts'

/** What replaying needs of an event: the first one carries the route decision, the others the action and its input. */
export interface ReplayableEvent {
  seq: number
  type: string
  toStatus: string | null
  actorKeyId: string | null
  actorRole: string | null
  occurredAt: Date
  payload: unknown
}

export type ReplayResult = { ok: true; state: LifecycleState } | { ok: false; seq: number; detail: string }

/** Events that record something about the case without changing its lifecycle facts. */
const NO_FACTS: ReadonlySet<string> = new Set([
  'case.overdue',
  'case.deadlines_recomputed',
  // The supervision sweep's findings (src/supervision/warning-sweep.ts): recorded, not lifecycle facts.
  'case.warning',
  'case.stage_overrun',
  // Coordination with other works (src/cases/case-coordination.service.ts): recorded on both cases' chains, no lifecycle fact.
  'case.clash_detected',
  'case.works_linked',
  'case.clash_dismissed',
])

/** The one system decision that changes a case's lifecycle outside a transition (a deem_approved timeout). */
const DEEMED_APPROVED = 'case.deemed_approved'

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * Rebuilds a case's lifecycle from its history alone, through the same pure state machine that wrote it: the
 * submission event's route decision gives the initial state, each transition event's `action` and `input` (with
 * its actor and time) is applied again. Deadlines are derived with `calendar`, so compare the result with the
 * stored state recomputed with the same calendar (compareWithReplay).
 */
export function replayCaseEvents(events: readonly ReplayableEvent[], calendar: WorkingDayCalendar): ReplayResult {
  let state: LifecycleState | null = null
  for (const event of events) {
    const payload = isRecord(event.payload) ? event.payload : {}
    if (state === null) {
      if (!isRecord(payload.decision)) return { ok: false, seq: event.seq, detail: `event ${event.seq} (${event.type}) does not carry the route decision a case starts from` }
      try {
        state = initialLifecycleState(payload.decision as unknown as LifecycleRouteDecision, event.occurredAt)
        if (isRecord(payload.supervision)) state.plan.supervision = structuredClone(payload.supervision) as unknown as NonNullable<LifecycleState['plan']['supervision']>
      } catch (error) {
        return { ok: false, seq: event.seq, detail: `the route decision of event ${event.seq} does not start a lifecycle: ${(error as Error).message}` }
      }
    } else if (NO_FACTS.has(event.type)) {
      state = recomputeLifecycle(state, calendar)
    } else if (event.type === DEEMED_APPROVED) {
      // The scheduler's decision when a deem_approved route's time ran out (core/lifecycle/supervision.ts): the
      // permit fields it used are the ones it recorded, and its instant is the decision's own.
      const decision = isRecord(payload.decision) ? payload.decision : null
      if (decision === null || typeof decision.decidedAt !== 'string' || typeof decision.approvedPosition !== 'string' || !isRecord(decision.approvedPeriod)) {
        return { ok: false, seq: event.seq, detail: `event ${event.seq} (${event.type}) does not carry the deemed decision` }
      }
      try {
        state = deemApproved(state, calendar, event.occurredAt, decision.decidedAt, {
          approvedPosition: decision.approvedPosition,
          approvedArea: (decision.approvedArea ?? null) as DeemedApprovalApplication['approvedArea'],
          approvedPeriod: decision.approvedPeriod as unknown as DeemedApprovalApplication['approvedPeriod'],
        })
      } catch (error) {
        return { ok: false, seq: event.seq, detail: `event ${event.seq} (${event.type}) does not replay: ${(error as Error).message}` }
      }
    } else {
      const action = payload.action
      if (typeof action !== 'string' || !(actions as readonly string[]).includes(action) || eventTypes[action as Action] !== event.type) {
        return { ok: false, seq: event.seq, detail: `event ${event.seq} (${event.type}) is not a transition the lifecycle knows (action ${JSON.stringify(action)})` }
      }
      try {
        state = applyAction(
          state,
          { action: action as Action, payload: payload.input ?? {}, actor: { keyId: event.actorKeyId ?? '', role: (event.actorRole ?? '') as Role }, at: event.occurredAt },
          calendar,
        ).state
      } catch (error) {
        return { ok: false, seq: event.seq, detail: `event ${event.seq} (${event.type}) does not replay: ${(error as Error).message}` }
      }
    }
    if (event.toStatus !== null && event.toStatus !== state.status) {
      return { ok: false, seq: event.seq, detail: `event ${event.seq} (${event.type}) says the case became ${event.toStatus}; replayed, it is ${state.status}` }
    }
  }
  if (state === null) return { ok: false, seq: 0, detail: 'the case has no events' }
  return { ok: true, state }
}

/** The case row as stored: its status column, its version and its lifecycle document. */
export interface StoredCaseState {
  status: string
  version: number
  lifecycle: LifecycleState
}

/**
 * What differs between a stored case and the replay of its events, in words (empty when they agree): the
 * status column, version = number of events, and the lifecycle document field by field (clock, stages, …),
 * both sides with their deadlines derived by `calendar`.
 */
export function compareWithReplay(stored: StoredCaseState, replayed: LifecycleState, eventCount: number, calendar: WorkingDayCalendar): string[] {
  const differences: string[] = []
  if (stored.status !== replayed.status) differences.push(`status is ${stored.status}, the events lead to ${replayed.status}`)
  if (stored.version !== eventCount) differences.push(`version is ${stored.version}, the case has ${eventCount} events`)
  let storedState: Record<string, unknown>
  try {
    storedState = recomputeLifecycle(stored.lifecycle, calendar) as unknown as Record<string, unknown>
  } catch (error) {
    return [...differences, `the stored lifecycle cannot be read: ${(error as Error).message}`]
  }
  const replayedState = recomputeLifecycle(replayed, calendar) as unknown as Record<string, unknown>
  const keys = [...new Set([...Object.keys(storedState), ...Object.keys(replayedState)])].sort()
  const changed = keys.filter((key) => canonicalJson(storedState[key] ?? null) !== canonicalJson(replayedState[key] ?? null))
  if (changed.length > 0) differences.push(`the stored lifecycle differs from the replay in: ${changed.join(', ')}`)
  return differences
}
