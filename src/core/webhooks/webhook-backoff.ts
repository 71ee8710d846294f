import { HOUR_MS, SECOND_MS } from '../time.ts'

/**
 * Retry delays: exponential backoff with "full jitter" (M. Brooker, "Exponential Backoff And Jitter", AWS
 * Architecture Blog, 2015): wait a uniformly random time between 0 and min(cap, base · 2^(attempt−1)). The
 * randomness spreads the retries of many deliveries that failed together (a receiver that was down) instead
 * of letting them return in waves. A small floor keeps a retry from following its failure immediately.
 */
export interface BackoffPolicy {
  baseMs: number
  capMs: number
  floorMs: number
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 5_000, capMs: HOUR_MS, floorMs: SECOND_MS }

/** Delay after the `attempt`-th failed attempt (1 = the first). `random` returns [0, 1), like Math.random. */
export function retryDelayMs(attempt: number, random: () => number = Math.random, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30)
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** exponent)
  return Math.max(policy.floorMs, Math.floor(random() * ceiling))
}
