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
  /** A dedicated connection LISTENing on `channel`, reconnected after an outage (see listenForNotifications). */
  listen(channel: string, handlers: NotificationHandlers): NotificationListener
  close(): Promise<void>
}

/** How much longer than the server's statement_timeout the client waits for an answer before it gives the connection up. */
const QUERY_TIMEOUT_MARGIN_MS = 1_000

/**
 * A pg client whose read timeout (query_timeout) also ends its connection. statement_timeout is enforced by the
 * server, so across a network partition (packets dropped, no reset) nothing answers and a query in flight would
 * wait until the OS gives up on TCP (minutes). pg's query_timeout rejects the query but leaves the connection as it
 * was, still waiting for the lost answer; destroying it makes the pool discard it on release instead of lending it
 * out again, and the timeout error carries ETIMEDOUT so the error boundary answers 503 (database unavailable).
 */
class TimeoutClient extends pg.Client {
  // biome-ignore lint/suspicious/noExplicitAny: pg.Client#query has a dozen overloads; this passes every form through unchanged.
  override query(...args: unknown[]): any {
    const result = (super.query as (...a: unknown[]) => unknown)(...args)
    if (result && typeof (result as Promise<unknown>).catch === 'function') {
      ;(result as Promise<unknown>).catch((error: unknown) => {
        if (error instanceof Error && error.message === 'Query read timeout') {
          Object.assign(error, { code: 'ETIMEDOUT' })
          // Not queryable from now on, so the pool discards it on release even before the socket's close arrives.
          const self = this as unknown as { _queryable: boolean; connection: { stream: { destroy(): void } } }
          self._queryable = false
          self.connection.stream.destroy()
        }
      })
    }
    return result
  }
}

export function createDatabase(options: DatabaseOptions): DatabaseHandle {
  const statementTimeoutMs = options.statementTimeoutMs ?? 15_000
  const connectionTimeoutMillis = options.connectionTimeoutMs ?? 3_000
  const pool = new pg.Pool({
    Client: TimeoutClient,
    connectionString: options.connectionString,
    max: options.poolMax ?? 10,
    connectionTimeoutMillis,
    // A bounded statement time keeps a stuck query from holding a request (and a pool slot) forever.
    statement_timeout: statementTimeoutMs,
    // The client-side bound for when the server cannot answer at all (a partition): see TimeoutClient.
    query_timeout: statementTimeoutMs + QUERY_TIMEOUT_MARGIN_MS,
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
  const listeners = new Set<NotificationListener>()
  return {
    db,
    pool,
    listen(channel, handlers) {
      const listener = listenForNotifications({ connectionString: options.connectionString, connectionTimeoutMillis, channel, ...handlers })
      listeners.add(listener)
      return listener
    },
    async close() {
      if (closed) return
      closed = true
      await Promise.all([...listeners].map((listener) => listener.close()))
      await db.destroy()
    },
  }
}

export interface NotificationHandlers {
  onNotification(payload: string): void
  /** Called on every (re)connection, once LISTEN is in place: notifications sent while disconnected are lost, so forget what they would have told. */
  onListening?(): void
}

export interface NotificationListener {
  /** Settles after the first connection attempt (listening or not; it keeps retrying). */
  ready: Promise<void>
  /** True while LISTEN is in place on a live connection. */
  listening(): boolean
  close(): Promise<void>
}

/** Between reconnection attempts, and between the pings that find a silently dead connection (a partition). */
const LISTEN_RETRY_MS = 500
const LISTEN_PING_MS = 5_000

/**
 * LISTEN on a connection of its own (not the pool's: a pooled connection is shared and reset between uses).
 * A lost connection (database restart, terminated backend) is replaced after LISTEN_RETRY_MS; a ping every
 * LISTEN_PING_MS with a short read timeout detects a connection that silently stopped answering.
 */
function listenForNotifications(options: { connectionString: string; connectionTimeoutMillis: number; channel: string } & NotificationHandlers): NotificationListener {
  let client: pg.Client | null = null
  let live = false
  let stopped = false
  let timer: NodeJS.Timeout | null = null
  const schedule = (ms: number, step: () => Promise<void>) => {
    if (stopped) return
    timer = setTimeout(() => void step(), ms)
    timer.unref()
  }
  const drop = (dead: pg.Client) => {
    if (client !== dead) return
    client = null
    live = false
    // end() waits for the server, which across a partition never answers: the socket is destroyed as well.
    dead.end().catch(() => {})
    ;(dead as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy()
    schedule(LISTEN_RETRY_MS, connect)
  }
  const ping = async () => {
    const current = client
    if (!current || stopped) return
    try {
      await current.query({ text: 'select 1', query_timeout: LISTEN_PING_MS } as pg.QueryConfig)
      schedule(LISTEN_PING_MS, ping)
    } catch {
      drop(current)
    }
  }
  async function connect(): Promise<void> {
    if (stopped) return
    const next = new pg.Client({ connectionString: options.connectionString, connectionTimeoutMillis: options.connectionTimeoutMillis, application_name: 'green-channel-listener' })
    next.on('error', () => drop(next))
    next.on('end', () => drop(next))
    next.on('notification', (message) => {
      if (message.channel === options.channel) options.onNotification(message.payload ?? '')
    })
    client = next
    try {
      await next.connect()
      await next.query(`listen "${options.channel.replaceAll('"', '""')}"`)
      if (stopped || client !== next) return
      live = true
      options.onListening?.()
      schedule(LISTEN_PING_MS, ping)
    } catch {
      drop(next)
    }
  }
  const ready = connect()
  return {
    ready,
    listening: () => live,
    async close() {
      stopped = true
      if (timer) clearTimeout(timer)
      const current = client
      client = null
      live = false
      await ready
      await current?.end().catch(() => {})
    },
  }
}
