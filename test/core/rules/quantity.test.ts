import t from 'tap'
import { excavationLengthMetersSchema, hundredthsOf, isExactMetres, voltageVoltsSchema } from '../../../src/core/rules/quantity.schema.ts'
import { isExactQuantity, toComparable } from '../../../src/core/rules/rule-set.schema.ts'

t.test('metres with at most two decimals are decided exactly, on integer hundredths', async (t) => {
  const table: Array<[number, number | null, string]> = [
    [50, 5000, 'a whole number'],
    [49.99, 4999, 'two decimals (49.99 * 100 is 4998.999… as a double)'],
    [0.01, 1, 'the smallest length'],
    [0.3, 30, '0.3'],
    [200.01, 20001, '200.01'],
    [99999.99, 9999999, 'near the bound'],
    [0.1 + 0.2, null, '0.1 + 0.2 = 0.30000000000000004'],
    [49.99000000000001, null, 'a double next to 49.99'],
    [50.000001, null, 'six decimals'],
    [10.001, null, 'three decimals'],
    [1e-9, null, 'below a hundredth'],
    [Number.MIN_VALUE, null, 'the smallest double'],
    [Number.NaN, null, 'NaN'],
    [Number.POSITIVE_INFINITY, null, 'Infinity'],
    [2 ** 53, null, 'its hundredths are not a safe integer'],
  ]
  for (const [x, hundredths, label] of table) {
    t.equal(hundredthsOf(x), hundredths, `${label}: ${x}`)
    t.equal(isExactMetres(x), hundredths !== null, `${label}: exact? ${hundredths !== null}`)
    t.equal(isExactQuantity('length', x), hundredths !== null, `${label}: the rules engine agrees`)
  }
  t.ok(toComparable('length', 49.99) < toComparable('length', 50), '49.99 < 50 compared exactly')
})

t.test('the schema the HTTP layer and the rules engine share', async (t) => {
  const table: Array<[unknown, string | null]> = [
    [49.5, null],
    [100_000, null],
    [100_000.01, 'must be at most 100000 m'],
    [2 ** 53, 'must be at most 100000 m'],
    [0, 'must be a positive number of metres'],
    [-1, 'must be a positive number of metres'],
    [49.99000000000001, 'must have at most two decimals'],
    [1e-9, 'must have at most two decimals'],
  ]
  for (const [x, message] of table) {
    const result = excavationLengthMetersSchema.safeParse(x)
    t.equal(result.success, message === null, `${x}: ${message ?? 'accepted'}`)
    if (!result.success)
      t.same(
        result.error.issues.map((i) => i.message),
        [message],
        `${x}: one message`,
      )
  }
  for (const [v, ok] of [
    [400, true],
    [10_000, true],
    [1_000_000, true],
    [1_000_001, false],
    [400.5, false],
    [0, false],
    [-400, false],
    [Number.NaN, false],
  ] as const) {
    t.equal(voltageVoltsSchema.safeParse(v).success, ok, `${v} V: ${ok ? 'accepted' : 'refused'}`)
  }
  t.notOk(isExactQuantity('voltage', 2 ** 53 + 2), 'a voltage beyond the safe integers cannot be compared exactly')
})
