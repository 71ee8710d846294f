import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { runPeriodically } from '../platform/workers/periodic-task.ts'
import { sweepOverdueCases } from './overdue-sweep.ts'

/**
 * Runs the supervision sweep every SCHEDULER_INTERVAL_MS on every instance; the sweep itself makes the
 * work happen once among them. Runs never overlap, and closing the app waits for the one in flight.
 */
async function schedulerPlugin(app: FastifyInstance, options: { enabled: boolean; intervalMs: number }) {
  if (!options.enabled) return
  runPeriodically(app, {
    intervalMs: options.intervalMs,
    task: () => sweepOverdueCases({ db: app.db, calendars: app.calendarService, clock: app.clock, log: app.log }),
    failure: 'supervision sweep failed; retrying next interval',
  })
}

export default fp(schedulerPlugin, { name: 'scheduler', dependencies: ['database', 'services'] })
