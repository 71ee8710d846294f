/**
 * Named durations in milliseconds of elapsed time. Asia/Shanghai has kept UTC+8 without daylight saving since
 * 1991, so a Shanghai civil day is exactly DAY_MS long.
 */
export const SECOND_MS = 1_000
export const MINUTE_MS = 60 * SECOND_MS
export const HOUR_MS = 60 * MINUTE_MS
export const DAY_MS = 24 * HOUR_MS
