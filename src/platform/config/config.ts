import { randomBytes } from 'node:crypto'
import { isIP } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { z } from 'zod'

/**
 * Configuration comes from the environment only (12-factor) and is validated once at boot,
 * so a bad value stops the process with a message naming the variable instead of failing later.
 */
const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

const integer = (name: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `${name} must be a whole number`)
    .transform(Number)
    .pipe(z.number().int().min(min, `${name} must be at least ${min}`).max(max, `${name} must be at most ${max}`))

const booleanFlag = (name: string) => z.enum(['true', 'false', '1', '0'], { message: `${name} must be true or false` }).transform((value) => value === 'true' || value === '1')

/**
 * WEBHOOK_ALLOWED_TARGETS: comma-separated CIDRs (10.20.0.0/16, fd12:3456::/48), single IP addresses and host
 * names (hooks.intranet.example, or *.intranet.example for every name under it) that webhooks may reach although
 * the default target policy refuses them (private, loopback, …; see src/webhooks/webhook-url-policy.ts).
 * Normalised here: an address becomes a CIDR, a name is lower-cased without its trailing dot. An address must be
 * written as the WHATWG URL parser writes it (dotted decimal), so what is allowed is what the policy compares.
 */
function parseAllowedTarget(raw: string): string | { error: string } {
  const entry = raw.trim().toLowerCase()
  const slash = entry.indexOf('/')
  const address = slash === -1 ? entry : entry.slice(0, slash)
  const family = isIP(address)
  if (family !== 0) {
    const max = family === 4 ? 32 : 128
    const prefixText = slash === -1 ? String(max) : entry.slice(slash + 1)
    const prefix = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN
    if (!(prefix >= 0 && prefix <= max)) return { error: `"${raw}" has a prefix length that is not 0 to ${max}` }
    return `${address}/${prefix}`
  }
  if (slash !== -1) return { error: `"${raw}" is not a CIDR: write the network as an IP address and a prefix length, e.g. 10.20.0.0/16 or fd12:3456::/48` }
  const name = entry.replace(/\.$/, '')
  const bare = name.startsWith('*.') ? name.slice(2) : name
  let parsed: string | null = null
  try {
    parsed = new URL(`http://${bare}/`).hostname
  } catch {}
  if (parsed !== bare || !/^[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(bare)) {
    return { error: `"${raw}" is neither a CIDR, an IP address in dotted-decimal or IPv6 form, nor a host name` }
  }
  return name
}

const allowedTargets = z
  .string()
  .default('')
  .transform((value, context) => {
    const entries: string[] = []
    for (const raw of value.split(',')) {
      if (raw.trim() === '') continue
      const parsed = parseAllowedTarget(raw)
      if (typeof parsed === 'string') entries.push(parsed)
      else context.addIssue({ code: 'custom', message: `WEBHOOK_ALLOWED_TARGETS: ${parsed.error} (comma-separated CIDRs, IP addresses and host names)` })
    }
    return [...new Set(entries)]
  })

const configSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: integer('PORT', 0, 65535).default(3000),
    HOST: z.string().min(1).default('127.0.0.1'),
    DATABASE_URL: z
      .string()
      .optional()
      .refine((value) => value === undefined || value === '' || /^postgres(ql)?:\/\//.test(value), {
        message: 'DATABASE_URL must be a postgres:// or postgresql:// connection string',
      })
      .transform((value) => (value === '' ? undefined : value)),
    /**
     * Migrations run with this connection (the owner role); DATABASE_URL then serves requests as a role that owns
     * nothing and gets only the grants of src/platform/database/database-roles.ts. Unset: DATABASE_URL does both.
     */
    DATABASE_MIGRATION_URL: z
      .string()
      .optional()
      .refine((value) => value === undefined || value === '' || /^postgres(ql)?:\/\//.test(value), {
        message: 'DATABASE_MIGRATION_URL must be a postgres:// or postgresql:// connection string',
      })
      .transform((value) => (value === '' ? undefined : value)),
    DATABASE_POOL_MAX: integer('DATABASE_POOL_MAX', 1, 500).default(10),
    DATABASE_STATEMENT_TIMEOUT_MS: integer('DATABASE_STATEMENT_TIMEOUT_MS', 100, 600_000).default(15_000),
    DATABASE_CONNECT_TIMEOUT_MS: integer('DATABASE_CONNECT_TIMEOUT_MS', 100, 60_000).default(3_000),
    EMBEDDED_DATA_DIR: z.string().min(1).default('data/postgres'),
    EMBEDDED_PORT: integer('EMBEDDED_PORT', 0, 65535).default(0),
    LOG_LEVEL: z.enum(logLevels).default('info'),
    BODY_LIMIT_BYTES: integer('BODY_LIMIT_BYTES', 1024, 10 * 1024 * 1024).default(256 * 1024),
    API_KEY_CACHE_TTL_MS: integer('API_KEY_CACHE_TTL_MS', 0, 600_000).default(30_000),
    SHUTDOWN_GRACE_MS: integer('SHUTDOWN_GRACE_MS', 100, 120_000).default(10_000),
    IDEMPOTENCY_RETENTION_HOURS: integer('IDEMPOTENCY_RETENTION_HOURS', 24, 24 * 90).default(48),
    SCHEDULER_ENABLED: booleanFlag('SCHEDULER_ENABLED').default(true),
    SCHEDULER_INTERVAL_MS: integer('SCHEDULER_INTERVAL_MS', 100, 3_600_000).default(30_000),
    WEBHOOK_WORKER_ENABLED: booleanFlag('WEBHOOK_WORKER_ENABLED').default(true),
    WEBHOOK_POLL_INTERVAL_MS: integer('WEBHOOK_POLL_INTERVAL_MS', 50, 600_000).default(1_000),
    WEBHOOK_TIMEOUT_MS: integer('WEBHOOK_TIMEOUT_MS', 100, 60_000).default(5_000),
    /** Retries continue for at least this long before a delivery is given up (never less than 24 hours). */
    WEBHOOK_RETRY_HOURS: integer('WEBHOOK_RETRY_HOURS', 24, 24 * 14).default(72),
    /** An endpoint failing continuously for this long is disabled until its owner re-enables it. */
    WEBHOOK_DISABLE_AFTER_HOURS: integer('WEBHOOK_DISABLE_AFTER_HOURS', 1, 24 * 14).default(72),
    /** Link-local and cloud metadata addresses are refused as webhook targets unless this is true. */
    WEBHOOK_ALLOW_LINK_LOCAL: booleanFlag('WEBHOOK_ALLOW_LINK_LOCAL').default(false),
    /** Intranet receivers the target policy refuses by default (loopback, private, CGNAT, …) that may be called all the same. */
    WEBHOOK_ALLOWED_TARGETS: allowedTargets,
    /** Endpoints (not deleted) one organization may have. */
    WEBHOOK_MAX_ENDPOINTS_PER_ORGANIZATION: integer('WEBHOOK_MAX_ENDPOINTS_PER_ORGANIZATION', 1, 1000).default(10),
    /** The Ed25519 private key (PKCS#8 PEM) that signs audit checkpoints; generated with mode 0600 when missing. Never in the database. */
    AUDIT_SIGNING_KEY_FILE: z.string().min(1).default('data/audit-signing-key.pem'),
    /** Every checkpoint is also appended here, one JSON line each, for operators to ship elsewhere. */
    AUDIT_CHECKPOINT_LOG: z.string().min(1).default('data/audit-checkpoints.jsonl'),
    AUDIT_CHECKPOINT_ENABLED: booleanFlag('AUDIT_CHECKPOINT_ENABLED').default(true),
    /** A checkpoint is taken when the latest is this old, once among all instances. */
    AUDIT_CHECKPOINT_INTERVAL_MS: integer('AUDIT_CHECKPOINT_INTERVAL_MS', 1_000, 7 * 24 * 3_600_000).default(3_600_000),
    // HTTP edges (SECURITY.md "Limits and timeouts"). Node checks the header and request timeouts every
    // second here (connectionsCheckingInterval), so a request is cut at most a second after its limit.
    /** The whole request, headers and body, must arrive within this (a body trickled byte by byte is cut: 408). */
    HTTP_REQUEST_TIMEOUT_MS: integer('HTTP_REQUEST_TIMEOUT_MS', 500, 600_000).default(20_000),
    /** The request line and headers must arrive within this (slowloris). At most HTTP_REQUEST_TIMEOUT_MS. */
    HTTP_HEADERS_TIMEOUT_MS: integer('HTTP_HEADERS_TIMEOUT_MS', 500, 600_000).default(10_000),
    /** An idle keep-alive connection is closed after this: fastify's default, above the 60 s idle timeout of common load balancers (else they reuse a closed connection: 502). */
    HTTP_KEEP_ALIVE_TIMEOUT_MS: integer('HTTP_KEEP_ALIVE_TIMEOUT_MS', 100, 600_000).default(72_000),
    /** A socket with no traffic in either direction for this long is destroyed (also while a handler runs). */
    HTTP_CONNECTION_TIMEOUT_MS: integer('HTTP_CONNECTION_TIMEOUT_MS', 1_000, 3_600_000).default(60_000),
    /** Rate limits count per RATE_LIMIT_WINDOW_MS, per instance. */
    RATE_LIMIT_WINDOW_MS: integer('RATE_LIMIT_WINDOW_MS', 1_000, 3_600_000).default(60_000),
    /** Requests one API key may make per window (0: no limit per key). */
    RATE_LIMIT_PER_KEY: integer('RATE_LIMIT_PER_KEY', 0, 10_000_000).default(6_000),
    /** Failed authentications (no, malformed, unknown or revoked key) one client address may make per window; then 429 before any lookup. */
    RATE_LIMIT_UNAUTHENTICATED_PER_ADDRESS: integer('RATE_LIMIT_UNAUTHENTICATED_PER_ADDRESS', 1, 1_000_000).default(60),
    /** Requests one client address may make per minute to the public, keyless routes (GET /v1/permits/{caseNumber}/verification); 0: no limit. */
    RATE_LIMIT_PUBLIC_PER_MINUTE: integer('RATE_LIMIT_PUBLIC_PER_MINUTE', 0, 1_000_000).default(60),
    /** Behind a reverse proxy: its addresses/CIDRs (comma-separated) or `true`, so the client address is taken from X-Forwarded-For. */
    TRUST_PROXY: z
      .string()
      .default('false')
      .transform((value): boolean | string => (value === 'true' ? true : value === 'false' ? false : value)),
  })
  .superRefine((config, context) => {
    if (config.HTTP_HEADERS_TIMEOUT_MS > config.HTTP_REQUEST_TIMEOUT_MS) {
      context.addIssue({
        code: 'custom',
        path: ['HTTP_HEADERS_TIMEOUT_MS'],
        message: `HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS (${config.HTTP_REQUEST_TIMEOUT_MS})`,
      })
    }
    // The embedded default sets up its own owner role: a migration URL without DATABASE_URL would be ignored silently.
    if (config.DATABASE_MIGRATION_URL !== undefined && config.DATABASE_URL === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['DATABASE_MIGRATION_URL'],
        message: 'DATABASE_MIGRATION_URL needs DATABASE_URL (the serving role); without both the embedded PostgreSQL sets up its own roles',
      })
    }
    // The embedded PostgreSQL is a development and test convenience: its binaries are not in the production
    // image, and a production database started on the fly would keep its data inside the container.
    if (config.NODE_ENV === 'production' && config.DATABASE_URL === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['DATABASE_URL'],
        message:
          'DATABASE_URL is required when NODE_ENV=production: set it to the PostgreSQL server, e.g. postgres://user:password@host:5432/database ' +
          '(the embedded PostgreSQL is for development and tests only, and the production image does not contain it)',
      })
    }
  })

export type AppConfig = z.infer<typeof configSchema>

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n${issues.map((issue) => `  - ${issue}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  // Empty strings are treated as unset so `PORT= npm start` falls back to the default.
  const relevant = Object.fromEntries(
    Object.keys(configSchema.shape)
      .map((key) => [key, env[key]])
      .filter(([, value]) => value !== undefined && value !== ''),
  )
  const parsed = configSchema.safeParse(relevant)
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const key = issue.path.join('.')
        const shown = relevant[key] === undefined ? '(unset)' : key === 'DATABASE_URL' || key === 'DATABASE_MIGRATION_URL' ? '(hidden)' : JSON.stringify(relevant[key])
        return `${key}=${shown}: ${issue.message}`
      }),
    )
  }
  return parsed.data
}

function testAuditFiles(): Pick<AppConfig, 'AUDIT_CHECKPOINT_ENABLED' | 'AUDIT_SIGNING_KEY_FILE' | 'AUDIT_CHECKPOINT_LOG'> {
  const directory = path.join(tmpdir(), `gc-audit-${process.pid}-${randomBytes(6).toString('hex')}`)
  return { AUDIT_CHECKPOINT_ENABLED: false, AUDIT_SIGNING_KEY_FILE: path.join(directory, 'signing-key.pem'), AUDIT_CHECKPOINT_LOG: path.join(directory, 'checkpoints.jsonl') }
}

/** A configuration for tests and tools: defaults plus overrides, without reading process.env. */
export function testConfig(overrides: Partial<AppConfig> = {}): AppConfig {
  // Background workers stay off in tests unless a test turns them on. Every injected request comes from 127.0.0.1:
  // rate limits are off unless a test sets them (test/api/http-edges.test.ts does, low).
  return {
    // Test webhook receivers listen on 127.0.0.1, which the default target policy refuses: tests allow exactly that
    // address (WEBHOOK_ALLOWED_TARGETS); refusals are tested with an empty list and an injected resolver.
    ...configSchema.parse({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      SCHEDULER_ENABLED: 'false',
      WEBHOOK_WORKER_ENABLED: 'false',
      WEBHOOK_ALLOWED_TARGETS: '127.0.0.1',
      RATE_LIMIT_PER_KEY: '0',
      RATE_LIMIT_UNAUTHENTICATED_PER_ADDRESS: '1000000',
      RATE_LIMIT_PUBLIC_PER_MINUTE: '0',
    }),
    // The audit signing key and checkpoint log go to a directory of this config's own under the system's temporary
    // directory (written only when a test takes a checkpoint), never into the working tree.
    ...testAuditFiles(),
    ...overrides,
  }
}
