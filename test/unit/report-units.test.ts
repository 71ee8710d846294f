import fc from 'fast-check'
import t from 'tap'
import { negotiate } from '../../src/platform/http/content-negotiation.ts'
import { attachment, csvField, csvRecord } from '../../src/core/reports/csv.ts'
import { addBucket, average, emptyAccumulator, percentileCont, rate } from '../../src/core/reports/sla-statistics.ts'

t.test('percentileCont: linear interpolation between closest ranks, like PostgreSQL percentile_cont', async (t) => {
  const hist = (values: number[]) => {
    const map = new Map<number, number>()
    for (const v of values) map.set(v, (map.get(v) ?? 0) + 1)
    return map
  }
  t.equal(percentileCont(new Map(), 50), null)
  t.equal(percentileCont(hist([5]), 90), 5)
  t.equal(percentileCont(hist([2, 2, 4]), 50), 2)
  t.equal(percentileCont(hist([2, 2, 4]), 90), 3.6, '2 + 0.8 × (4 − 2), no floating-point noise')
  t.equal(percentileCont(hist([7, 10]), 50), 8.5)
  t.equal(percentileCont(hist([2, 2, 4, 7, 10, 14, 15]), 90), 14.4)
  t.equal(percentileCont(hist([1, 2, 3, 4]), 0), 1)
  t.equal(percentileCont(hist([1, 2, 3, 4]), 100), 4)
  t.equal(percentileCont(new Map([[3, 0]]), 50), null, 'empty buckets hold nothing')
  t.throws(() => percentileCont(hist([1]), 95.5))

  // Against the textbook formula on the expanded, sorted values (exact in hundredths).
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 200 }), fc.integer({ min: 0, max: 100 }), (values, p) => {
      const sorted = [...values].sort((a, b) => a - b)
      const h = (p * (sorted.length - 1)) / 100
      const lo = Math.floor(h)
      const hi = Math.min(lo + 1, sorted.length - 1)
      const expected = (sorted[lo] as number) + (h - lo) * ((sorted[hi] as number) - (sorted[lo] as number))
      const actual = percentileCont(hist(values), p) as number
      return Math.abs(actual - expected) < 1e-9 && actual === Math.round(actual * 100) / 100
    }),
  )
})

t.test('rates and averages round, and are null over nothing', async (t) => {
  t.equal(rate(2, 3), 0.6667)
  t.equal(rate(0, 0), null)
  t.equal(rate(3, 3), 1)
  t.equal(average(6, 7), 0.86)
  t.equal(average(1, 0), null)
  const acc = emptyAccumulator()
  addBucket(acc, { workingDays: 2, cases: 3, withTimeLimit: 3, onTime: 2, withSupplement: 1, pausedWorkingDays: 4 })
  addBucket(acc, { workingDays: 2, cases: 1, withTimeLimit: 0, onTime: 0, withSupplement: 0, pausedWorkingDays: 0 })
  t.same([...acc.histogram], [[2, 4]])
  t.match(acc, { cases: 4, withTimeLimit: 3, onTime: 2, withSupplement: 1, pausedWorkingDays: 4 })
})

t.test('CSV fields follow RFC 4180 and defuse spreadsheet formulas', async (t) => {
  t.equal(csvField(null), '')
  t.equal(csvField(undefined), '')
  t.equal(csvField(0), '0')
  t.equal(csvField(-3.5), '-3.5', 'numbers stay numbers')
  t.equal(csvField(true), 'true')
  t.equal(csvField('Longwen'), 'Longwen')
  t.equal(csvField('芗城区'), '芗城区')
  t.equal(csvField('a,b'), '"a,b"')
  t.equal(csvField('say "hi"'), '"say ""hi"""')
  t.equal(csvField('two\nlines'), '"two\nlines"')
  t.equal(csvField('cr\r'), '"cr\r"')
  t.equal(csvField('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`)
  t.equal(csvField('+1'), `"'+1"`)
  t.equal(csvField('-2'), `"'-2"`)
  t.equal(csvField('@SUM(A1)'), `"'@SUM(A1)"`)
  // Spreadsheets that split on ";" (European and Chinese locales) or TAB must not find a second cell starting with "=".
  t.equal(csvField('Shuixian Avenue;=cmd|"/c calc"!A1'), '"Shuixian Avenue;=cmd|""/c calc""!A1"')
  t.equal(csvField('a\t=1'), '"a\t=1"')
  t.equal(csvField('\t=1'), `"'\t=1"`)
  t.equal(csvField('\r=1'), `"'\r=1"`)
  t.equal(csvField('a;b'), '"a;b"')
  t.throws(() => csvField(Number.NaN))
  t.equal(csvRecord(['a', 1, null, 'b,c']), 'a,1,,"b,c"\r\n')
  t.equal(attachment('sla report "x".csv'), 'attachment; filename="sla_report__x_.csv"')
})

t.test('content negotiation picks the preferred offer, JSON by default', async (t) => {
  const offers = ['application/json', 'text/csv'] as const
  const pick = (accept: string | undefined) => negotiate(accept, [...offers] as ['application/json', 'text/csv'])
  t.equal(pick(undefined), 'application/json')
  t.equal(pick(''), 'application/json')
  t.equal(pick('*/*'), 'application/json')
  t.equal(pick('text/csv'), 'text/csv')
  t.equal(pick('TEXT/CSV; charset=utf-8'), 'text/csv')
  t.equal(pick('text/*'), 'text/csv')
  t.equal(pick('application/json, text/csv'), 'application/json', 'a tie goes to the first offer')
  t.equal(pick('text/csv, application/json;q=0.9'), 'text/csv')
  t.equal(pick('text/csv;q=0.5, */*;q=0.8'), 'application/json')
  t.equal(pick('text/csv;q=0, */*'), 'application/json')
  t.equal(pick('image/png'), 'application/json', 'nothing acceptable: the default rather than 406')
  t.equal(pick('garbage'), 'application/json')
})
