import t from 'tap'
import { DEFAULT_GEOGRAPHY } from '../../../src/core/rules/geography.ts'
import { checkLength } from '../../../src/core/rules/length-check.ts'
import { anniversary, protectedUntil, protectionOn, protectionsOf } from '../../../src/core/rules/protection-period.ts'
import type { ProtectionPeriod } from '../../../src/core/rules/rule-set.schema.ts'

const periods = DEFAULT_GEOGRAPHY.protectionPeriods

t.test('anniversaries: the corresponding day, 29 February → 28 February in a common year (民法典 art. 202)', async (t) => {
  const table: Array<[string, number, string]> = [
    ['2021-06-01', 5, '2026-06-01'],
    ['2024-02-29', 3, '2027-02-28'],
    ['2024-02-29', 4, '2028-02-29'],
    ['2020-02-29', 5, '2025-02-28'],
    ['2096-02-29', 4, '2100-02-28'],
    ['2021-12-31', 5, '2026-12-31'],
  ]
  for (const [date, years, expected] of table) t.equal(anniversary(date, years), expected, `${date} + ${years} years`)
})

t.test('protected from the register date through the anniversary; free the day after', async (t) => {
  const table: Array<[string, Record<string, string>, string, string | undefined]> = [
    ['built: the day it is put into use', { builtOn: '2021-06-01' }, '2021-06-01', 'new_or_reconstructed'],
    ['built: the day before', { builtOn: '2021-06-01' }, '2021-05-31', undefined],
    ['built: exactly 5 years, the anniversary', { builtOn: '2021-06-01' }, '2026-06-01', 'new_or_reconstructed'],
    ['built: 5 years and a day', { builtOn: '2021-06-01' }, '2026-06-02', undefined],
    ['overhauled on 29 February: the last day is 28 February', { overhauledOn: '2024-02-29' }, '2027-02-28', 'overhauled'],
    ['overhauled on 29 February: 1 March is free', { overhauledOn: '2024-02-29' }, '2027-03-01', undefined],
    ['a reconstruction restarts the 5 years', { builtOn: '2001-01-01', reconstructedOn: '2023-03-15' }, '2028-03-15', 'new_or_reconstructed'],
    ['an overhaul 3 years inside the 5', { builtOn: '2022-01-10', overhauledOn: '2023-05-01' }, '2026-12-01', 'new_or_reconstructed'],
    ['the overhaul outlasts the construction', { builtOn: '2020-01-10', overhauledOn: '2024-05-01' }, '2026-12-01', 'overhauled'],
    ['no dates: never protected', {}, '2026-12-01', undefined],
  ]
  for (const [label, road, date, period] of table) {
    t.equal(protectionOn(protectionsOf(road, periods), date)?.period, period, label)
  }
  t.equal(protectedUntil(protectionsOf({ builtOn: '2020-01-10', overhauledOn: '2024-05-01' }, periods)), '2027-05-01')
  t.equal(protectedUntil(protectionsOf({}, periods)), null)
})

t.test("a rule set reading 'within 5 years' as excluding the anniversary", async (t) => {
  const strict: ProtectionPeriod[] = periods.map((p) => ({ ...p, lastDay: 'day_before_anniversary' }))
  t.equal(protectedUntil(protectionsOf({ builtOn: '2021-06-01' }, strict)), '2026-05-31')
  t.equal(protectionOn(protectionsOf({ builtOn: '2021-06-01' }, strict), '2026-06-01'), undefined, 'free on the anniversary')
  t.equal(protectedUntil(protectionsOf({ overhauledOn: '2024-02-29' }, strict)), '2027-02-27')
})

t.test('length check: centimetres, tolerance max(2 m, 5 %) edges included, the larger decides', async (t) => {
  const tolerance = DEFAULT_GEOGRAPHY.lengthTolerance
  const table: Array<[number, number, boolean, 'declared' | 'measured', number]> = [
    [100, 105, true, 'measured', 105],
    [100, 105.01, false, 'measured', 105.01],
    [100, 94.99, false, 'declared', 100],
    [20, 22, true, 'measured', 22],
    [20, 17.99, false, 'declared', 20],
    [40, 42, true, 'measured', 42],
    [40.01, 42.02, false, 'measured', 42.02],
    [50, 49.994, true, 'declared', 50],
    [49.99, 49.995, true, 'measured', 50],
    [30, 30, true, 'declared', 30],
  ]
  for (const [declared, measured, within, decidedBy, deciding] of table) {
    const check = checkLength(declared, measured, tolerance)
    t.same([check.withinTolerance, check.decidedBy, check.decidingMeters], [within, decidedBy, deciding], `declared ${declared}, measured ${measured}`)
  }
  t.same(checkLength(100, 105.004, tolerance).measuredMeters, 105, 'rounded to the centimetre')
})
