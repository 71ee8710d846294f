import type { FastifyInstance } from 'fastify'

/**
 * Runs `task` on this instance every `intervalMs` and once when the app is ready. Runs never overlap (a tick while one
 * is in flight is skipped), a failure is logged and retried at the next tick, and closing the app stops the timer and
 * waits for the run in flight. Doing the work once among several instances is the task's own business (an advisory
 * lock, `FOR UPDATE SKIP LOCKED`): every instance ticks.
 */
export function runPeriodically(app: FastifyInstance, options: { intervalMs: number; task: () => Promise<unknown>; failure: string }): void {
  let running: Promise<unknown> | null = null
  let stopped = false
  const tick = () => {
    if (running || stopped) return
    running = options
      .task()
      .catch((error: unknown) => app.log.warn({ err: error }, options.failure))
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
