import { sql, type Kysely, type Selectable } from 'kysely'
import { endOfShanghaiDay, shanghaiDateOf } from '../core/calendar/civil-date.ts'
import type { CaseTable, Database } from '../platform/database/database.types.ts'
import { initialLifecycleState } from '../core/lifecycle/lifecycle-state.ts'
import type { LifecycleState } from '../core/lifecycle/lifecycle.types.ts'
import type { CaseRoad, RouteDecision } from '../core/rules/route-decision.ts'
import type { WorkingDayCalendar } from '../core/calendar/working-day-calendar.ts'
import { slaColumnsOf, type SlaColumns } from '../core/reports/sla-facts.ts'
import { superviseLifecycle, type WarningLevel } from '../core/lifecycle/supervision.ts'
import type { LengthCheck } from '../core/rules/length-check.ts'

/** A case as the domain sees it (camelCase); the row mapping lives only here. */
export interface CaseRecord {
  id: string
  number: string
  organizationId: string
  organizationCode: string
  /** The organization's jurisdiction (migration 2026-12-01T0600). */
  jurisdictionCode: string
  externalReference: string | null
  route: string
  status: string
  ruleSetId: string
  ruleSetVersion: number
  ruleSetEffectiveFrom: string
  decision: RouteDecision
  voltageVolts: number
  excavationLengthMeters: number
  excavationWidthMeters: number | null
  emergency: boolean
  roadProtected: boolean
  works: { title: string; description?: string }
  location: { district: string; roadName: string; description?: string; geometry?: unknown }
  plannedStartDate: string
  plannedEndDate: string
  contact: { name: string; phone: string }
  commitment: { signedBy: string; statement: string } | null
  filingReceiptNumber: string | null
  submittedAt: Date
  formalitiesDueAt: Date | null
  version: number
  updatedAt: Date
  /** The lifecycle document: clock ledger, stages, supplements, decision, works, inspections, changes. */
  lifecycle: LifecycleState
  /** Declared against measured length (null: no geometry, not checked) and the register roads matched at intake. */
  lengthCheck: LengthCheck | null
  roads: CaseRoad[]
}

type CaseRow = Selectable<CaseTable>

function toRecord(row: CaseRow): CaseRecord {
  return {
    id: row.id,
    number: row.number,
    organizationId: row.organization_id,
    organizationCode: row.organization_code,
    jurisdictionCode: row.jurisdiction_code,
    externalReference: row.external_reference,
    route: row.route,
    status: row.status,
    ruleSetId: row.rule_set_id,
    ruleSetVersion: row.rule_set_version,
    ruleSetEffectiveFrom: row.rule_set_effective_from,
    decision: row.decision as unknown as RouteDecision,
    voltageVolts: row.voltage_volts,
    excavationLengthMeters: row.excavation_length_meters,
    excavationWidthMeters: row.excavation_width_meters,
    emergency: row.emergency,
    roadProtected: row.road_protected,
    works: row.works as CaseRecord['works'],
    location: row.location as CaseRecord['location'],
    plannedStartDate: row.planned_start_date,
    plannedEndDate: row.planned_end_date,
    contact: row.contact as CaseRecord['contact'],
    commitment: row.commitment as CaseRecord['commitment'],
    filingReceiptNumber: row.filing_receipt_number,
    submittedAt: row.submitted_at,
    formalitiesDueAt: row.formalities_due_at,
    version: row.version,
    updatedAt: row.updated_at,
    // Rows written before the lifecycle existed start from the state their submission implies.
    lifecycle: (row.lifecycle as unknown as LifecycleState | null) ?? initialLifecycleState(row.decision as unknown as RouteDecision, row.submitted_at),
    lengthCheck: (row.length_check as unknown as LengthCheck | null) ?? null,
    roads: (row.roads as unknown as CaseRoad[] | null) ?? [],
  }
}

/** One table, by primary key or index: the organization code and rule-set date are on the row (see migration 0700). */
function selectCases(db: Kysely<Database>) {
  return db.selectFrom('case').selectAll('case')
}

export type NewCase = Omit<CaseRecord, 'id' | 'number' | 'filingReceiptNumber' | 'organizationCode' | 'ruleSetEffectiveFrom' | 'version' | 'updatedAt'> & {
  /** The jurisdiction's case-number prefix (ZZ for Zhangzhou). */
  caseNumberPrefix: string
  createdByKeyId: string
  /** A commitment filing gets a filing-receipt number alongside its case number. */
  filingReceipt: boolean
}

/** What the insert returns: the columns PostgreSQL fills in (key, number, trigger copies, rounded numerics). */
interface InsertedCaseRow {
  id: string
  number: string
  filing_receipt_number: string | null
  organization_code: string
  jurisdiction_code: string
  rule_set_effective_from: string
  excavation_length_meters: number
  excavation_width_meters: number | null
  version: number
}

/**
 * Inserts a case in one statement and returns it as stored. The case number is taken from case_number_seq in
 * the same statement: ZZ-<Shanghai year of submission>-<sequence, at least six digits>, never reused; the receipt
 * of a commitment filing (承诺报备) carries the case's number as ZZ-BB-<year>-<sequence>, so the two are never
 * confused. Only the columns PostgreSQL fills in come back; the rest of the record is what was written (the jsonb
 * documents are plain JSON data, so they read back equal). Undefined when the organization already has a case with
 * this external reference (the unique constraint, also against a concurrent twin: the insert waits for it and
 * then does nothing).
 */
export async function insertCase(db: Kysely<Database>, values: NewCase): Promise<CaseRecord | undefined> {
  const derived = lifecycleColumns(values.lifecycle)
  const { rows } = await sql<InsertedCaseRow>`
    with sequence as (select nextval('case_number_seq')::text as value),
      numbered as (select ${`${values.caseNumberPrefix}-${shanghaiDateOf(values.submittedAt).slice(0, 4)}-`}::text || lpad(value, greatest(6, length(value)), '0') as number from sequence)
    insert into "case" (
      number, filing_receipt_number, organization_id, external_reference, route, rule_set_id, rule_set_version, decision,
      voltage_volts, excavation_length_meters, excavation_width_meters, emergency, road_protected, works, location,
      district, planned_start_date, planned_end_date, contact, commitment, submitted_at, formalities_due_at,
      created_by_key_id, updated_at, lifecycle, status, accepted_at, decided_at, due_date, due_at, paused,
      clock_provisional, current_stage, next_deadline_at, sla_decided_on, sla_working_days, sla_paused_working_days,
      sla_within_limit, sla_had_supplement, jurisdiction_code, length_check, roads
    ) values (
      (select number from numbered), (select case when ${values.filingReceipt}::boolean then ${`${values.caseNumberPrefix}-BB-`}::text || substr(number, ${values.caseNumberPrefix.length + 2}::int) end from numbered),
      ${values.organizationId}, ${values.externalReference}, ${values.route}, ${values.ruleSetId}, ${values.ruleSetVersion},
      ${JSON.stringify(values.decision)}, ${values.voltageVolts}, ${values.excavationLengthMeters}, ${values.excavationWidthMeters},
      ${values.emergency}, ${values.roadProtected}, ${JSON.stringify(values.works)}, ${JSON.stringify(values.location)},
      ${values.location.district}, ${values.plannedStartDate}, ${values.plannedEndDate}, ${JSON.stringify(values.contact)},
      ${values.commitment ? JSON.stringify(values.commitment) : null}, ${values.submittedAt}, ${values.formalitiesDueAt},
      ${values.createdByKeyId}, ${values.submittedAt}, ${JSON.stringify(values.lifecycle)}, ${derived.status}, ${derived.accepted_at},
      ${derived.decided_at}, ${derived.due_date}, ${derived.due_at}, ${derived.paused}, ${derived.clock_provisional},
      ${derived.current_stage}, ${derived.next_deadline_at}, ${derived.sla_decided_on}, ${derived.sla_working_days},
      ${derived.sla_paused_working_days}, ${derived.sla_within_limit}, ${derived.sla_had_supplement}, ${values.jurisdictionCode},
      ${values.lengthCheck ? JSON.stringify(values.lengthCheck) : null}, ${JSON.stringify(values.roads)}
    )
    on conflict (organization_id, external_reference, jurisdiction_code) do nothing
    returning id, number, filing_receipt_number, organization_code, jurisdiction_code, rule_set_effective_from, excavation_length_meters, excavation_width_meters, version`.execute(
    db,
  )
  const row = rows[0]
  if (!row) return undefined
  const { createdByKeyId: _createdBy, filingReceipt: _filingReceipt, caseNumberPrefix: _prefix, ...written } = values
  return {
    ...written,
    id: row.id,
    number: row.number,
    filingReceiptNumber: row.filing_receipt_number,
    organizationCode: row.organization_code,
    jurisdictionCode: row.jurisdiction_code,
    ruleSetEffectiveFrom: row.rule_set_effective_from,
    excavationLengthMeters: row.excavation_length_meters,
    excavationWidthMeters: row.excavation_width_meters,
    version: row.version,
    updatedAt: values.submittedAt,
  }
}

/**
 * The columns derived from the lifecycle document, for filtering and reporting. Written in the same
 * statement as the document so they can never disagree.
 */
export function lifecycleColumns(state: LifecycleState, calendar?: WorkingDayCalendar) {
  const formalitiesOpen = state.formalities !== null && state.formalities.completedAt === null
  const clockRunning = state.clock?.status === 'running' && state.clock.dueDate !== null
  // due_at: the case's own deadline while it is pending (clock running, or emergency formalities open);
  // null when paused, decided or with no limit, so "due_at < now" means overdue.
  const dueAt = clockRunning ? endOfShanghaiDay(state.clock?.dueDate as string) : formalitiesOpen ? new Date(state.formalities?.dueAt as string) : null
  const stageDue = clockRunning ? state.stages.find((stage) => stage.key === state.currentStage)?.dueDate : undefined
  const stageDueAt = stageDue ? endOfShanghaiDay(stageDue) : null
  const nextDeadlineAt = dueAt && stageDueAt ? new Date(Math.min(stageDueAt.getTime(), dueAt.getTime())) : (dueAt ?? stageDueAt)
  return {
    status: state.status,
    accepted_at: state.acceptance ? new Date(state.acceptance.at) : null,
    decided_at: state.decision ? new Date(state.decision.decidedAt) : null,
    due_date: state.clock?.dueDate ?? (formalitiesOpen ? shanghaiDateOf(dueAt as Date) : null),
    due_at: dueAt,
    next_deadline_at: nextDeadlineAt,
    paused: state.clock?.status === 'paused',
    clock_provisional: state.clock?.provisional ?? false,
    current_stage: state.currentStage,
    // The SLA facts of a decided case (src/core/reports/sla-facts.ts); the paused days need the calendar.
    ...slaColumnsOf(state, calendar),
  }
}

/**
 * The supervision columns after a lifecycle write at `at` (migration 2026-12-01T0500): the overall warning level now,
 * and "look at it at once" while the clock is open, so the scheduler records what the write made reachable (a late
 * stage, a level) and computes the exact next instant itself.
 */
function supervisionColumns(state: LifecycleState, calendar: WorkingDayCalendar, at: Date): { warning_level: WarningLevel | null; supervision_due_at: Date | null } {
  const open = state.clock !== null && state.clock.status !== 'stopped'
  const lateStage = state.stages.some((stage) => stage.late === true)
  return { warning_level: superviseLifecycle(state, calendar, at).warningLevel, supervision_due_at: open || lateStage ? at : null }
}

/** What a lifecycle write changed in the case's SLA facts, for the summary the reports keep (src/reports). */
export interface SlaFactsChange {
  group: { route: string; district: string; organizationId: string; jurisdictionCode: string }
  before: SlaColumns
  after: SlaColumns
}

/**
 * Writes a case's new lifecycle state and bumps its version (the caller holds the row lock), with the
 * `calendar` that derived the state, and returns how its SLA facts moved. The old facts are read by the update
 * itself (the self-join sees the row as it was), because recomputing them from the old document with today's
 * calendar could differ from what the summary counted.
 */
export async function updateCaseLifecycle(db: Kysely<Database>, id: string, state: LifecycleState, at: Date, calendar: WorkingDayCalendar): Promise<SlaFactsChange | undefined> {
  const columns = lifecycleColumns(state, calendar)
  const before = await db
    .updateTable('case')
    .set({ lifecycle: JSON.stringify(state), ...columns, ...supervisionColumns(state, calendar, at), version: sql<number>`version + 1`, updated_at: at })
    .from(
      db
        .selectFrom('case as previous')
        .select([
          'previous.id',
          'previous.sla_decided_on',
          'previous.sla_working_days',
          'previous.sla_paused_working_days',
          'previous.sla_within_limit',
          'previous.sla_had_supplement',
        ])
        .where('previous.id', '=', id)
        .as('before'),
    )
    .whereRef('case.id', '=', 'before.id')
    .returning([
      'case.route',
      'case.district',
      'case.organization_id',
      'case.jurisdiction_code',
      'before.sla_decided_on',
      'before.sla_working_days',
      'before.sla_paused_working_days',
      'before.sla_within_limit',
      'before.sla_had_supplement',
    ])
    .executeTakeFirst()
  if (!before) return undefined
  return {
    group: { route: before.route, district: before.district, organizationId: before.organization_id, jurisdictionCode: before.jurisdiction_code },
    before: {
      sla_decided_on: before.sla_decided_on,
      sla_working_days: before.sla_working_days,
      sla_paused_working_days: before.sla_paused_working_days,
      sla_within_limit: before.sla_within_limit,
      sla_had_supplement: before.sla_had_supplement,
    },
    after: {
      sla_decided_on: columns.sla_decided_on,
      sla_working_days: columns.sla_working_days,
      sla_paused_working_days: columns.sla_paused_working_days,
      sla_within_limit: columns.sla_within_limit,
      sla_had_supplement: columns.sla_had_supplement,
    },
  }
}

/** The jurisdiction of a case, read without a lock and without scope (it never changes after intake); undefined: no such case. */
export async function findCaseJurisdictionCode(db: Kysely<Database>, id: string): Promise<string | undefined> {
  const row = await db.selectFrom('case').select('jurisdiction_code').where('id', '=', id).executeTakeFirst()
  return row?.jurisdiction_code
}

/** Locks a case row for the rest of the transaction (FOR UPDATE): transitions on one case run one at a time. */
export async function lockCase(db: Kysely<Database>, id: string, organizationId?: string | null, jurisdictionCode?: string): Promise<CaseRecord | undefined> {
  let query = selectCases(db).where('case.id', '=', id).forUpdate()
  if (organizationId) query = query.where('case.organization_id', '=', organizationId)
  if (jurisdictionCode) query = query.where('case.jurisdiction_code', '=', jurisdictionCode)
  const row = await query.executeTakeFirst()
  return row ? toRecord(row as CaseRow) : undefined
}

/**
 * Up to `limit` cases whose pending deadline passed before `now` and has not been looked at since it became due,
 * locked FOR UPDATE SKIP LOCKED: several sweepers share the work without waiting for each other.
 */
export async function lockCasesPastDeadline(db: Kysely<Database>, now: Date, limit: number): Promise<CaseRecord[]> {
  const rows = await selectCases(db)
    .where('case.next_deadline_at', '<', now)
    .where((eb) => eb.or([eb('case.overdue_marked_at', 'is', null), eb('case.overdue_marked_at', '<', eb.ref('case.next_deadline_at'))]))
    .orderBy('case.next_deadline_at')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute()
  return rows.map((row) => toRecord(row as CaseRow))
}

/** Records that the sweep looked at the case's passed deadline; an overdue case's version moves (its view changed). */
export async function markOverdueChecked(db: Kysely<Database>, id: string, at: Date, overdue: boolean): Promise<void> {
  await db
    .updateTable('case')
    .set({ overdue_marked_at: at, ...(overdue ? { version: sql<number>`version + 1`, updated_at: at } : {}) })
    .where('id', '=', id)
    .execute()
}

/**
 * Up to `limit` cases the scheduler must look at again for warnings, overruns and timeouts (supervision_due_at has
 * come), locked FOR UPDATE SKIP LOCKED like the overdue sweep.
 */
export async function lockCasesDueForSupervision(db: Kysely<Database>, now: Date, limit: number): Promise<CaseRecord[]> {
  const rows = await selectCases(db).where('case.supervision_due_at', '<=', now).orderBy('case.supervision_due_at').limit(limit).forUpdate().skipLocked().execute()
  return rows.map((row) => toRecord(row as CaseRow))
}

/**
 * The warning level now and when to look again. Not a new version: like workingDaysUsed, the level is a view of the
 * same facts at a later time; the events that report it are the record.
 */
export async function updateSupervisionColumns(db: Kysely<Database>, id: string, warningLevel: string | null, dueAt: Date | null): Promise<void> {
  await db.updateTable('case').set({ warning_level: warningLevel, supervision_due_at: dueAt }).where('id', '=', id).execute()
}

/** Open cases whose deadlines were computed into a year with no loaded schedule. */
export async function listProvisionalCaseIds(db: Kysely<Database>): Promise<string[]> {
  return (await db.selectFrom('case').select('id').where('clock_provisional', '=', true).execute()).map((row) => row.id)
}

/** Reads one case; `organizationId` restricts to one organization (a dispatch key's view), `jurisdictionCode` to one jurisdiction (core/access). */
export async function findCase(db: Kysely<Database>, id: string, organizationId?: string | null, jurisdictionCode?: string): Promise<CaseRecord | undefined> {
  let query = selectCases(db).where('case.id', '=', id)
  if (organizationId) query = query.where('case.organization_id', '=', organizationId)
  if (jurisdictionCode) query = query.where('case.jurisdiction_code', '=', jurisdictionCode)
  const row = await query.executeTakeFirst()
  return row ? toRecord(row as CaseRow) : undefined
}

export async function findCaseByExternalReference(db: Kysely<Database>, organizationId: string, externalReference: string): Promise<CaseRecord | undefined> {
  const row = await selectCases(db).where('case.organization_id', '=', organizationId).where('case.external_reference', '=', externalReference).executeTakeFirst()
  return row ? toRecord(row as CaseRow) : undefined
}

export interface CaseListFilter {
  organizationId?: string | undefined
  jurisdictionCode?: string | undefined
  status?: string | undefined
  route?: string | undefined
  district?: string | undefined
  submittedFrom?: Date | undefined
  submittedBefore?: Date | undefined
  after?: { submittedAt: Date; id: string } | undefined
  /** true: a pending deadline has passed at `now`; false: none has. */
  overdue?: { value: boolean; now: Date } | undefined
  /** Pending, not yet overdue, and due on or before this Shanghai date. */
  dueBy?: { date: string; now: Date } | undefined
  /** The overall clock's warning level as of the last transition or sweep (case.warning_level). */
  warningLevel?: string | undefined
  limit: number
}

/** Newest first, keyset-paginated on (submitted_at, id): stable under concurrent inserts, no OFFSET scans. */
export async function listCases(db: Kysely<Database>, filter: CaseListFilter): Promise<CaseRecord[]> {
  let query = selectCases(db)
  if (filter.organizationId) query = query.where('case.organization_id', '=', filter.organizationId)
  if (filter.jurisdictionCode) query = query.where('case.jurisdiction_code', '=', filter.jurisdictionCode)
  if (filter.status) query = query.where('case.status', '=', filter.status)
  if (filter.route) query = query.where('case.route', '=', filter.route)
  if (filter.district) query = query.where('case.district', '=', filter.district)
  if (filter.warningLevel) query = query.where('case.warning_level', '=', filter.warningLevel)
  if (filter.submittedFrom) query = query.where('case.submitted_at', '>=', filter.submittedFrom)
  if (filter.submittedBefore) query = query.where('case.submitted_at', '<', filter.submittedBefore)
  if (filter.overdue) {
    const { value, now } = filter.overdue
    query = value ? query.where('case.next_deadline_at', '<', now) : query.where((eb) => eb.or([eb('case.next_deadline_at', 'is', null), eb('case.next_deadline_at', '>=', now)]))
  }
  if (filter.dueBy) {
    query = query.where('case.due_at', '>=', filter.dueBy.now).where('case.due_date', '<=', filter.dueBy.date)
  }
  if (filter.after) {
    const { submittedAt, id } = filter.after
    query = query.where(sql<boolean>`("case".submitted_at, "case".id) < (${submittedAt}, ${id}::uuid)`)
  }
  const rows = await query.orderBy('case.submitted_at', 'desc').orderBy('case.id', 'desc').limit(filter.limit).execute()
  return rows.map((row) => toRecord(row as CaseRow))
}
