import { BadRequestError } from '../errors/domain-errors.ts'

/** Opaque keyset cursor: clients pass it back untouched; its content may change without notice. */
export interface CaseCursor {
  submittedAt: Date
  id: string
}

export function encodeCaseCursor(cursor: CaseCursor): string {
  return Buffer.from(JSON.stringify([cursor.submittedAt.toISOString(), cursor.id])).toString('base64url')
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export function decodeCaseCursor(text: string): CaseCursor {
  try {
    const [submittedAt, id] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as [unknown, unknown]
    const date = new Date(String(submittedAt))
    if (typeof submittedAt === 'string' && typeof id === 'string' && UUID.test(id) && !Number.isNaN(date.getTime())) return { submittedAt: date, id }
  } catch {
    // fall through to the client error below
  }
  throw new BadRequestError('The cursor is not one this service issued: pass nextCursor back unchanged.', [{ path: 'query.cursor', message: 'invalid cursor' }], 'invalid_cursor')
}
