/**
 * The lifecycle state of one excavation case (docs/domain.md §4) as plain JSON-serialisable data.
 *
 * It is stored as jsonb, so: instants are ISO-8601 strings with an offset (written with
 * formatShanghaiInstant, e.g. "2026-02-12T10:00:00.000+08:00", read back with parseInstant), civil dates
 * are 'YYYY-MM-DD' in Asia/Shanghai, there are no classes, Dates, undefined values or Maps.
 *
 * Fields fall in two kinds:
 * - facts recorded by actions (who did what, when, with which payload): never rewritten;
 * - derived deadlines (clock due date, stage due dates, working-day counts, `provisional`,
 *   `calendarFingerprint`): a pure function of the facts and the working-day calendar, recomputed on every
 *   action and by `recomputeLifecycle` when a new year's holiday schedule is loaded.
 */
import type { Role } from '../access/principal.ts'
import type { CivilDate } from '../calendar/civil-date.ts'
import type { RouteBehaviour } from '../rules/route-behaviour.ts'
import type { Route, TimeLimit } from '../rules/rule-set.schema.ts'
import type { SupervisionTerms } from '../rules/supervision.schema.ts'

export const caseStatuses = [
  'submitted',
  'not_accepted',
  /** Under review; the statutory clock is running. */
  'accepted',
  /** The clock is paused until the applicant answers (补正). */
  'supplement_requested',
  'approved',
  'refused',
  'withdrawn',
  'works_started',
  'works_completed',
  'reinstatement_failed',
  'reinstatement_passed',
  'closed',
  /** commitment_filing: acknowledged with a receipt on submission. */
  'filed',
  /** commitment_filing revoked by the office as non-compliant. */
  'revoked',
  /** emergency_repair: dug first, the road authority and traffic police notified. */
  'notified',
  'formalities_completed',
] as const
export type CaseStatus = (typeof caseStatuses)[number]

/** No action leads out of these. */
export const finalStatuses: readonly CaseStatus[] = ['not_accepted', 'refused', 'withdrawn', 'closed', 'revoked']

export const actions = [
  'accept',
  'not_accept',
  'request_supplement',
  'submit_supplement',
  'record_opinion',
  'complete_stage',
  'approve',
  'refuse',
  'withdraw',
  'start_works',
  'complete_works',
  'inspect_reinstatement',
  'close',
  'revoke_filing',
  'complete_formalities',
  'request_change',
  'approve_change',
  'refuse_change',
  'extend_time_limit',
] as const
export type Action = (typeof actions)[number]

/** The roles are the access model's (src/core/access): one list. */
export type { Role } from '../access/principal.ts'

/** Who took an action: the API key and the role it had at the time. */
export interface Actor {
  keyId: string
  role: Role
}

// ---------------------------------------------------------------------------------------------------
// The statutory clock
// ---------------------------------------------------------------------------------------------------

export type ClockEntryKind = 'start' | 'pause' | 'resume' | 'stop' | 'extend'

/**
 * One line of the clock ledger. `kind`, `at`, `reason`, `actor` and (on start / extend) `limitWorkingDays`
 * are the facts; everything else is derived from the ledger up to and including this entry and the
 * calendar, and is rewritten by recomputeClock.
 */
export interface ClockLedgerEntry {
  kind: ClockEntryKind
  /** When it happened (ISO instant with offset). */
  at: string
  /** The Shanghai civil date of `at`: the day that counts for working-day arithmetic. */
  date: CivilDate
  /** Why, in words (e.g. "accepted", "supplement requested: 3 items", "decision: approved"). */
  reason: string
  actor: Actor
  /**
   * The statutory limit in force after this entry, in working days: set by `start` (the route's limit)
   * and raised by `extend`; copied on the other kinds. null for a route with no limit (special_approval:
   * tracked, not promised).
   */
  limitWorkingDays: number | null
  /** Working days elapsed since the start date (exclusive) up to and including `date`, minus paused days. */
  workingDaysUsed: number
  /**
   * limitWorkingDays − workingDaysUsed. Not clamped: a negative value is the number of working days the
   * case has overrun its limit. null when there is no limit.
   */
  workingDaysRemaining: number | null
  /**
   * The due date in force after this entry (end of that Shanghai day). null after a pause (unknown until
   * the applicant answers), after a stop while paused, and when there is no limit.
   */
  dueDate: CivilDate | null
  /** The due date or a count crossed a year whose holiday schedule was not loaded (weekends only). */
  provisional: boolean
}

export type ClockStatus = 'running' | 'paused' | 'stopped'

/**
 * The statutory clock (行政许可法 art. 42/45, 民法典 art. 201): the ledger is the record; the other fields
 * are derived from it and the calendar (see clock.ts).
 */
export interface StatutoryClock {
  ledger: ClockLedgerEntry[]
  /** Derived: from the last ledger entry. */
  status: ClockStatus
  /** Derived: Shanghai date of the start (acceptance); not itself counted. */
  startedOn: CivilDate
  /** Derived: the limit in force (route limit + extensions), null when the route has none. */
  limitWorkingDays: number | null
  /** Derived: the current due date; null while paused, when stopped while paused, or with no limit. */
  dueDate: CivilDate | null
  /** Derived: dueDate or a count is based on a year with no loaded schedule. */
  provisional: boolean
  /** Fingerprint of the calendar that produced the derived fields (WorkingDayCalendar.fingerprint()). */
  calendarFingerprint: string
}

// ---------------------------------------------------------------------------------------------------
// The plan and the "4+2+1+1" joint review
// ---------------------------------------------------------------------------------------------------

export interface StagePlanItem {
  key: string
  workingDays: number
  name: string
}

/** What the RouteDecision promised at submission, copied so later rule-set versions cannot change it. */
export interface LifecyclePlan {
  timeLimit: TimeLimit | null
  /** Granted at most once on top of timeLimit (行政许可法 art. 42: 20 + 10 on the standard route). */
  extension: TimeLimit | null
  /**
   * The joint-review stages in order (empty for other routes). By position: the last stage is the
   * issuance of the permit, the one before it the decision, all earlier ones are review stages in which
   * department opinions are recorded. With the default plan: joint_survey 4, consultation 2, decision 1,
   * issuance 1.
   */
  stages: StagePlanItem[]
  approvingAuthority: string | null
  requiresApproval: boolean
  /** The route's warning thresholds and timeout effect, copied at submission; absent: DEFAULT_SUPERVISION. */
  supervision?: SupervisionTerms
}

export type OpinionKind = 'agree' | 'agree_with_conditions' | 'object'

export interface DepartmentOpinion {
  department: string
  opinion: OpinionKind
  comments: string | null
  conditions: string[]
  recordedAt: string
  recordedBy: Actor
}

/**
 * - pending: not reached yet (dueDate is the projection from the previous stage's due date);
 * - in_progress: the current stage;
 * - completed;
 * - cancelled: the case ended (refused, withdrawn) before the stage was completed.
 */
export type StageStatus = 'pending' | 'in_progress' | 'completed' | 'cancelled'

export interface StageProgress {
  key: string
  name: string
  workingDays: number
  status: StageStatus
  /** When the stage began: acceptance for the first, the previous stage's completion for the others. */
  startedAt: string | null
  startedOn: CivilDate | null
  /**
   * Derived: the stage's due date. The first stage runs from the acceptance date; each later one from the
   * previous stage's actual completion when that was early, otherwise from the previous stage's due date
   * (a late stage eats into the statutory total, it does not extend it). Paused working days are not
   * counted; null while a pause that started before the stage's due date is still open, and for a
   * stage cancelled before it started.
   */
  dueDate: CivilDate | null
  /** Derived. */
  provisional: boolean
  completedAt: string | null
  completedOn: CivilDate | null
  completedBy: Actor | null
  /** Derived: completed after its due date; null until completed. */
  late: boolean | null
  summary: string | null
  /** Department opinions recorded during this stage (review stages only). */
  opinions: DepartmentOpinion[]
}

// ---------------------------------------------------------------------------------------------------
// Acceptance, supplements, decision, extension
// ---------------------------------------------------------------------------------------------------

export interface AcceptanceRecord {
  round: number
  at: string
  by: Actor
  note: string | null
}

export interface NotAcceptedRecord {
  reason: string
  /** Codes of the rule set's notAccept list (absent on cases decided before codes existed). */
  reasonCodes?: string[]
  at: string
  by: Actor
}

export interface SupplementItem {
  item: string
  /** Code of the rule set's supplementItems list, if given. */
  code?: string
  detail: string | null
}

export interface SupplementAnswer {
  item: string
  answer: string
}

/** One 补正 request (行政许可法 art. 32: everything missing, asked for once) and the applicant's answer. */
export interface SupplementRecord {
  /** The acceptance round it belongs to. */
  round: number
  /** The joint-review stage in progress when it was requested, or null. */
  stage: string | null
  items: SupplementItem[]
  note: string | null
  requestedAt: string
  requestedBy: Actor
  /** null while the applicant has not answered. */
  submittedAt: string | null
  submittedBy: Actor | null
  answers: SupplementAnswer[]
  documents: string[]
  submissionNote: string | null
}

/** Approved length and width in metres, or a textual description of the area. */
export type ApprovedArea = { lengthMeters: number; widthMeters?: number } | string

export interface ApprovedPeriod {
  from: CivilDate
  to: CivilDate
}

export interface Approver {
  name: string
  title: string
}

/**
 * The decision. When approved, position, area and period are binding (城市道路管理条例 art. 36); an
 * approved change request rewrites them here and keeps the previous values in its own record.
 */
export interface DecisionRecord {
  outcome: 'approved' | 'refused'
  decidedAt: string
  decidedOn: CivilDate
  decidedBy: Actor
  authority: string | null
  /** The person who signed, if given. */
  approvedBy: string | null
  reference: string | null
  approvedPosition: string | null
  approvedArea: ApprovedArea | null
  approvedPeriod: ApprovedPeriod | null
  conditions: string[]
  reasons: string[]
  /** Codes of the rule set's refuse list (refusals), if given. */
  reasonCodes?: string[]
  /** Set on a decision the scheduler recorded because the time ran out on a deem_approved route (视为批准). */
  deemed?: { basis: { citation: string; text: string } }
  /**
   * Derived at decision time: decided on or before the clock's due date (null with no limit). A late
   * decision is still a decision; nothing is ever approved by default when overdue.
   */
  withinTimeLimit: boolean | null
  /** When the permit was issued: the decision itself, or the completion of the issuance stage. */
  permitIssuedAt: string | null
}

export interface ExtensionRecord {
  workingDays: number
  approver: Approver
  reason: string
  at: string
  by: Actor
}

// ---------------------------------------------------------------------------------------------------
// Emergency formalities, works, reinstatement, changes, end states
// ---------------------------------------------------------------------------------------------------

/** emergency_repair: the approval formalities are due 24 clock hours after notification (城市道路管理条例 art. 34). */
export interface FormalitiesRecord {
  notifiedAt: string
  /** notifiedAt + the route's limit in hours. */
  dueAt: string
  completedAt: string | null
  completedBy: Actor | null
  permitReference: string | null
  documents: string[]
  note: string | null
}

export interface WorksRecord {
  /** For emergency repairs the works start at notification. */
  startedAt: string | null
  startedBy: Actor | null
  completedAt: string | null
  completedBy: Actor | null
  startNote: string | null
  completionNote: string | null
  /** Started before or after the approved period (null without an approved period). */
  startedOutsideApprovedPeriod: boolean | null
  /** Completed after the approved period ended (null without an approved period). */
  completedAfterApprovedPeriod: boolean | null
}

export interface InspectionRecord {
  passed: boolean
  at: string
  inspector: string
  notes: string | null
  by: Actor
}

export type ChangeKind = 'move' | 'enlarge' | 'extend'

/** A change to approved works, approved in advance (城市道路管理条例 art. 36). */
export interface ChangeRequestRecord {
  /** 1, 2, … per case. */
  id: number
  kind: ChangeKind
  description: string
  requestedPosition: string | null
  requestedArea: ApprovedArea | null
  requestedPeriod: ApprovedPeriod | null
  requestedAt: string
  requestedBy: Actor
  status: 'pending' | 'approved' | 'refused'
  decidedAt: string | null
  decidedBy: Actor | null
  note: string | null
  conditions: string[]
  reasons: string[]
  /** Codes of the rule set's refuseChange list, if given. */
  reasonCodes?: string[]
  /** The binding values the approved change replaced. */
  previous: { position: string | null; area: ApprovedArea | null; period: ApprovedPeriod | null } | null
}

export interface WithdrawalRecord {
  at: string
  by: Actor
  reason: string | null
}

export interface ClosureRecord {
  at: string
  by: Actor
  note: string | null
}

export interface RevocationRecord {
  at: string
  by: Actor
  reason: string
  /** Codes of the rule set's revokeFiling list, if given. */
  reasonCodes?: string[]
}

/** Everything the lifecycle needs about one case. */
export interface LifecycleState {
  /** Bumped if the shape ever changes incompatibly. */
  schemaVersion: 1
  route: Route
  /** What the lifecycle does on this route (route-behaviour.ts); absent in documents written before behaviours were data. */
  behaviour?: RouteBehaviour
  status: CaseStatus
  submittedAt: string
  plan: LifecyclePlan
  /** null until accepted, and for routes without a working-day clock (commitment_filing, emergency_repair). */
  clock: StatutoryClock | null
  /** Joint-review progress, one per planned stage (empty for other routes). */
  stages: StageProgress[]
  /** Key of the stage in progress, or null. */
  currentStage: string | null
  /** 0 before acceptance; one acceptance is one round (a resubmitted supplement does not open a new one). */
  acceptanceRound: number
  acceptance: AcceptanceRecord | null
  notAccepted: NotAcceptedRecord | null
  /** 行政许可法 art. 32: one complete supplement request per acceptance round. */
  supplementRequestedThisRound: boolean
  supplements: SupplementRecord[]
  decision: DecisionRecord | null
  /** The one extension of the time limit, if granted. */
  extension: ExtensionRecord | null
  formalities: FormalitiesRecord | null
  works: WorksRecord
  inspections: InspectionRecord[]
  pendingChange: ChangeRequestRecord | null
  /** Decided change requests, oldest first. */
  changes: ChangeRequestRecord[]
  withdrawal: WithdrawalRecord | null
  closure: ClosureRecord | null
  revocation: RevocationRecord | null
}
