/** The one place that says what time it is, so tests can fix "now": everything else asks an injected Clock. */
export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }

/** A clock tests can set and move. */
export class ManualClock implements Clock {
  private current: Date
  constructor(start: Date | string) {
    this.current = new Date(start)
  }
  now(): Date {
    return new Date(this.current)
  }
  set(instant: Date | string): void {
    this.current = new Date(instant)
  }
  advanceMs(ms: number): void {
    this.current = new Date(this.current.getTime() + ms)
  }
}

/**
 * Whether a copy read at `loadedAt` (ms on the same clock) is still fresh at `now`. A clock set back before the
 * read (a test's ManualClock) counts as stale, so a cache never outlives a jump in either direction.
 */
export function isFresh(loadedAt: number | null, now: number, maxAgeMs: number): boolean {
  if (loadedAt === null) return false
  const age = now - loadedAt
  return age >= 0 && age < maxAgeMs
}
