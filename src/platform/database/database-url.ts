import { randomBytes } from 'node:crypto'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import type { AppConfig } from '../config/config.ts'
import { createDatabase } from './database.ts'
import { ensureDatabaseRoles, type DatabaseRoleSecrets } from './database-roles.ts'
import { findRunningEmbeddedPostgres, startEmbeddedPostgres, type EmbeddedPostgresHandle } from './embedded-postgres.ts'

export interface DatabaseUrls {
  /** Requests are served with this (the serving role when migrations have a role of their own). */
  connectionString: string
  /** Migrations run with this: DATABASE_MIGRATION_URL, else DATABASE_URL as before; the owner role for the embedded server. */
  migrationConnectionString: string
  embedded: EmbeddedPostgresHandle | null
}

/**
 * One code path, two ways to get PostgreSQL: DATABASE_URL (+ DATABASE_MIGRATION_URL) when set (production,
 * compose, CI), otherwise an embedded server whose data stays in EMBEDDED_DATA_DIR under the project. The
 * embedded server sets up its two roles by itself (embeddedRoleUrls).
 */
export async function resolveDatabaseUrl(config: AppConfig, log: (message: string) => void): Promise<DatabaseUrls> {
  if (config.DATABASE_URL) {
    return { connectionString: config.DATABASE_URL, migrationConnectionString: config.DATABASE_MIGRATION_URL ?? config.DATABASE_URL, embedded: null }
  }
  const running = await findRunningEmbeddedPostgres(config.EMBEDDED_DATA_DIR)
  if (running) {
    log(`using the embedded PostgreSQL already running on 127.0.0.1:${running.port}`)
    return { ...(await embeddedRoleUrls(config.EMBEDDED_DATA_DIR, running.connectionString)), embedded: null }
  }
  log(`DATABASE_URL is not set: starting the embedded PostgreSQL in ${config.EMBEDDED_DATA_DIR}`)
  const embedded = await startEmbeddedPostgres({ dataDir: config.EMBEDDED_DATA_DIR, port: config.EMBEDDED_PORT, persistent: true })
  log(`embedded PostgreSQL listening on 127.0.0.1:${embedded.port}`)
  try {
    return { ...(await embeddedRoleUrls(config.EMBEDDED_DATA_DIR, embedded.connectionString)), embedded }
  } catch (error) {
    await embedded.stop()
    throw error
  }
}

/** Where the embedded default keeps its roles' generated passwords: inside the cluster's data directory, mode 0600. */
const ROLES_FILE = 'green-channel-roles.json'

/**
 * The embedded server's owner (`green_channel_owner`, runs migrations) and serving role (`green_channel_app`,
 * answers requests): passwords generated on first use and kept in the data directory (never logged), roles
 * created or updated through the bootstrap superuser at every start. The names are fixed: the cluster is this
 * data directory's own.
 */
async function embeddedRoleUrls(dataDir: string, superuserUrl: string): Promise<Omit<DatabaseUrls, 'embedded'>> {
  const file = path.join(path.resolve(dataDir), ROLES_FILE)
  let secrets = await fs
    .readFile(file, 'utf8')
    .then((text) => JSON.parse(text) as DatabaseRoleSecrets)
    .catch(() => null)
  if (!secrets?.owner?.password || !secrets.serving?.password) {
    const password = () => randomBytes(24).toString('base64url')
    secrets = { owner: { name: 'green_channel_owner', password: password() }, serving: { name: 'green_channel_app', password: password() } }
    // wx: two processes starting at once must not each write their own passwords; the loser reads the winner's.
    const written = await fs.writeFile(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600, flag: 'wx' }).then(
      () => true,
      () => false,
    )
    if (!written) secrets = JSON.parse(await fs.readFile(file, 'utf8')) as DatabaseRoleSecrets
  }
  const bootstrap = createDatabase({ connectionString: superuserUrl, poolMax: 1 })
  try {
    await ensureDatabaseRoles(bootstrap.db, secrets)
  } finally {
    await bootstrap.close()
  }
  return { connectionString: withRole(superuserUrl, secrets.serving), migrationConnectionString: withRole(superuserUrl, secrets.owner) }
}

/** The same server and database, another role. */
export function withRole(connectionString: string, role: { name: string; password: string }): string {
  const url = new URL(connectionString)
  url.username = encodeURIComponent(role.name)
  url.password = encodeURIComponent(role.password)
  return url.toString()
}
