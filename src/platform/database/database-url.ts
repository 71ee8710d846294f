import type { AppConfig } from '../config/config.ts'
import { findRunningEmbeddedPostgres, startEmbeddedPostgres, type EmbeddedPostgresHandle } from './embedded-postgres.ts'

/**
 * One code path, two ways to get PostgreSQL: DATABASE_URL when set (production, compose, CI), otherwise
 * an embedded server whose data stays in EMBEDDED_DATA_DIR under the project.
 */
export async function resolveDatabaseUrl(config: AppConfig, log: (message: string) => void): Promise<{ connectionString: string; embedded: EmbeddedPostgresHandle | null }> {
  if (config.DATABASE_URL) return { connectionString: config.DATABASE_URL, embedded: null }
  const running = await findRunningEmbeddedPostgres(config.EMBEDDED_DATA_DIR)
  if (running) {
    log(`using the embedded PostgreSQL already running on 127.0.0.1:${running.port}`)
    return { connectionString: running.connectionString, embedded: null }
  }
  log(`DATABASE_URL is not set: starting the embedded PostgreSQL in ${config.EMBEDDED_DATA_DIR}`)
  const embedded = await startEmbeddedPostgres({ dataDir: config.EMBEDDED_DATA_DIR, port: config.EMBEDDED_PORT, persistent: true })
  log(`embedded PostgreSQL listening on 127.0.0.1:${embedded.port}`)
  return { connectionString: embedded.connectionString, embedded }
}
