import { eventTypes } from './case-state-machine.ts'

/**
 * The published event types: every `type` a case event can have, so every type the change feed (`/v1/events`)
 * shows and webhooks deliver. The one list: webhook subscriptions are validated against it (an unknown type is
 * refused with 422, naming its path), so whoever writes a case event of a new type adds the type here — a unit
 * test (test/unit/webhook-units.test.ts) checks that the lifecycle's own types are all in it.
 */
export const PUBLISHED_EVENT_TYPES: readonly string[] = [
  // Written on submission, named after the status the case starts in (case.service.ts; docs/domain.md §4).
  'case.submitted',
  'case.filed',
  'case.notified',
  // One per lifecycle action (case-state-machine.ts).
  ...Object.values(eventTypes),
  // The supervision sweep (src/supervision/overdue-sweep.ts) and a holiday-calendar change (case-deadline.service.ts).
  'case.overdue',
  'case.deadlines_recomputed',
  // Early warnings, stage overruns and deemed approvals of the supervision sweep (src/supervision/warning-sweep.ts).
  'case.warning',
  'case.stage_overrun',
  'case.deemed_approved',
  // Space-time clashes with other works and the office's coordination decisions (src/cases/case-coordination.service.ts).
  'case.clash_detected',
  'case.works_linked',
  'case.clash_dismissed',
]
