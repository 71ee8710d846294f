import { createHash } from 'node:crypto'
import { BadRequestError } from '../errors/domain-errors.ts'

/**
 * Keyset pagination for every list of the API (no OFFSET scans: a page ends at a row's sort key and the next page
 * starts after it, so pages stay stable while rows are inserted). The cursor that carries the key has one format
 * for every list and is opaque to clients, who pass it back unchanged:
 *
 *   base64url(JSON [list, ...key]) "." base64url(the first 9 bytes of SHA-256 over that JSON)
 *
 * The list name makes a cursor of one list useless on another; the digest catches a cursor that was edited, cut
 * or made up. It is a check, not a signature: the key is still validated like any input, and the visibility
 * rules apply whatever a cursor says. Anything that does not decode is a 400 `invalid_cursor` naming the
 * parameter it came in.
 */
export type CursorValue = string | number

export interface KeysetCursor<K> {
  readonly list: string
  encode(key: K): string
  /** `parameter` is the query parameter the cursor came in (the problem's `errors[].path` is `query.<parameter>`). */
  decode(text: string, parameter?: string): K
}

export interface CursorCodec<K> {
  toValues(key: K): readonly CursorValue[]
  /** The key, or undefined when the values are not a key of this list. */
  fromValues(values: readonly unknown[]): K | undefined
}

const DIGEST_BYTES = 9
const CURSOR_PATTERN = /^([A-Za-z0-9_-]{1,2000})\.([A-Za-z0-9_-]{12})$/

const digestOf = (json: string) => createHash('sha256').update(json).digest().subarray(0, DIGEST_BYTES).toString('base64url')

export class InvalidCursorError extends BadRequestError {
  constructor(parameter: string) {
    super(
      'The cursor is not one this service issued for this list: pass the nextCursor of the previous page back unchanged, or omit it to start again.',
      [{ path: `query.${parameter}`, message: 'invalid cursor' }],
      'invalid_cursor',
    )
  }
}

export function keysetCursor<K>(list: string, codec: CursorCodec<K>): KeysetCursor<K> {
  return {
    list,
    encode(key) {
      const json = JSON.stringify([list, ...codec.toValues(key)])
      return `${Buffer.from(json, 'utf8').toString('base64url')}.${digestOf(json)}`
    },
    decode(text, parameter = 'cursor') {
      const match = CURSOR_PATTERN.exec(text)
      if (match) {
        const json = Buffer.from(match[1] as string, 'base64url').toString('utf8')
        if (digestOf(json) === match[2]) {
          let values: unknown
          try {
            values = JSON.parse(json)
          } catch {
            values = undefined
          }
          if (Array.isArray(values) && values[0] === list) {
            const key = codec.fromValues(values.slice(1))
            if (key !== undefined) return key
          }
        }
      }
      throw new InvalidCursorError(parameter)
    },
  }
}

export interface Page<T> {
  items: T[]
  nextCursor: string | null
}

/**
 * A page from rows read with `limit + 1`: the extra row only says that there is a next page, which then starts
 * after the last row shown.
 */
export function pageOf<T, K>(rows: readonly T[], limit: number, cursor: KeysetCursor<K>, keyOf: (row: T) => K): Page<T> {
  const items = rows.slice(0, limit)
  const last = items.at(-1)
  return { items, nextCursor: rows.length > limit && last !== undefined ? cursor.encode(keyOf(last)) : null }
}

/** Shapes of key values that every list uses. */
export const cursorValues = {
  uuid: (value: unknown): value is string => typeof value === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value),
  /** A non-negative integer as PostgreSQL bigint or xid8 holds it, in decimal (up to 20 digits). */
  unsignedDecimal: (value: unknown): value is string => typeof value === 'string' && /^\d{1,20}$/.test(value) && BigInt(value) <= 18_446_744_073_709_551_615n,
  safeInteger: (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0,
  /** An ISO 8601 instant as Date#toISOString writes it. */
  isoInstant: (value: unknown): value is string => {
    if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(value)) return false
    const instant = new Date(value)
    return !Number.isNaN(instant.getTime()) && instant.toISOString() === value
  },
}
