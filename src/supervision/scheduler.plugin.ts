import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { sweepOverdueCases } from './overdue-sweep.ts'

/**
 * Runs the supervision sweep every SCHEDULER_INTERVAL_MS on every instance; the sweep itself makes the
 * work happen once among them. Runs never overlap, and closing the app waits for the one in flight.
 */
async function schedulerPlugin(app: FastifyInstance, options: { enabled: boolean; intervalMs: number }) {
  if (!options.enabled) return
  let running: Promise<unknown> | null = null
  let stopped = false
  const tick = () => {
    if (running || stopped) return
    running = sweepOverdueCases({ db: app.db, calendars: app.calendarService, clock: app.clock, log: app.log })
      .catch((error: unknown) => app.log.warn({ err: error }, 'supervision sweep failed; retrying next interval'))
      .finally(() => {
        running = null
      })
  }
  const timer = setInterval(tick, options.intervalMs)
  timer.unref()
  app.addHook('onReady', async () => tick())
  app.addHook('preClose', async () => {
    stopped = true
    clearInterval(timer)
    await running
  })
}

export default fp(schedulerPlugin, { name: 'scheduler', dependencies: ['database', 'services'] })
