/**
 * The arithmetic of the SLA report (pure): groups of decided cases are merged from summary rows that
 * each hold a count of cases for one whole number of working days, so medians and percentiles are exact
 * without reading a single case.
 *
 * Percentiles are those of PostgreSQL's percentile_cont and Excel's PERCENTILE.INC (linear interpolation
 * between closest ranks): with the n values sorted v[0] <= … <= v[n-1], the p-th percentile sits at
 * position h = p/100 · (n − 1) and is v[⌊h⌋] + (h − ⌊h⌋) · (v[⌊h⌋+1] − v[⌊h⌋]). An auditor can reproduce
 * it from the per-case export with either tool. It is computed in integer hundredths, so a value such as
 * 3.6 comes out as 3.6, not 3.5999999999999996.
 */

/** What the summary holds for one group, one number of working days. */
export interface SummaryBucket {
  workingDays: number
  cases: number
  withTimeLimit: number
  onTime: number
  withSupplement: number
  pausedWorkingDays: number
}

/** A group's decided-case figures, accumulated from its buckets. */
export interface DecidedAccumulator {
  /** working days → number of cases */
  histogram: Map<number, number>
  cases: number
  withTimeLimit: number
  onTime: number
  withSupplement: number
  pausedWorkingDays: number
}

export function emptyAccumulator(): DecidedAccumulator {
  return { histogram: new Map(), cases: 0, withTimeLimit: 0, onTime: 0, withSupplement: 0, pausedWorkingDays: 0 }
}

export function addBucket(into: DecidedAccumulator, bucket: SummaryBucket): void {
  into.histogram.set(bucket.workingDays, (into.histogram.get(bucket.workingDays) ?? 0) + bucket.cases)
  into.cases += bucket.cases
  into.withTimeLimit += bucket.withTimeLimit
  into.onTime += bucket.onTime
  into.withSupplement += bucket.withSupplement
  into.pausedWorkingDays += bucket.pausedWorkingDays
}

export function mergeAccumulators(into: DecidedAccumulator, from: DecidedAccumulator): void {
  for (const [days, count] of from.histogram) into.histogram.set(days, (into.histogram.get(days) ?? 0) + count)
  into.cases += from.cases
  into.withTimeLimit += from.withTimeLimit
  into.onTime += from.onTime
  into.withSupplement += from.withSupplement
  into.pausedWorkingDays += from.pausedWorkingDays
}

/**
 * The `percent`-th percentile (a whole number 0..100) of the values a histogram describes, by linear
 * interpolation (percentile_cont); null when it describes no value.
 */
export function percentileCont(histogram: ReadonlyMap<number, number>, percent: number): number | null {
  if (!Number.isInteger(percent) || percent < 0 || percent > 100) throw new RangeError(`percent must be a whole number 0..100, got ${percent}`)
  const buckets = [...histogram].filter(([, count]) => count > 0).sort((a, b) => a[0] - b[0])
  const n = buckets.reduce((sum, [, count]) => sum + count, 0)
  if (n === 0) return null
  const position = percent * (n - 1) // in hundredths of a rank
  const lowerRank = Math.floor(position / 100)
  const fraction = position % 100
  const valueAt = (rank: number): number => {
    let seen = 0
    for (const [value, count] of buckets) {
      seen += count
      if (rank < seen) return value
    }
    return (buckets[buckets.length - 1] as [number, number])[0]
  }
  const lower = valueAt(lowerRank)
  if (fraction === 0) return lower
  const upper = valueAt(lowerRank + 1)
  return (100 * lower + fraction * (upper - lower)) / 100
}

/** A ratio rounded to 4 decimals (0.6667), or null when nothing was counted. */
export function rate(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : Math.round((numerator / denominator) * 10_000) / 10_000
}

/** An average in days rounded to 2 decimals, or null when nothing was counted. */
export function average(total: number, count: number): number | null {
  return count === 0 ? null : Math.round((total / count) * 100) / 100
}
