import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { AppConfig } from '../platform/config/config.ts'
import { runPeriodically } from '../platform/workers/periodic-task.ts'
import { AuditSigningKey } from './audit-signing-key.ts'
import { takeCheckpoint, type AuditDeps } from './audit.service.ts'

declare module 'fastify' {
  interface FastifyInstance {
    audit: AuditDeps
  }
}

/** How often an instance looks whether a checkpoint is due (it is taken when the latest is AUDIT_CHECKPOINT_INTERVAL_MS old). */
const MAX_TICK_MS = 60_000

/**
 * The audit area's long-lived parts: the signing key (read lazily from AUDIT_SIGNING_KEY_FILE) and, when
 * AUDIT_CHECKPOINT_ENABLED, the periodic checkpoint. Every instance ticks; takeCheckpoint's advisory lock and
 * "due" check under it make one checkpoint per interval among all of them. Runs never overlap, and closing the
 * app waits for the one in flight.
 */
async function auditPlugin(app: FastifyInstance, options: { config: AppConfig }) {
  const { config } = options
  const signingKey = new AuditSigningKey(config.AUDIT_SIGNING_KEY_FILE, (file) =>
    app.log.warn({ file }, 'audit signing key generated (keep it secret and back it up; on a server mount it as a secret)'),
  )
  const deps: AuditDeps = { db: app.db, clock: app.clock, signingKey, checkpointLog: config.AUDIT_CHECKPOINT_LOG, log: app.log }
  app.decorate('audit', deps)
  if (!config.AUDIT_CHECKPOINT_ENABLED) return
  const intervalMs = config.AUDIT_CHECKPOINT_INTERVAL_MS
  runPeriodically(app, {
    intervalMs: Math.min(intervalMs, MAX_TICK_MS),
    task: () => takeCheckpoint(deps, { wait: false, dueAfterMs: intervalMs }),
    failure: 'audit checkpoint failed; retrying at the next tick',
  })
}

export default fp(auditPlugin, { name: 'audit', dependencies: ['database', 'services'] })
