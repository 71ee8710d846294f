import type { ColumnType, Generated, JSONColumnType } from 'kysely'
import type { Role } from '../../core/access/principal.ts'

/** Kysely's view of the tables (snake_case, as in SQL); repositories map rows to camelCase domain objects. */
type Timestamp = ColumnType<Date, Date | string, Date | string>
type CreatedAt = ColumnType<Date, Date | string | undefined, never>

export interface OrganizationTable {
  id: Generated<string>
  code: string
  name: string
  created_at: CreatedAt
  /** The jurisdiction it belongs to (migration 2026-12-01T0600). */
  jurisdiction_code: ColumnType<string, string | undefined, string>
}

/** A city's green channel (migration 2026-12-01T0600, src/jurisdictions). */
export interface JurisdictionTable {
  code: string
  name_zh: string
  name_en: string
  case_number_prefix: string
  bbox_west: ColumnType<number, number, number>
  bbox_south: ColumnType<number, number, number>
  bbox_east: ColumnType<number, number, number>
  bbox_north: ColumnType<number, number, number>
  time_zone: string
  rule_set_id: string
  is_default: ColumnType<boolean, boolean | undefined, boolean>
  created_at: CreatedAt
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>
  updated_by_key_id: string | null
}

export interface ApiKeyTable {
  id: Generated<string>
  prefix: string
  key_hash: string
  role: Role
  organization_id: string | null
  name: string | null
  created_at: CreatedAt
  created_by_key_id: string | null
  revoked_at: Timestamp | null
  /** null: spans every jurisdiction (migration 2026-12-01T0600). */
  jurisdiction_code: ColumnType<string | null, string | null | undefined, string | null>
}

export interface RuleSetTable {
  id: string
  version: number
  effective_from: string
  name: string
  description: string | null
  parameters: JSONColumnType<Record<string, unknown>, string, string>
  created_at: CreatedAt
  created_by_key_id: string | null
}

export interface CalendarYearTable {
  year: number
  holidays: ColumnType<string[], string[], string[]>
  makeup_workdays: ColumnType<string[], string[], string[]>
  source: string
  fingerprint: string
  loaded_at: Timestamp
  loaded_by_key_id: string | null
  /** Holiday names by date (春节 Spring Festival), and the holiday each make-up workday makes up for (migration 2026-12-01T0500). */
  holiday_names: ColumnType<Record<string, string>, string | undefined, string>
  makeup_workday_names: ColumnType<Record<string, string>, string | undefined, string>
}

export interface CaseTable {
  id: Generated<string>
  number: string
  organization_id: string
  external_reference: string | null
  route: string
  status: string
  rule_set_id: string
  rule_set_version: number
  decision: JSONColumnType<Record<string, unknown>, string, string>
  voltage_volts: number
  excavation_length_meters: ColumnType<number, number | string, number | string>
  excavation_width_meters: ColumnType<number | null, number | string | null, number | string | null>
  emergency: boolean
  road_protected: boolean
  works: JSONColumnType<Record<string, unknown>, string, string>
  location: JSONColumnType<Record<string, unknown>, string, string>
  district: string
  planned_start_date: string
  planned_end_date: string
  contact: JSONColumnType<Record<string, unknown>, string, string>
  commitment: JSONColumnType<Record<string, unknown> | null, string | null, string | null>
  filing_receipt_number: string | null
  submitted_at: Timestamp
  formalities_due_at: Timestamp | null
  version: Generated<number>
  created_by_key_id: string
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>
  lifecycle: JSONColumnType<Record<string, unknown> | null, string | null, string | null>
  accepted_at: Timestamp | null
  decided_at: Timestamp | null
  due_date: string | null
  due_at: Timestamp | null
  paused: ColumnType<boolean, boolean | undefined, boolean>
  clock_provisional: ColumnType<boolean, boolean | undefined, boolean>
  current_stage: string | null
  overdue_marked_at: Timestamp | null
  next_deadline_at: Timestamp | null
  /** SLA facts (src/reports): set when the statutory clock stops by a decision, null otherwise. */
  sla_decided_on: string | null
  sla_working_days: number | null
  sla_paused_working_days: number | null
  sla_within_limit: boolean | null
  sla_had_supplement: boolean | null
  /** Copied from organization / rule_set on insert by a trigger (they never change afterwards). */
  organization_code: ColumnType<string, never, never>
  /** The organization's jurisdiction, copied on insert by a trigger (migration 2026-12-01T0600). */
  jurisdiction_code: ColumnType<string, never, never>
  rule_set_effective_from: ColumnType<string, never, never>
  /** The overall clock's warning level and when the scheduler looks again (src/supervision; migration 2026-12-01T0500). */
  warning_level: ColumnType<string | null, string | null | undefined, string | null>
  supervision_due_at: ColumnType<Date | null, Date | null | undefined, Date | null>
  /** The length check and register roads the route was decided on (src/roads, migration 2026-12-01T0700). */
  length_check: JSONColumnType<Record<string, unknown> | null, string | null, string | null>
  roads: ColumnType<Record<string, unknown>[], string | undefined, string>
}

/** Each warning level, stage overrun and overdue a case reached, once (src/supervision). */
export interface CaseWarningTable {
  case_id: string
  clock: 'overall' | 'stage'
  stage: string
  level: 'yellow' | 'red' | 'overdue' | 'overrun'
  reached_at: Timestamp
  reached_on: string
  route: string
  district: string
  organization_id: string
  working_days_used: number
  working_days_remaining: number
  /** The case's jurisdiction, copied on insert by a trigger (migration 2026-12-01T0600); part of the keys (2026-12-02T0100). */
  jurisdiction_code: ColumnType<string, never, never>
}

/** The reason codes given with a case's actions (src/cases), for reports grouped by reason. */
export interface CaseReasonCodeTable {
  case_id: string
  action: string
  code: string
  list_version: number
  recorded_at: Timestamp
  recorded_on: string
  route: string
  district: string
  organization_id: string
  /** The case's jurisdiction, copied on insert by a trigger (migration 2026-12-01T0600); part of the keys (2026-12-02T0100). */
  jurisdiction_code: ColumnType<string, never, never>
}

/** The road register (src/roads). `extent` is a PostgreSQL box, written and read as text '(x2,y2),(x1,y1)'. */
export interface RoadTable {
  code: string
  name: string
  district: string
  class: string
  geometry: JSONColumnType<Record<string, unknown>, string, string>
  extent: string
  built_on: string | null
  reconstructed_on: string | null
  overhauled_on: string | null
  restrictions: ColumnType<Array<{ from: string; to: string; reason: string }>, string, string>
  version: ColumnType<number, number | undefined, number>
  created_at: CreatedAt
  updated_at: Timestamp
  updated_by_key_id: string | null
}

export interface RoadHistoryTable {
  id: Generated<number>
  road_code: string
  version: number
  change: 'created' | 'updated' | 'deleted'
  before: JSONColumnType<Record<string, unknown> | null, string | null, string | null>
  after: JSONColumnType<Record<string, unknown> | null, string | null, string | null>
  actor_key_id: string | null
  actor_role: string
  request_id: string | null
  source: 'api' | 'import' | 'cli'
  at: Timestamp
}

/** Decided cases per decision date, group and working days taken (written by src/reports/sla-summary.repository.ts). */
export interface SlaDailySummaryTable {
  dimension: 'all' | 'route' | 'district' | 'organization'
  group_key: string
  decided_on: string
  working_days: number
  cases: number
  with_time_limit: number
  on_time: number
  with_supplement: number
  paused_working_days: number
  /** The case's jurisdiction (migration 2026-12-02T0100): every row counts one jurisdiction's cases. */
  jurisdiction_code: string
}

export interface CaseEventTable {
  id: Generated<number>
  case_id: string
  seq: number
  type: string
  from_status: string | null
  to_status: string | null
  actor_key_id: string | null
  actor_role: string | null
  actor_organization_id: string | null
  request_id: string | null
  /** The caller's own request-id header, when it sent a sane one (migration 2026-12-01T0400); null before. */
  client_request_id: ColumnType<string | null, string | null | undefined, never>
  occurred_at: Timestamp
  payload: JSONColumnType<Record<string, unknown>, string, string>
  prev_hash: string | null
  hash: string
  /** xid8 of the writing transaction, as text (feed order); set by the database. */
  tx_id: ColumnType<string, never, never>
  organization_id: string | null
  /** The case's jurisdiction, copied on insert by a trigger (migration 2026-12-01T0600). */
  jurisdiction_code: ColumnType<string, never, never>
}

export interface IdempotencyKeyTable {
  api_key_id: string
  key: string
  request_hash: string
  method: string
  path: string
  state: 'in_progress' | 'completed'
  locked_until: Timestamp | null
  response_status: number | null
  response_headers: JSONColumnType<Record<string, string> | null, string | null, string | null>
  response_body: string | null
  created_at: CreatedAt
  expires_at: Timestamp
}

export interface WebhookEndpointTable {
  id: Generated<string>
  organization_id: string
  url: string
  event_types: ColumnType<string[], string[], string[]>
  description: string | null
  secret: string | null
  status: ColumnType<'active' | 'disabled' | 'deleted', 'active' | 'disabled' | 'deleted' | undefined, 'active' | 'disabled' | 'deleted'>
  /** pg_snapshot of the registering transaction, as text; set by the database. */
  subscribed_from: ColumnType<string, never, never>
  consecutive_failures: ColumnType<number, number | undefined, number>
  failing_since: Timestamp | null
  last_success_at: Timestamp | null
  last_failure_at: Timestamp | null
  disabled_at: Timestamp | null
  disabled_reason: string | null
  created_at: Timestamp
  created_by_key_id: string | null
  deleted_at: Timestamp | null
}

export interface WebhookDeliveryTable {
  id: Generated<number>
  message_id: string
  endpoint_id: string
  event_id: number
  event_type: string
  case_id: string
  event_seq: number
  status: 'pending' | 'sending' | 'delivered' | 'failed'
  attempts: ColumnType<number, number | undefined, number>
  next_attempt_at: Timestamp
  lease_until: Timestamp | null
  first_attempt_at: Timestamp | null
  give_up_after: Timestamp | null
  last_attempt_at: Timestamp | null
  delivered_at: Timestamp | null
  failed_at: Timestamp | null
  last_status_code: number | null
  last_error: string | null
  /** timeout, connection_refused, http_status, target_refused, … (src/webhooks/webhook-http-client.ts). */
  last_error_class: ColumnType<string | null, string | null | undefined, string | null>
  payload: JSONColumnType<Record<string, unknown>, string, string>
  created_at: Timestamp
  /** The case's jurisdiction, copied on insert by a trigger (migration 2026-12-01T0600); part of the keys (2026-12-02T0100). */
  jurisdiction_code: ColumnType<string, never, never>
}

export interface WebhookRelayCursorTable {
  name: string
  /** xid8 as text (feed position). */
  tx_id: string
  event_id: number
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>
}

/** Signed checkpoints of the history (src/audit); append-only. */
export interface AuditCheckpointTable {
  sequence: number
  format: string
  created_at: Timestamp
  case_count: ColumnType<string, number, never>
  event_count: ColumnType<string, number, never>
  merkle_root: string
  previous_hash: string | null
  key_id: string
  hash: string
  signature: string
  carried_forward: ColumnType<number, number | undefined, never>
}

/** A checkpoint leaf written when a case is new or its head moved on (src/audit); append-only. */
export interface AuditCheckpointLeafTable {
  case_id: string
  sequence: number
  case_number: string
  event_count: number
  head_hash: string
}

export interface Database {
  jurisdiction: JurisdictionTable
  organization: OrganizationTable
  api_key: ApiKeyTable
  rule_set: RuleSetTable
  calendar_year: CalendarYearTable
  case: CaseTable
  case_event: CaseEventTable
  case_warning: CaseWarningTable
  case_reason_code: CaseReasonCodeTable
  idempotency_key: IdempotencyKeyTable
  sla_daily_summary: SlaDailySummaryTable
  webhook_endpoint: WebhookEndpointTable
  webhook_delivery: WebhookDeliveryTable
  webhook_relay_cursor: WebhookRelayCursorTable
  audit_checkpoint: AuditCheckpointTable
  audit_checkpoint_leaf: AuditCheckpointLeafTable
  road: RoadTable
  road_history: RoadHistoryTable
}
