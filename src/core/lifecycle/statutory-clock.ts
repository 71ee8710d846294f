/**
 * The statutory clock as pure functions of its ledger and the working-day calendar (docs/domain.md §3).
 *
 * - Acceptance starts it. The day of acceptance is not counted (民法典 art. 201): the due date is the
 *   N-th working day after the acceptance date, and the case is due by the end of that Shanghai day.
 * - A supplement request (补正) pauses it, the applicant's answer resumes it (行政许可法 art. 45: time the
 *   applicant or third parties take is not counted). Working days d with pauseDate < d <= resumeDate are not
 *   counted: the pause day itself was used, the resume day is not counted (it is the new start, art. 201).
 * - An extension raises the limit (行政许可法 art. 42: 20 working days, once + 10 with the head's approval).
 * - A decision or withdrawal stops it.
 *
 * Every derived number (days used and remaining, due dates, `provisional`) is recomputed from the
 * ledger's instants and a calendar, never accumulated: loading next year's holiday schedule and calling
 * recomputeClock turns provisional deadlines into final ones.
 *
 * workingDaysRemaining is not clamped: below zero it is the number of working days overrun. `overdue` is
 * the separate, explicit flag (it can be true with 0 remaining when the due date was a Friday and today is
 * Saturday).
 */
import { type CivilDate, compareCivilDates, endOfShanghaiDay, formatShanghaiInstant, parseInstant, shanghaiDateOf } from '../calendar/civil-date.ts'
import type { WorkingDayCalendar } from '../calendar/working-day-calendar.ts'
import type { Actor, ClockEntryKind, ClockLedgerEntry, ClockStatus, FormalitiesRecord, StatutoryClock } from './lifecycle.types.ts'
import { HOUR_MS } from '../time.ts'

/** Thrown for a ledger operation that makes no sense (resume a running clock, time going backwards, …). */
export class ClockError extends Error {
  override name = 'ClockError'
}

/** A span of civil dates in which working days are not counted: from < d <= to (to null: still open). */
export interface PauseSpan {
  from: CivilDate
  to: CivilDate | null
}

/** A closed or open paused interval of a clock, with its ledger facts. */
export interface PausedInterval {
  from: string
  fromDate: CivilDate
  /** The resume (or stop) instant; null while still paused. */
  to: string | null
  toDate: CivilDate | null
  reason: string
  pausedBy: Actor
  resumeReason: string | null
  resumedBy: Actor | null
  /** The interval ended by a stop (withdrawn while paused) rather than a resume. */
  endedByStop: boolean
}

export interface ClockView {
  status: ClockStatus
  startedOn: CivilDate
  dueDate: CivilDate | null
  /** End of the due date in Shanghai, e.g. "2026-02-14T23:59:59.999+08:00". */
  dueAt: string | null
  paused: boolean
  pausedSince: string | null
  stopped: boolean
  stoppedOn: CivilDate | null
  /** Working days used up to `now` (or up to the pause / stop), the current day included. */
  workingDaysUsed: number
  /** Not clamped: negative when the case has overrun its limit; null with no limit. */
  workingDaysRemaining: number | null
  /** Open (not stopped, not paused) and `now` is after the end of the due date in Shanghai. */
  overdue: boolean
  /** For a stopped clock: stopped after its due date (null when no limit or stopped while paused). */
  stoppedLate: boolean | null
  provisional: boolean
  limitWorkingDays: number | null
  extended: boolean
  calendarFingerprint: string
}

function toInstantString(at: Date | string): string {
  if (typeof at === 'string') {
    const parsed = parseInstant(at)
    if (parsed === null) throw new ClockError(`"${at}" is not an ISO instant with an offset`)
    return formatShanghaiInstant(parsed)
  }
  return formatShanghaiInstant(at)
}

function instantOf(at: string): Date {
  const parsed = parseInstant(at)
  if (parsed === null) throw new ClockError(`ledger instant "${at}" is not an ISO instant with an offset`)
  return parsed
}

const later = (a: CivilDate, b: CivilDate): CivilDate => (compareCivilDates(a, b) >= 0 ? a : b)
const earlier = (a: CivilDate, b: CivilDate): CivilDate => (compareCivilDates(a, b) <= 0 ? a : b)

// ---------------------------------------------------------------------------------------------------
// Working-day arithmetic with pauses
// ---------------------------------------------------------------------------------------------------

/**
 * Working days d with from < d <= to that are not inside a pause (p.from < d <= p.to). Used for the clock,
 * the stages and the timeline so that all of them count the same way.
 */
export function countActiveWorkingDays(calendar: WorkingDayCalendar, from: CivilDate, to: CivilDate, pauses: readonly PauseSpan[]): { count: number; provisional: boolean } {
  if (compareCivilDates(to, from) <= 0) return { count: 0, provisional: false }
  const total = calendar.countWorkingDays(from, to)
  let count = total.count
  let provisional = total.provisional
  for (const pause of pauses) {
    const lo = later(pause.from, from)
    const hi = pause.to === null ? to : earlier(pause.to, to)
    if (compareCivilDates(hi, lo) <= 0) continue
    const paused = calendar.countWorkingDays(lo, hi)
    count -= paused.count
    provisional ||= paused.provisional
  }
  return { count, provisional }
}

/**
 * The n-th working day after `from` that is not inside a pause; null when an open pause comes first (the
 * date is not known until it ends). `pauses` must be in time order and not overlap. n = 0 gives `from`.
 */
export function addActiveWorkingDays(calendar: WorkingDayCalendar, from: CivilDate, n: number, pauses: readonly PauseSpan[]): { date: CivilDate | null; provisional: boolean } {
  if (n === 0) return { date: from, provisional: false }
  let anchor = from
  let remaining = n
  let provisional = false
  for (const pause of pauses) {
    if (pause.to !== null && compareCivilDates(pause.to, anchor) <= 0) continue // over before the anchor
    if (compareCivilDates(pause.from, anchor) > 0) {
      const before = calendar.countWorkingDays(anchor, pause.from)
      provisional ||= before.provisional
      if (remaining <= before.count) {
        const result = calendar.addWorkingDays(anchor, remaining)
        return { date: result.date, provisional: provisional || result.provisional }
      }
      remaining -= before.count
    }
    if (pause.to === null) return { date: null, provisional }
    anchor = pause.to
  }
  const result = calendar.addWorkingDays(anchor, remaining)
  return { date: result.date, provisional: provisional || result.provisional }
}

// ---------------------------------------------------------------------------------------------------
// Ledger derivation
// ---------------------------------------------------------------------------------------------------

/** The facts of a ledger entry; everything else is derived. */
type LedgerFacts = Pick<ClockLedgerEntry, 'kind' | 'at' | 'reason' | 'actor' | 'limitWorkingDays'>

/** Paused spans (as dates) of a ledger: a pause ends at the next resume or stop, or is still open. */
export function pauseSpans(ledger: readonly Pick<ClockLedgerEntry, 'kind' | 'date'>[]): PauseSpan[] {
  const spans: PauseSpan[] = []
  let open: CivilDate | null = null
  for (const entry of ledger) {
    if (entry.kind === 'pause') open = entry.date
    else if ((entry.kind === 'resume' || entry.kind === 'stop') && open !== null) {
      spans.push({ from: open, to: entry.date })
      open = null
    }
  }
  if (open !== null) spans.push({ from: open, to: null })
  return spans
}

/** Paused intervals of a clock with their reasons and actors (for the timeline and auditors). */
export function pausedIntervals(clock: StatutoryClock): PausedInterval[] {
  const intervals: PausedInterval[] = []
  let open: PausedInterval | null = null
  for (const entry of clock.ledger) {
    if (entry.kind === 'pause') {
      open = {
        from: entry.at,
        fromDate: entry.date,
        to: null,
        toDate: null,
        reason: entry.reason,
        pausedBy: entry.actor,
        resumeReason: null,
        resumedBy: null,
        endedByStop: false,
      }
      intervals.push(open)
    } else if ((entry.kind === 'resume' || entry.kind === 'stop') && open !== null) {
      open.to = entry.at
      open.toDate = entry.date
      open.resumeReason = entry.reason
      open.resumedBy = entry.actor
      open.endedByStop = entry.kind === 'stop'
      open = null
    }
  }
  return intervals
}

function statusAfter(kind: ClockEntryKind, previous: ClockStatus | null): ClockStatus {
  switch (kind) {
    case 'start':
    case 'resume':
      return 'running'
    case 'pause':
      return 'paused'
    case 'stop':
      return 'stopped'
    case 'extend':
      return previous ?? 'running'
  }
}

/** Checks the sequence of kinds and instants; throws ClockError on the first problem. */
function checkLedger(ledger: readonly LedgerFacts[]): void {
  let status: ClockStatus | null = null
  let lastDate: CivilDate | null = null
  let limit: number | null = null
  ledger.forEach((entry, index) => {
    // Entries are ordered by their position; only their Shanghai dates enter the arithmetic, so only a date
    // going backwards is refused. A few milliseconds of clock skew between two servers within one day is
    // harmless and must not make a legitimate transition fail.
    const date = shanghaiDateOf(instantOf(entry.at))
    if (lastDate !== null && compareCivilDates(date, lastDate) < 0) {
      throw new ClockError(`ledger entry ${index} (${entry.kind}) on ${date} is dated before the entry before it (${lastDate})`)
    }
    lastDate = date
    const allowed =
      entry.kind === 'start'
        ? status === null
        : entry.kind === 'pause'
          ? status === 'running'
          : entry.kind === 'resume'
            ? status === 'paused'
            : status === 'running' || status === 'paused'
    if (!allowed) {
      throw new ClockError(status === null ? `the clock must start before it can ${entry.kind}` : `cannot ${entry.kind} a clock that is ${status}`)
    }
    if (entry.kind === 'start') {
      if (entry.limitWorkingDays !== null && (!Number.isSafeInteger(entry.limitWorkingDays) || entry.limitWorkingDays < 0)) {
        throw new ClockError(`the limit must be a non-negative whole number of working days, got ${entry.limitWorkingDays}`)
      }
      limit = entry.limitWorkingDays
    }
    if (entry.kind === 'extend') {
      if (limit === null) throw new ClockError('a clock without a time limit cannot be extended')
      if (entry.limitWorkingDays === null || !Number.isSafeInteger(entry.limitWorkingDays) || entry.limitWorkingDays <= limit) {
        throw new ClockError('an extension must raise the limit by a whole number of working days')
      }
      limit = entry.limitWorkingDays
    }
    status = statusAfter(entry.kind, status)
  })
}

/**
 * Rebuilds a clock from the facts of its ledger: every entry's date, counts and due date, and the
 * summary fields. The ledger must be in time order.
 */
function deriveClock(facts: readonly LedgerFacts[], calendar: WorkingDayCalendar): StatutoryClock {
  if (facts.length === 0 || facts[0]?.kind !== 'start') throw new ClockError('a clock ledger begins with a start entry')
  checkLedger(facts)
  const startedOn = shanghaiDateOf(instantOf(facts[0].at))
  const ledger: ClockLedgerEntry[] = []
  let status: ClockStatus | null = null
  let limit: number | null = null
  for (const fact of facts) {
    const date = shanghaiDateOf(instantOf(fact.at))
    if (fact.kind === 'start' || fact.kind === 'extend') limit = fact.limitWorkingDays
    const wasRunning = status === 'running'
    status = statusAfter(fact.kind, status)
    // The prefix up to and including this entry: an open pause ends "now" for the count.
    const prefix = [...ledger, { kind: fact.kind, date }]
    const spans = pauseSpans(prefix)
    const used = countActiveWorkingDays(calendar, startedOn, date, spans)
    let dueDate: CivilDate | null = null
    let provisional = used.provisional
    const dueKnown = limit !== null && (status === 'running' || (fact.kind === 'stop' && wasRunning))
    if (dueKnown) {
      const due = addActiveWorkingDays(calendar, startedOn, limit as number, spans)
      dueDate = due.date
      provisional ||= due.provisional
    }
    ledger.push({
      kind: fact.kind,
      at: fact.at,
      date,
      reason: fact.reason,
      actor: { keyId: fact.actor.keyId, role: fact.actor.role },
      limitWorkingDays: limit,
      workingDaysUsed: used.count,
      workingDaysRemaining: limit === null ? null : limit - used.count,
      dueDate,
      provisional,
    })
  }
  const last = ledger[ledger.length - 1] as ClockLedgerEntry
  return {
    ledger,
    status: status as ClockStatus,
    startedOn,
    limitWorkingDays: limit,
    dueDate: last.dueDate,
    provisional: last.provisional,
    calendarFingerprint: calendar.fingerprint(),
  }
}

function append(
  clock: StatutoryClock,
  calendar: WorkingDayCalendar,
  kind: ClockEntryKind,
  at: Date,
  actor: Actor,
  reason: string,
  limitWorkingDays: number | null,
): StatutoryClock {
  const facts: LedgerFacts[] = clock.ledger.map(({ kind, at, reason, actor, limitWorkingDays }) => ({ kind, at, reason, actor, limitWorkingDays }))
  facts.push({ kind, at: toInstantString(at), reason, actor, limitWorkingDays })
  return deriveClock(facts, calendar)
}

/** The last ledger entry (every clock has at least its start). */
export function lastEntry(clock: StatutoryClock): ClockLedgerEntry {
  return clock.ledger[clock.ledger.length - 1] as ClockLedgerEntry
}

/**
 * Starts the clock at acceptance. `limitWorkingDays` null: a route with no promised limit, whose elapsed
 * working days and pauses are still tracked. (The calendar is needed to compute the first due date.)
 */
export function startClock(limitWorkingDays: number | null, calendar: WorkingDayCalendar, at: Date, actor: Actor, reason: string): StatutoryClock {
  return deriveClock([{ kind: 'start', at: toInstantString(at), reason, actor, limitWorkingDays }], calendar)
}

/** Pauses a running clock (补正 requested). */
export function pauseClock(clock: StatutoryClock, calendar: WorkingDayCalendar, at: Date, actor: Actor, reason: string): StatutoryClock {
  return append(clock, calendar, 'pause', at, actor, reason, clock.limitWorkingDays)
}

/** Resumes a paused clock with the working days that were left; the resume day is not counted. */
export function resumeClock(clock: StatutoryClock, calendar: WorkingDayCalendar, at: Date, actor: Actor, reason: string): StatutoryClock {
  return append(clock, calendar, 'resume', at, actor, reason, clock.limitWorkingDays)
}

/** Adds `days` working days to the limit (行政许可法 art. 42). Once-only is the state machine's rule. */
export function extendClock(clock: StatutoryClock, calendar: WorkingDayCalendar, days: number, at: Date, actor: Actor, reason: string): StatutoryClock {
  if (!Number.isSafeInteger(days) || days <= 0) throw new ClockError(`an extension must be a positive whole number of working days, got ${days}`)
  if (clock.limitWorkingDays === null) throw new ClockError('a clock without a time limit cannot be extended')
  return append(clock, calendar, 'extend', at, actor, reason, clock.limitWorkingDays + days)
}

/** Stops the clock for good (decision made, permit issued, withdrawn). */
export function stopClock(clock: StatutoryClock, calendar: WorkingDayCalendar, at: Date, actor: Actor, reason: string): StatutoryClock {
  return append(clock, calendar, 'stop', at, actor, reason, clock.limitWorkingDays)
}

/** The same clock with every derived field recomputed from the ledger's facts with `calendar`. */
export function recomputeClock(clock: StatutoryClock, calendar: WorkingDayCalendar): StatutoryClock {
  return deriveClock(
    clock.ledger.map(({ kind, at, reason, actor, limitWorkingDays }) => ({ kind, at, reason, actor, limitWorkingDays })),
    calendar,
  )
}

/** End of a due date in Shanghai as an ISO instant with offset. */
export function dueAtOf(dueDate: CivilDate): string {
  return formatShanghaiInstant(endOfShanghaiDay(dueDate))
}

/**
 * The clock as seen at `now`: derived again from the ledger with `calendar`, so it is right even if the
 * stored derived fields came from an older calendar.
 */
export function clockView(clock: StatutoryClock, calendar: WorkingDayCalendar, now: Date): ClockView {
  const current = recomputeClock(clock, calendar)
  const last = lastEntry(current)
  const limit = current.limitWorkingDays
  let used = last.workingDaysUsed
  let provisional = current.provisional
  let overdue = false
  if (current.status === 'running') {
    // Days used so far, today included; `now` before the last entry's day (a clock in the future) uses
    // the last entry's count.
    const today = shanghaiDateOf(now)
    if (compareCivilDates(today, last.date) > 0) {
      const counted = countActiveWorkingDays(calendar, current.startedOn, today, pauseSpans(current.ledger))
      used = counted.count
      provisional ||= counted.provisional
    }
    overdue = current.dueDate !== null && compareCivilDates(today, current.dueDate) > 0
  }
  const stopped = current.status === 'stopped'
  const stoppedLate = stopped && last.dueDate !== null ? compareCivilDates(last.date, last.dueDate) > 0 : null
  const pause = current.status === 'paused' ? (current.ledger.findLast((e) => e.kind === 'pause') ?? null) : null
  return {
    status: current.status,
    startedOn: current.startedOn,
    dueDate: current.dueDate,
    dueAt: current.dueDate === null ? null : dueAtOf(current.dueDate),
    paused: current.status === 'paused',
    pausedSince: pause === null ? null : pause.at,
    stopped,
    stoppedOn: stopped ? last.date : null,
    workingDaysUsed: used,
    workingDaysRemaining: limit === null ? null : limit - used,
    overdue,
    stoppedLate,
    provisional,
    limitWorkingDays: limit,
    extended: current.ledger.some((e) => e.kind === 'extend'),
    calendarFingerprint: current.calendarFingerprint,
  }
}

// ---------------------------------------------------------------------------------------------------
// Emergency formalities: clock hours, not working days
// ---------------------------------------------------------------------------------------------------

/**
 * emergency_repair: dig first, notify at once, complete the approval formalities within 24 hours
 * (城市道路管理条例 art. 34). Hours run round the clock, holidays included.
 */
export function formalitiesDueAt(notifiedAt: Date, hours: number): string {
  return formatShanghaiInstant(new Date(notifiedAt.getTime() + hours * HOUR_MS))
}

export interface FormalitiesView {
  notifiedAt: string
  dueAt: string
  completedAt: string | null
  /** Not completed and `now` is after dueAt. Reported, never a transition. */
  overdue: boolean
  /** Completed after dueAt (null while not completed). */
  completedLate: boolean | null
  /** Whole and partial hours left until dueAt; negative once overdue; null when completed. */
  hoursRemaining: number | null
}

export function formalitiesView(formalities: FormalitiesRecord, now: Date): FormalitiesView {
  const due = instantOf(formalities.dueAt).getTime()
  const completed = formalities.completedAt === null ? null : instantOf(formalities.completedAt).getTime()
  return {
    notifiedAt: formalities.notifiedAt,
    dueAt: formalities.dueAt,
    completedAt: formalities.completedAt,
    overdue: completed === null && now.getTime() > due,
    completedLate: completed === null ? null : completed > due,
    hoursRemaining: completed === null ? Math.round(((due - now.getTime()) / HOUR_MS) * 100) / 100 : null,
  }
}
