import type { Kysely } from 'kysely'
import { caseVisibilityOf, type Principal } from '../core/access/principal.ts'
import type { Database } from '../platform/database/database.types.ts'
import { cursorValues, InvalidCursorError, keysetCursor } from '../platform/http/keyset-pagination.ts'
import { FEED_START, readFeed, type FeedEvent, type FeedPosition } from './change-feed.repository.ts'

/** The feed's cursor: a position (transaction id, event id), in the one cursor format of the API. */
const feedCursor = keysetCursor<FeedPosition>('events', {
  toValues: (position) => [position.txId, position.id],
  fromValues: ([txId, id]) => (cursorValues.unsignedDecimal(txId) && cursorValues.safeInteger(id) ? { txId, id } : undefined),
})

/**
 * Feed positions issued before the feed used the common cursor format: base64url of "<txId>:<id>". Integrators
 * keep their position for as long as they poll, so it is still read (and answered with a cursor of the current
 * format); it is never issued.
 */
function decodeEarlierFeedPosition(text: string): FeedPosition | undefined {
  const match = /^(\d{1,20}):(\d{1,15})$/.exec(Buffer.from(text, 'base64url').toString('utf8'))
  if (!match || !cursorValues.unsignedDecimal(match[1])) return undefined
  return { txId: match[1] as string, id: Number(match[2]) }
}

function decodeAfter(text: string): FeedPosition {
  try {
    return feedCursor.decode(text, 'after')
  } catch (error) {
    const earlier = error instanceof InvalidCursorError ? decodeEarlierFeedPosition(text) : undefined
    if (earlier) return earlier
    throw error
  }
}

export interface FeedPage {
  items: (FeedEvent & { cursor: string })[]
  /** Always a cursor, also for an empty page: the position to poll from next. */
  nextCursor: string
}

/** A page of the change feed after `after` (from the start without it); a dispatch key reads its own organization's events. */
export async function readChangeFeed(
  db: Kysely<Database>,
  principal: Principal,
  query: { after?: string | undefined; limit: number; types?: string | undefined },
): Promise<FeedPage> {
  const after = query.after ? decodeAfter(query.after) : FEED_START
  const events = await readFeed(db, {
    after,
    limit: query.limit,
    ...caseVisibilityOf(principal),
    types: query.types
      ?.split(',')
      .map((type) => type.trim())
      .filter(Boolean),
  })
  return {
    items: events.map((event) => ({ ...event, cursor: feedCursor.encode(event.position) })),
    nextCursor: feedCursor.encode(events.at(-1)?.position ?? after),
  }
}
