import fc from 'fast-check'
import t from 'tap'
import { jsonSyntaxErrorOffset, jsonSyntaxPosition } from '../../src/platform/errors/json-syntax-position.ts'

const parses = (text: string) => {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

t.test('where a JSON text breaks: offset, line, column and the character found', async (t) => {
  const cases: Array<[string, { offset: number; line: number; column: number; found: string | null } | null]> = [
    ['{"a": 10', { offset: 8, line: 1, column: 9, found: null }],
    ['{"a": 10,}', { offset: 9, line: 1, column: 10, found: '}' }],
    ['{a:1}', { offset: 1, line: 1, column: 2, found: 'a' }],
    ['xyz', { offset: 0, line: 1, column: 1, found: 'x' }],
    ['{"a": tru}', { offset: 9, line: 1, column: 10, found: '}' }],
    ['{"a":1} x', { offset: 8, line: 1, column: 9, found: 'x' }],
    ['{\n  "a": 1,\n  "b": }', { offset: 19, line: 3, column: 8, found: '}' }],
    ['01', { offset: 1, line: 1, column: 2, found: '1' }],
    ['1.', { offset: 2, line: 1, column: 3, found: null }],
    ['"a\\qb"', { offset: 3, line: 1, column: 4, found: 'q' }],
    ['"tab\there"', { offset: 4, line: 1, column: 5, found: '\t' }],
    ['', { offset: 0, line: 1, column: 1, found: null }],
    ['{"ok": [1, 2.5e-3, true, null, "\\u00e9"]}', null],
    ['"\\ud800"', null],
  ]
  for (const [text, expected] of cases) t.same(jsonSyntaxPosition(text), expected, JSON.stringify(text))
  t.equal(jsonSyntaxErrorOffset('['.repeat(200_000)), 200_000, 'deep nesting does not overflow the stack')
  // A bad \u escape is pointed at its first character that is not a hex digit, as V8 does.
  t.equal(jsonSyntaxErrorOffset('"\\u12"'), 5)
  t.equal(jsonSyntaxErrorOffset('"\\uZ"'), 3)
  t.equal(jsonSyntaxErrorOffset('["\\u12x4"]'), 6)
})

t.test('it agrees with JSON.parse on what is valid, and on the position whenever JSON.parse names one', async (t) => {
  const broken = fc.tuple(fc.json(), fc.nat(), fc.constantFrom('}', ']', ',', ':', 'x', '"', ' ', '\\', '-', '.', 'e', '0')).map(([text, at, c]) => {
    const i = at % (text.length + 1)
    return text.slice(0, i) + c + text.slice(i)
  })
  const cut = fc.json().map((text) => text.slice(0, Math.floor(text.length / 2)))
  t.doesNotThrow(() =>
    fc.assert(
      fc.property(fc.oneof(fc.json(), broken, cut, fc.string()), (text) => {
        const offset = jsonSyntaxErrorOffset(text)
        if ((offset === null) !== parses(text)) return false
        if (offset === null) return true
        try {
          JSON.parse(text)
        } catch (error) {
          const position = /at position (\d+)/.exec((error as Error).message)
          if (position && Number(position[1]) !== offset) return false
        }
        return true
      }),
      { numRuns: 3000 },
    ),
  )
})
