import { setImmediate } from 'node:timers/promises'
import type { Kysely } from 'kysely'
import type { CivilDate } from '../core/calendar/civil-date.ts'
import type { WorkingDayCalendar } from '../core/calendar/working-day-calendar.ts'
import type { Database } from '../platform/database/database.types.ts'
import type { LifecycleState } from '../core/lifecycle/lifecycle.types.ts'
import { buildTimeline, type TimelinePhase } from '../core/lifecycle/timeline.ts'
import { csvRecord } from '../core/reports/csv.ts'
import { csvHeaders } from '../core/reports/csv-headers.ts'
import type { Locale } from '../core/i18n/locale.ts'
import { listDecidedCases, type DecidedCaseRow } from './sla-report.repository.ts'

/**
 * The per-case timeline export: one CSV row per phase of the timeline of every case decided in the
 * period (decision date as in the SLA report), cases in decision-date order. Each case's rows are its
 * GET /v1/cases/{id}/timeline phases, computed by the same function with the same calendar and instant,
 * so the export agrees with the timelines; the `review` row of each case carries the figures the SLA
 * report counts (working days taken, on time, paused working days).
 */
const TIMELINE_CSV_COLUMNS = [
  'case_id',
  'case_number',
  'organization',
  'route',
  'district',
  'case_status',
  'decision_date',
  'phase_key',
  'phase_kind',
  'phase_name',
  'phase_start',
  'phase_end',
  'phase_start_date',
  'phase_end_date',
  'working_days_taken',
  'hours_taken',
  'limit_amount',
  'limit_unit',
  'due_date',
  'on_time',
  'overdue',
  'outcome',
  'paused_intervals',
  'paused_working_days',
  'provisional',
] as const

function phaseRecord(row: DecidedCaseRow, phase: TimelinePhase): string {
  return csvRecord([
    row.id,
    row.number,
    row.organizationCode,
    row.route,
    row.district,
    row.status,
    row.decidedOn,
    phase.key,
    phase.kind,
    phase.name,
    phase.start,
    phase.end,
    phase.startDate,
    phase.endDate,
    phase.workingDaysTaken,
    phase.hoursTaken ?? null,
    phase.limit?.amount ?? null,
    phase.limit?.unit ?? null,
    phase.dueDate,
    phase.onTime,
    phase.overdue,
    phase.outcome,
    phase.pausedIntervals.length,
    phase.pausedIntervals.reduce((sum, interval) => sum + interval.workingDays, 0),
    phase.provisional,
  ])
}

export interface TimelineExportOptions {
  db: Kysely<Database>
  calendar: WorkingDayCalendar
  now: Date
  from: CivilDate
  to: CivilDate
  /** Named in the error marker, so that a client can quote it. */
  requestId: string
  /** The language of the header row (the columns and cells are the same); default en. */
  locale?: Locale
  /** Told about every case left out and about a failure that ends the export early. */
  onError: (error: unknown, caseId: string | null) => void
  /** The principal's jurisdiction when it is confined to one (core/access: confinedJurisdictionCode). */
  jurisdictionCode?: string | undefined
  /** Cases per keyset page: small enough that building one page's timelines never blocks the event loop for long. */
  pageSize?: number
}

/**
 * The first field of the error marker. The status line and headers are gone by the time a stream fails,
 * so the body says it: the export then ends with one record `#error,<requestId>,<message>` (RFC 4180
 * quoting), and a client that finds it knows the rows before it are not the whole export. No case field
 * starts with '#': the first column is a case UUID.
 */
const EXPORT_ERROR_MARKER = '#error'

function errorMarker(requestId: string, message: string): string {
  return csvRecord([EXPORT_ERROR_MARKER, requestId, message])
}

/** One case's rows; a case whose timeline cannot be built gives none (it is reported in the marker). */
function caseRows(row: DecidedCaseRow, options: TimelineExportOptions): string | null {
  try {
    const timeline = buildTimeline(row.lifecycle as LifecycleState, options.calendar, options.now)
    let rows = ''
    for (const phase of timeline.phases) rows += phaseRecord(row, phase)
    return rows
  } catch (error) {
    options.onError(error, row.id)
    return null
  }
}

/** Timelines built between two turns of the event loop (a few milliseconds of work). */
const CASES_PER_CHUNK = 20

/**
 * The export as a stream of CSV chunks (header first, then one chunk per few cases). Pages are read
 * by keyset on (decision date, id) as the consumer pulls, so memory holds one page whatever the period;
 * if the client goes away, the stream is destroyed and no further page is read.
 *
 * It never throws after the header: a case whose timeline cannot be built is left out and the others
 * follow, and a failure that stops the export (the database gone) ends it; either way the last record is
 * the error marker (EXPORT_ERROR_MARKER), and the stream then ends normally.
 */
export async function* timelineCsvChunks(options: TimelineExportOptions): AsyncGenerator<string> {
  const pageSize = options.pageSize ?? 200
  yield csvRecord(csvHeaders(TIMELINE_CSV_COLUMNS, options.locale ?? 'en'))
  const skipped: string[] = []
  let after: { decidedOn: CivilDate; id: string } | null = null
  for (;;) {
    let rows: DecidedCaseRow[]
    try {
      rows = await listDecidedCases(options.db, { from: options.from, to: options.to }, after, pageSize, options.jurisdictionCode)
    } catch (error) {
      options.onError(error, null)
      const missing = skipped.length === 0 ? '' : `; the timelines of ${skipped.length} case(s) could not be computed: ${skipped.join(' ')}`
      yield errorMarker(options.requestId, `the export stopped early: the cases could not be read${missing}; the rows above are incomplete, retry`)
      return
    }
    for (let start = 0; start < rows.length; start += CASES_PER_CHUNK) {
      let chunk = ''
      for (const row of rows.slice(start, start + CASES_PER_CHUNK)) {
        const rowsOfCase = caseRows(row, options)
        if (rowsOfCase === null) skipped.push(row.id)
        else chunk += rowsOfCase
      }
      if (chunk !== '') yield chunk
      // Building timelines is CPU work: give other requests a turn between chunks of a long export.
      await setImmediate()
    }
    if (rows.length < pageSize) break
    const last = rows[rows.length - 1] as DecidedCaseRow
    after = { decidedOn: last.decidedOn, id: last.id }
  }
  if (skipped.length > 0) {
    yield errorMarker(options.requestId, `the timelines of ${skipped.length} case(s) could not be computed and are missing: ${skipped.join(' ')}`)
  }
}
