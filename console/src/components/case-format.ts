/**
 * Dates as the case and worklist screens show them: civil dates ('YYYY-MM-DD', Asia/Shanghai days as the API gives
 * them) and instants, written the way the language writes them. Civil dates are formatted as UTC midnights so the
 * browser's own time zone can never shift them by a day; instants are shown in Asia/Shanghai, the service's time.
 */
import type { Locale } from '../i18n/i18n.ts'

const MS_PER_DAY = 86_400_000

/** Days since 1970-01-01 of a civil date (a plain day count, for drawing, not working-day arithmetic). */
export function dayNumber(civil: string): number {
  const [y, m, d] = civil.slice(0, 10).split('-').map(Number)
  return Math.floor(Date.UTC(y as number, (m as number) - 1, d as number) / MS_PER_DAY)
}

export function civilOfDay(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10)
}

/** 1 = Monday … 7 = Sunday. */
export function isoWeekday(civil: string): number {
  const weekday = new Date(dayNumber(civil) * MS_PER_DAY).getUTCDay()
  return weekday === 0 ? 7 : weekday
}

const shanghaiParts = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
})

/** Today in Asia/Shanghai (the page's clock; the tests fix it to the app's clock), and the fraction of the day gone. */
export function shanghaiNow(now = Date.now()): { date: string; fraction: number } {
  const parts = Object.fromEntries(shanghaiParts.formatToParts(new Date(now)).map((part) => [part.type, part.value]))
  return { date: `${parts.year}-${parts.month}-${parts.day}`, fraction: (Number(parts.hour) * 60 + Number(parts.minute)) / 1440 }
}

const cache = new Map<string, Intl.DateTimeFormat>()
function formatter(locale: Locale, kind: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${kind}`
  let format = cache.get(key)
  if (!format) {
    format = new Intl.DateTimeFormat(locale, options)
    cache.set(key, format)
  }
  return format
}

export function formatDate(locale: Locale, civil: string | null | undefined): string {
  if (!civil) return '—'
  return formatter(locale, 'date', { timeZone: 'UTC', year: 'numeric', month: 'long', day: 'numeric', weekday: 'short' }).format(new Date(dayNumber(civil) * MS_PER_DAY))
}

export function formatShortDate(locale: Locale, civil: string): string {
  return formatter(locale, 'short', { timeZone: 'UTC', month: 'numeric', day: 'numeric' }).format(new Date(dayNumber(civil) * MS_PER_DAY))
}

export function formatInstant(locale: Locale, iso: string | null | undefined): string {
  if (!iso) return '—'
  return formatter(locale, 'instant', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(iso))
}

/** A catalogue text, or `fallback` when the catalogue has no such key (routes and stages a rule set names itself). */
export function labelOr(t: (key: never) => string, key: string, fallback: string): string {
  const text = t(key as never)
  return text === key ? fallback : text
}

/** A route's name, the same on every screen; a route a city's rule set adds keeps its own key as its name. */
export const routeLabel = (t: (key: never) => string, route: string): string => labelOr(t, `case.route.${route}`, route)

/** A case status's name, the same on every screen. */
export const statusLabel = (t: (key: never) => string, status: string): string => labelOr(t, `case.status.${status}`, status)
