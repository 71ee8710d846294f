/** The one place that says what time it is, so tests can fix "now" (architecture.md, conventions). */
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
