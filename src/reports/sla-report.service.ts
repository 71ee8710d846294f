import type { Kysely } from 'kysely'
import { addDays, type CivilDate, endOfShanghaiDay, formatShanghaiInstant } from '../core/calendar/civil-date.ts'
import type { Database } from '../platform/database/database.types.ts'
import type { Clock } from '../platform/clock.ts'
import { jurisdictionScopeOf, type Principal } from '../core/access/principal.ts'
import { countReasonCodes, countWarningLevels } from './supervision-report.repository.ts'
import { countOverdueOpenCases, organizationCodes, readDecidedBuckets, type SlaGroupBy } from './sla-report.repository.ts'
import { addBucket, average, emptyAccumulator, mergeAccumulators, percentileCont, rate, type DecidedAccumulator } from '../core/reports/sla-statistics.ts'

export interface SlaReportDeps {
  db: Kysely<Database>
  clock: Clock
}

export interface SlaReportQuery {
  from: CivilDate
  to: CivilDate
  groupBy: SlaGroupBy
  /** Only this jurisdiction (a key spanning several may ask; a scoped key sees its own only). */
  jurisdiction?: string | undefined
}

/** The figures of one group (or of all of them). */
export interface SlaFigures {
  casesDecided: number
  casesWithTimeLimit: number
  decidedOnTime: number
  onTimeRate: number | null
  medianWorkingDays: number | null
  p90WorkingDays: number | null
  pausedWorkingDaysTotal: number
  pausedWorkingDaysAverage: number | null
  casesWithSupplement: number
  supplementRate: number | null
  overdueOpenCases: number
}

export interface SlaReport {
  from: CivilDate
  to: CivilDate
  groupBy: SlaGroupBy
  /** The jurisdiction the figures are confined to (the key's own, or the filter); null: every jurisdiction. */
  jurisdiction: string | null
  generatedAt: string
  groups: Array<SlaFigures & { group: string }>
  totals: SlaFigures
  /** Electronic supervision in the period (docs/domain.md §5): cases that reached each level, stage overruns. */
  supervision: {
    casesReachedYellow: number
    casesReachedRed: number
    casesReachedOverdue: number
    casesWithStageOverrun: number
    stageOverruns: number
    casesWithStageYellow: number
    casesWithStageRed: number
  }
  /** Cases per coded reason given in the period (not_accept, refuse, refuse_change, revoke_filing, supplement items). */
  reasons: Array<{ action: string; code: string; listVersion: number; cases: number }>
}

function figures(decided: DecidedAccumulator, overdueOpenCases: number): SlaFigures {
  return {
    casesDecided: decided.cases,
    casesWithTimeLimit: decided.withTimeLimit,
    decidedOnTime: decided.onTime,
    onTimeRate: rate(decided.onTime, decided.withTimeLimit),
    medianWorkingDays: percentileCont(decided.histogram, 50),
    p90WorkingDays: percentileCont(decided.histogram, 90),
    pausedWorkingDaysTotal: decided.pausedWorkingDays,
    pausedWorkingDaysAverage: average(decided.pausedWorkingDays, decided.cases),
    casesWithSupplement: decided.withSupplement,
    supplementRate: rate(decided.withSupplement, decided.cases),
    overdueOpenCases,
  }
}

/** The first instant of a Shanghai date. */
const startOfShanghaiDay = (date: CivilDate) => new Date(endOfShanghaiDay(addDays(date, -1)).getTime() + 1)

/**
 * The SLA report for decision dates in [from, to] (Shanghai, inclusive), grouped one way, with totals.
 * Decided-case figures come from the maintained summary; overdue open cases are those whose pending
 * deadline fell in the same period and has passed by now (for months: the month of the deadline). Both
 * are read in one read-only snapshot, so the figures belong to one moment.
 */
export async function buildSlaReport(deps: SlaReportDeps, principal: Principal, query: SlaReportQuery): Promise<SlaReport> {
  const now = deps.clock.now()
  // Scoped exactly as case reads are (core/access): an office key, or a scoped auditor, counts its own
  // jurisdiction's cases only; asking for another counts nothing.
  const scope = jurisdictionScopeOf(principal, query.jurisdiction)
  const jurisdictionCode = scope.kind === 'one' ? scope.code : undefined
  const dueFrom = startOfShanghaiDay(query.from)
  const periodEnd = startOfShanghaiDay(addDays(query.to, 1))
  const dueBefore = now.getTime() < periodEnd.getTime() ? now : periodEnd

  const { buckets, overdue, codes, warnings, reasons } = await deps.db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      if (scope.kind === 'none') return { buckets: [], overdue: new Map<string, number>(), codes: new Map<string, string>(), warnings: [], reasons: [] }
      const buckets = await readDecidedBuckets(trx, query.groupBy, query.from, query.to, jurisdictionCode)
      const overdue = await countOverdueOpenCases(trx, query.groupBy, dueFrom, dueBefore, jurisdictionCode)
      const codes =
        query.groupBy === 'organization' ? await organizationCodes(trx, [...new Set([...buckets.map((b) => b.groupKey), ...overdue.keys()])]) : new Map<string, string>()
      const warnings = await countWarningLevels(trx, query.from, query.to, jurisdictionCode)
      const reasons = await countReasonCodes(trx, query.from, query.to, jurisdictionCode)
      return { buckets, overdue, codes, warnings, reasons }
    })
  const reached = (clock: string, level: string) => warnings.find((w) => w.clock === clock && w.level === level)
  const supervision = {
    casesReachedYellow: reached('overall', 'yellow')?.cases ?? 0,
    casesReachedRed: reached('overall', 'red')?.cases ?? 0,
    casesReachedOverdue: reached('overall', 'overdue')?.cases ?? 0,
    casesWithStageOverrun: reached('stage', 'overrun')?.cases ?? 0,
    stageOverruns: reached('stage', 'overrun')?.occurrences ?? 0,
    casesWithStageYellow: reached('stage', 'yellow')?.cases ?? 0,
    casesWithStageRed: reached('stage', 'red')?.cases ?? 0,
  }

  const decidedByGroup = new Map<string, DecidedAccumulator>()
  for (const bucket of buckets) {
    let accumulator = decidedByGroup.get(bucket.groupKey)
    if (accumulator === undefined) {
      accumulator = emptyAccumulator()
      decidedByGroup.set(bucket.groupKey, accumulator)
    }
    addBucket(accumulator, bucket)
  }
  const total = emptyAccumulator()
  let overdueTotal = 0
  const keys = new Set([...decidedByGroup.keys(), ...overdue.keys()])
  const groups = [...keys]
    .map((key) => {
      const decided = decidedByGroup.get(key) ?? emptyAccumulator()
      const overdueOpenCases = overdue.get(key) ?? 0
      // Every case belongs to exactly one group of each grouping, so the totals are the sums.
      mergeAccumulators(total, decided)
      overdueTotal += overdueOpenCases
      return { group: codes.get(key) ?? key, ...figures(decided, overdueOpenCases) }
    })
    .sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0))

  return {
    from: query.from,
    to: query.to,
    groupBy: query.groupBy,
    jurisdiction: scope.kind === 'one' ? scope.code : scope.kind === 'none' ? (query.jurisdiction ?? null) : null,
    generatedAt: formatShanghaiInstant(now),
    groups,
    totals: figures(total, overdueTotal),
    supervision,
    reasons,
  }
}
