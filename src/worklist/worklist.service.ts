import type { Kysely } from 'kysely'
import type { CalendarService } from '../calendar/calendar.service.ts'
import { confinedJurisdictionCode, type Principal } from '../core/access/principal.ts'
import { formatShanghaiInstant, shanghaiDateOf } from '../core/calendar/civil-date.ts'
import type { WorkingDayCalendar } from '../core/calendar/working-day-calendar.ts'
import { caseDeadlineOf, lifecycleView } from '../core/lifecycle/lifecycle-state.ts'
import type { LifecycleState } from '../core/lifecycle/lifecycle.types.ts'
import { superviseLifecycle } from '../core/lifecycle/supervision.ts'
import { resolveListOrganization } from '../organizations/organization.service.ts'
import type { Clock } from '../platform/clock.ts'
import type { Database } from '../platform/database/database.types.ts'
import { cursorValues, keysetCursor, pageOf } from '../platform/http/keyset-pagination.ts'
import {
  countCurrentWorklistCases,
  listStaleWorklistCases,
  listWorklistPage,
  type WorklistKey,
  type WorklistRow,
  type WorklistScope,
  type WorklistSelection,
  type WorklistStatus,
} from './worklist.repository.ts'
import type { WorklistQuery, WorklistResponse } from './worklist.schema.ts'

export interface WorklistDeps {
  db: Kysely<Database>
  calendars: CalendarService
  clock: Clock
}

type Counts = WorklistResponse['counts']
type Item = WorklistResponse['items'][number]

const QUEUE_OF_STATUS: Record<WorklistStatus, Item['queue']> = {
  submitted: 'awaiting_acceptance',
  accepted: 'in_review',
  supplement_requested: 'supplement_pending',
}

/** Where a case on the worklist is: by its status before a decision, else (an approved case) its pending change. */
const queueOf = (status: string): Item['queue'] => QUEUE_OF_STATUS[status as WorklistStatus] ?? 'change_pending'

/** Keyset: (due_at or none, case number), the worklist's order. */
const worklistCursor = keysetCursor<WorklistKey>('worklist', {
  toValues: (key) => [key.dueAt ?? 'none', key.number],
  fromValues: ([dueAt, number]) =>
    (dueAt === 'none' || cursorValues.isoInstant(dueAt)) && typeof number === 'string' && number.length > 0 && number.length <= 64
      ? { dueAt: dueAt === 'none' ? null : dueAt, number }
      : undefined,
})

/** The clock of one case now, as GET /v1/cases/{id} shows it. */
function liveClock(state: LifecycleState, calendar: WorkingDayCalendar, now: Date) {
  const view = lifecycleView(state, calendar, now)
  const clock = view.clock
  return {
    view,
    ...caseDeadlineOf(view),
    running: clock?.status === 'running',
    workingDaysRemaining: clock?.workingDaysRemaining ?? null,
    warningLevel: superviseLifecycle(state, calendar, now).warningLevel,
  }
}

function emptyCounts(): Counts {
  return { total: 0, queues: { awaiting_acceptance: 0, in_review: 0, supplement_pending: 0, change_pending: 0 }, stages: {}, dueSoon: 0, yellow: 0, red: 0, overdue: 0 }
}

function addToCounts(counts: Counts, group: { status: string; currentStage: string | null; warningLevel: string | null; dueSoon: boolean }, cases: number) {
  counts.total += cases
  counts.queues[queueOf(group.status)] += cases
  if (group.status === 'accepted' && group.currentStage !== null) counts.stages[group.currentStage] = (counts.stages[group.currentStage] ?? 0) + cases
  if (group.dueSoon) counts.dueSoon += cases
  if (group.warningLevel === 'yellow' || group.warningLevel === 'red' || group.warningLevel === 'overdue') counts[group.warningLevel] += cases
}

function presentItem(row: WorklistRow, calendar: WorkingDayCalendar, now: Date): Item {
  const live = liveClock(row.lifecycle, calendar, now)
  const current = live.view.currentStage
  const index = current === null ? -1 : row.lifecycle.stages.findIndex((stage) => stage.key === current.key)
  const queue = queueOf(row.status)
  // A change request runs on no statutory clock: the decided case's stopped clock is no deadline of the worklist.
  const deadline = queue === 'change_pending' ? { dueAt: null, dueDate: null, workingDaysRemaining: null } : live
  return {
    id: row.id,
    caseNumber: row.number,
    status: row.status,
    route: row.route,
    district: row.district,
    organization: row.organizationCode,
    queue,
    stage: current !== null && row.status === 'accepted' && index >= 0 ? { key: current.key, name: current.name, index } : null,
    dueAt: deadline.dueAt,
    dueDate: deadline.dueDate,
    workingDaysRemaining: deadline.workingDaysRemaining,
    warningLevel: live.warningLevel,
  }
}

/**
 * The office's worklist (GET /v1/worklist): the open cases that wait on the office (submitted, in review, supplement
 * pending, an approved case's change request pending), soonest deadline first, with
 * the counts of every queue under the same filters. Visibility is the case lists' rule (core/access).
 *
 * Warning levels: a case's stored level (case.warning_level) is current until its supervision_due_at, the next instant
 * its level can change, when the scheduler looks again; the cases whose instant has passed (normally a handful,
 * the scheduler runs every 30 s) are computed now from their lifecycle, so counts and queues always match
 * GET /v1/cases/{id} at `asOf`. "Due soon" and "overdue" follow from the due date and the working-day calendar.
 */
export async function worklistFor(deps: WorklistDeps, principal: Principal, query: WorklistQuery): Promise<WorklistResponse> {
  const now = deps.clock.now()
  const today = shanghaiDateOf(now)
  const after = query.cursor ? worklistCursor.decode(query.cursor) : undefined
  const calendar = await deps.calendars.calendar()
  const base = { asOf: formatShanghaiInstant(now), today, dueSoonDays: query.dueSoonDays }
  const organizationId = await resolveListOrganization(deps.db, principal, query.organization)
  if (organizationId === null) return { ...base, items: [], nextCursor: null, counts: emptyCounts() }
  const scope: WorklistScope = { jurisdictionCode: confinedJurisdictionCode(principal), organizationId, district: query.district, route: query.route }
  // remaining ≤ N ⇔ due on or before the N-th working day after today; remaining ≥ 0 ⇔ due today or later.
  const dueSoon = { from: today, to: calendar.addWorkingDays(today, query.dueSoonDays).date }

  const stale = (await listStaleWorklistCases(deps.db, scope, now)).map((row) => {
    const live = liveClock(row.lifecycle, calendar, now)
    const dueSoonNow = live.running && live.workingDaysRemaining !== null && live.workingDaysRemaining >= 0 && live.workingDaysRemaining <= query.dueSoonDays
    return { ...row, warningLevel: live.warningLevel, dueSoon: dueSoonNow }
  })

  const selection: WorklistSelection = { stage: query.stage }
  if (query.stage !== undefined) selection.status = 'accepted'
  switch (query.queue) {
    case 'awaiting_acceptance':
      selection.status = 'submitted'
      break
    case 'supplement_pending':
      selection.status = 'supplement_requested'
      break
    case 'in_review':
      selection.status = 'accepted'
      break
    case 'change_pending':
      selection.changePending = true
      break
    case 'due_soon':
      selection.dueBetween = dueSoon
      break
    case 'yellow':
    case 'red':
    case 'overdue': {
      const level = query.queue
      selection.level = { level, now, liveIds: stale.filter((row) => row.warningLevel === level).map((row) => row.id) }
      break
    }
    case undefined:
      break
  }

  const [groups, rows] = await Promise.all([countCurrentWorklistCases(deps.db, scope, now, dueSoon), listWorklistPage(deps.db, scope, selection, after, query.limit + 1)])
  const counts = emptyCounts()
  for (const group of groups) addToCounts(counts, group, group.cases)
  for (const row of stale) addToCounts(counts, row, 1)

  const page = pageOf(rows, query.limit, worklistCursor, (row) => ({ dueAt: row.dueAt?.toISOString() ?? null, number: row.number }))
  return { ...base, items: page.items.map((row) => presentItem(row, calendar, now)), nextCursor: page.nextCursor, counts }
}
