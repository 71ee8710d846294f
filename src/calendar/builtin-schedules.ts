/**
 * The official holiday / make-up workday schedules bundled with the `chinese-days` package.
 *
 * Only the package's data files are used (dist/years/<year>.json, one per State Council notice).
 * Its date functions are deliberately not: they read the process time zone (wrong west of UTC)
 * and silently answer "weekday = working day" for years it has no notice for, which would hide
 * exactly the `provisional` case the domain requires us to flag (docs/domain.md §3).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

import { type CalendarYearSchedule, validateCalendarYear } from '../core/calendar/working-day-calendar.ts'

/** The service's records start in 2019; earlier notices are irrelevant and not loaded. */
export const BUILTIN_FIRST_YEAR = 2019

interface ChineseDaysYearFile {
  holidays: Record<string, string>
  workdays: Record<string, string>
}

let cache: readonly CalendarYearSchedule[] | undefined

/**
 * The package writes each date's holiday as "English name,中文名,days" ("Spring Festival,春节,4"); the service
 * names it Chinese first, as the notices do: "春节 Spring Festival".
 */
function holidayNameOf(value: string): string {
  const [en, zh] = value.split(',')
  return [zh?.trim(), en?.trim()].filter((part) => part !== undefined && part !== '').join(' ') || value
}

const namesOf = (entries: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(entries).map(([date, value]) => [date, holidayNameOf(value)]))

function isYearFile(value: unknown): value is ChineseDaysYearFile {
  if (typeof value !== 'object' || value === null) return false
  const { holidays, workdays } = value as Record<string, unknown>
  return typeof holidays === 'object' && holidays !== null && typeof workdays === 'object' && workdays !== null
}

function loadFromPackage(): CalendarYearSchedule[] {
  // The package has no "exports" map, so its package.json resolves as a subpath; its directory
  // then gives the data files, read with fs rather than imported, since JSON import attributes
  // differ between Node versions and the package is CommonJS.
  const require = createRequire(import.meta.url)
  const packageJsonPath = require.resolve('chinese-days/package.json')
  const packageDir = dirname(packageJsonPath)
  const { name, version } = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { name: string; version: string }
  const source = `${name}@${version}`

  const yearsDir = join(packageDir, 'dist', 'years')
  const years = readdirSync(yearsDir)
    .map((file) => /^(\d{4})\.json$/.exec(file)?.[1])
    .filter((year): year is string => year !== undefined)
    .map(Number)
    .filter((year) => year >= BUILTIN_FIRST_YEAR)
    .sort((a, b) => a - b)

  if (years.length === 0) throw new Error(`${source} has no schedule for ${BUILTIN_FIRST_YEAR} or later in ${yearsDir}`)
  const schedules: CalendarYearSchedule[] = []
  for (const [index, year] of years.entries()) {
    // A gap would silently make that year "provisional" although later years are official.
    if (year !== BUILTIN_FIRST_YEAR + index) {
      throw new Error(`${source} skips year ${BUILTIN_FIRST_YEAR + index}; its bundled data looks incomplete`)
    }
    const file = join(yearsDir, `${year}.json`)
    const data: unknown = JSON.parse(readFileSync(file, 'utf8'))
    if (!isYearFile(data)) throw new Error(`${file} does not have the expected { holidays, workdays } shape`)
    const schedule: CalendarYearSchedule = {
      year,
      holidays: Object.keys(data.holidays).sort(),
      makeupWorkdays: Object.keys(data.workdays).sort(),
      source,
      holidayNames: namesOf(data.holidays),
      makeupWorkdayNames: namesOf(data.workdays),
    }
    const issues = validateCalendarYear(schedule)
    if (issues.length > 0) {
      throw new Error(`${source} data for ${year} is invalid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`)
    }
    schedules.push(schedule)
  }
  return schedules
}

/**
 * Every official schedule from 2019 to the last year the installed `chinese-days` covers; years it
 * does not cover are absent (never guessed). Read once and cached; each call returns fresh copies
 * so a caller cannot alter the cache.
 */
export function builtinCalendarYears(): CalendarYearSchedule[] {
  cache ??= loadFromPackage()
  return cache.map((s) => ({
    ...s,
    holidays: [...s.holidays],
    makeupWorkdays: [...s.makeupWorkdays],
    holidayNames: { ...s.holidayNames },
    makeupWorkdayNames: { ...s.makeupWorkdayNames },
  }))
}
