import type { FastifyReply } from 'fastify'
import type { Kysely } from 'kysely'
import type { Database } from '../database/database.types.ts'
import type { IdempotencyHandle } from './idempotency.plugin.ts'

/** The HTTP answer to a write, as it is sent and as it is stored for an Idempotency-Key replay. */
export interface WriteResponse<B> {
  status: number
  headers: Record<string, string>
  body: B
  /** The route's response schema: the stored body is serialized exactly as the reply will be. */
  schema: unknown
}

/**
 * A write request as one unit of work: open a transaction, run the service function in it, turn its result into
 * the response, store that response for the request's Idempotency-Key (if it has one), commit. The response is
 * stored in the same transaction as the work, so a retry finds either nothing done (and does the work) or the
 * work done and its response (and replays it), never one without the other. An error anywhere rolls all back.
 */
export async function runUnitOfWork<R, B>(
  db: Kysely<Database>,
  idempotency: IdempotencyHandle | null,
  work: (trx: Kysely<Database>) => Promise<R>,
  respond: (result: R) => WriteResponse<B>,
): Promise<{ result: R; response: WriteResponse<B> }> {
  return await db.transaction().execute(async (trx) => {
    const result = await work(trx)
    const response = respond(result)
    await idempotency?.storeInTransaction(trx, response)
    return { result, response }
  })
}

export function sendWriteResponse<B>(reply: FastifyReply, response: WriteResponse<B>): FastifyReply {
  return reply.status(response.status).headers(response.headers).send(response.body)
}
