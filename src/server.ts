import closeWithGrace from 'close-with-grace'
import { buildApp } from './app.ts'
import { ConfigError, loadConfig } from './platform/config/config.ts'
import { createDatabase } from './platform/database/database.ts'
import { resolveDatabaseUrl } from './platform/database/database-url.ts'
import { prepareDatabaseAs } from './prepare-database.ts'

/** Boots the service: configuration, database (migrated), HTTP listener, graceful shutdown. */
async function main(): Promise<void> {
  let config
  try {
    config = loadConfig()
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message)
      process.exit(78) // EX_CONFIG
    }
    throw error
  }

  const bootLog = (message: string) => console.log(JSON.stringify({ level: 30, time: Date.now(), msg: message }))
  const urls = await resolveDatabaseUrl(config, bootLog)
  const { connectionString, embedded } = urls
  const database = createDatabase({
    connectionString,
    poolMax: config.DATABASE_POOL_MAX,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    connectionTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
  })
  // Migrations as the owner (DATABASE_MIGRATION_URL, or the embedded owner role), then requests as the serving role.
  const applied = await prepareDatabaseAs(database, urls)
  bootLog(applied.length > 0 ? `applied migrations: ${applied.join(', ')}` : 'database schema is up to date')

  const app = await buildApp({ config, database, closeDatabaseOnShutdown: true })

  // While draining, every answer closes its connection. Node closes the keep-alive connections that are
  // idle when the listener closes, but one busy at that moment would stay open after its answer and hold
  // app.close() until the keep-alive timeout — past SHUTDOWN_GRACE_MS, so the process was killed (exit 1)
  // before the pool was closed.
  let draining = false
  app.addHook('preClose', async () => {
    draining = true
  })
  app.addHook('onSend', async (_request, reply, payload) => {
    if (draining) reply.header('connection', 'close')
    return payload
  })

  // SIGTERM/SIGINT: stop accepting, let in-flight requests finish (fastify's close waits for them),
  // close the pool, then the embedded server; give up after SHUTDOWN_GRACE_MS.
  closeWithGrace({ delay: config.SHUTDOWN_GRACE_MS }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after an error')
    else app.log.info({ signal }, 'shutting down')
    await app.close()
    await embedded?.stop()
  })

  await app.listen({ port: config.PORT, host: config.HOST })
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
