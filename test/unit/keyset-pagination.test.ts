import { createHash } from 'node:crypto'
import t from 'tap'
import { cursorValues, InvalidCursorError, keysetCursor, pageOf } from '../../src/platform/http/keyset-pagination.ts'

const cases = keysetCursor<{ at: string; id: string }>('cases', {
  toValues: (key) => [key.at, key.id],
  fromValues: ([at, id]) => (cursorValues.isoInstant(at) && cursorValues.uuid(id) ? { at, id } : undefined),
})
const deliveries = keysetCursor<number>('webhook-deliveries', {
  toValues: (id) => [id],
  fromValues: ([id]) => (cursorValues.safeInteger(id) ? id : undefined),
})
const key = { at: '2026-02-12T02:00:00.000Z', id: '0b6f7a52-5d2a-4f4e-9f3c-2f1d4c8e9a10' }

const refusal = (fn: () => unknown) => {
  try {
    fn()
  } catch (error) {
    if (!(error instanceof InvalidCursorError)) throw error
    return { status: error.status, code: error.code, errors: error.extensions.errors }
  }
  return 'accepted'
}
const refused = (parameter: string) => ({ status: 400, code: 'invalid_cursor', errors: [{ path: `query.${parameter}`, message: 'invalid cursor' }] })

t.test('a cursor decodes to the key it was made from, and is URL-safe', async (t) => {
  const text = cases.encode(key)
  t.match(text, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{12}$/)
  t.same(cases.decode(text), key)
  t.equal(deliveries.decode(deliveries.encode(42)), 42)
})

t.test('a forged, tampered, cut or other-list cursor is a 400 invalid_cursor naming the parameter', async (t) => {
  const text = cases.encode(key)
  const [payload, digest] = text.split('.') as [string, string]
  const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1)
  t.same(
    refusal(() => cases.decode('garbage')),
    refused('cursor'),
    'not a cursor at all',
  )
  t.same(
    refusal(() => cases.decode(`${flip(payload, 5)}.${digest}`)),
    refused('cursor'),
    'an edited key',
  )
  t.same(
    refusal(() => cases.decode(`${payload}.${flip(digest, 0)}`)),
    refused('cursor'),
    'an edited check',
  )
  t.same(
    refusal(() => cases.decode(text.slice(0, -1))),
    refused('cursor'),
    'a cut cursor',
  )
  t.same(
    refusal(() => cases.decode(deliveries.encode(42))),
    refused('cursor'),
    'a cursor of another list',
  )
  t.same(
    refusal(() => deliveries.decode(text, 'after')),
    refused('after'),
    'the parameter it came in is named',
  )
  // Made up with a valid check but values that are no key of the list: refused by the list's own validation.
  const forged = (values: unknown[]) => {
    const json = JSON.stringify(values)
    return `${Buffer.from(json).toString('base64url')}.${createHash('sha256').update(json).digest().subarray(0, 9).toString('base64url')}`
  }
  t.same(
    refusal(() => cases.decode(forged(['cases', 'yesterday', key.id]))),
    refused('cursor'),
    'a value of the wrong shape',
  )
  t.same(
    refusal(() => cases.decode(forged(['cases', '2026-02-30T00:00:00.000Z', key.id]))),
    refused('cursor'),
    'an impossible instant',
  )
  t.same(
    refusal(() => deliveries.decode(forged(['webhook-deliveries', -1]))),
    refused('cursor'),
    'a negative id',
  )
  t.same(
    refusal(() => deliveries.decode(forged(['webhook-deliveries', 2 ** 60]))),
    refused('cursor'),
    'an id beyond the safe integers',
  )
  t.same(cases.decode(forged(['cases', key.at, key.id])), key, 'the check is not a secret: a well-formed key is a key (visibility still applies)')
})

t.test('pageOf: limit + 1 rows mean a next page starting after the last row shown', async (t) => {
  const rows = [5, 4, 3]
  const full = pageOf(rows, 2, deliveries, (id) => id)
  t.same(full.items, [5, 4])
  t.equal(deliveries.decode(full.nextCursor as string), 4)
  t.same(
    pageOf(rows, 3, deliveries, (id) => id),
    { items: rows, nextCursor: null },
    'no extra row: the last page',
  )
  t.same(
    pageOf([], 3, deliveries, (id: number) => id),
    { items: [], nextCursor: null },
  )
})
