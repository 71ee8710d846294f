import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import type { Database } from './database.types.ts'

// PostgreSQL `date` (OID 1082) must come back as the 'YYYY-MM-DD' it stores: the default parser builds
// a JS Date at local midnight, which shifts the day under any time zone but UTC.
pg.types.setTypeParser(1082, (value) => value)
// date[] (1182) likewise: parse it as the text[] (1009) it prints as.
pg.types.setTypeParser(1182 as never, pg.types.getTypeParser(1009 as never))
// numeric (1700) holds lengths with two decimals; they fit a double exactly enough for metres.
pg.types.setTypeParser(1700, (value) => Number(value))
// int8 (20) is used for counts and event positions, all far below 2^53.
pg.types.setTypeParser(20, (value) => Number(value))

export interface DatabaseOptions {
  connectionString: string
  poolMax?: number
  statementTimeoutMs?: number
  connectionTimeoutMs?: number
  applicationName?: string
}

export interface DatabaseHandle {
  db: Kysely<Database>
  pool: pg.Pool
  close(): Promise<void>
}

export function createDatabase(options: DatabaseOptions): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolMax ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 3_000,
    // A bounded statement time keeps a stuck query from holding a request (and a pool slot) forever.
    statement_timeout: options.statementTimeoutMs ?? 15_000,
    idleTimeoutMillis: 30_000,
    application_name: options.applicationName ?? 'green-channel',
  })
  // An idle client losing its connection (database restart) must not crash the process;
  // the pool drops it and the next checkout reconnects.
  pool.on('error', () => {})
  // A client that is checked out has no listener of the pool's: if its connection dies then (database
  // restart, network cut), pg emits 'error' on the client and, unheard, that crashes the process. The query
  // in flight is rejected with the error anyway (and answered 503), and the pool discards the broken client
  // when it is released, so the event itself only needs a listener.
  pool.on('connect', (client) => client.on('error', () => {}))
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  let closed = false
  return {
    db,
    pool,
    async close() {
      if (closed) return
      closed = true
      await db.destroy()
    },
  }
}
