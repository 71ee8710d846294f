import type { Kysely } from 'kysely'
import type { Database } from '../platform/database/database.types.ts'
import { NotFoundError, ValidationFailedError } from '../platform/errors/domain-errors.ts'
import { isFresh, type Clock } from '../platform/clock.ts'
import { builtinCalendarYears } from './builtin-schedules.ts'
import { insertMissingCalendarYears, listCalendarYears, upsertCalendarYear, type StoredCalendarYear } from './calendar.repository.ts'
import { validateCalendarYear, WorkingDayCalendar, type CalendarYearSchedule } from '../core/calendar/working-day-calendar.ts'

/**
 * Holds the working-day calendar built from the `calendar_year` table. Each instance refreshes its copy
 * after `refreshMs` on the injected clock, so a schedule loaded through another instance is used everywhere within that time;
 * the instance that loads it switches at once.
 */
export class CalendarService {
  #calendar: WorkingDayCalendar | undefined
  #years: StoredCalendarYear[] = []
  /** When the copy was read, on the injected clock (ms); null before the first read. */
  #loadedAt: number | null = null
  #loading: Promise<WorkingDayCalendar> | undefined

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly refreshMs = 10_000,
  ) {}

  /** Stores the bundled official schedules for years the database does not have yet. */
  async seedBuiltinYears(): Promise<void> {
    const builtin = builtinCalendarYears()
    const calendar = new WorkingDayCalendar(builtin)
    await insertMissingCalendarYears(
      this.db,
      builtin.map((schedule) => ({ ...schedule, fingerprint: calendar.yearFingerprint(schedule.year) as string })),
      this.clock.now(),
    )
  }

  async calendar(): Promise<WorkingDayCalendar> {
    if (this.#calendar && isFresh(this.#loadedAt, this.clock.now().getTime(), this.refreshMs)) return this.#calendar
    this.#loading ??= this.#reload().finally(() => {
      this.#loading = undefined
    })
    return await this.#loading
  }

  async years(): Promise<StoredCalendarYear[]> {
    await this.calendar()
    return this.#years
  }

  /** One loaded year's schedule; 404 when the year is not loaded. */
  async year(year: number): Promise<StoredCalendarYear> {
    const found = (await this.years()).find((y) => y.year === year)
    if (!found) throw new NotFoundError(`No schedule is loaded for ${year}; deadlines in it are provisional (weekends only).`).withParams('calendar_year', { year })
    return found
  }

  async #reload(): Promise<WorkingDayCalendar> {
    const years = await listCalendarYears(this.db)
    this.#calendar = new WorkingDayCalendar(years)
    this.#years = years
    this.#loadedAt = this.clock.now().getTime()
    return this.#calendar
  }

  /** Validates, stores and switches to a year's schedule (an admin loading next year's State Council notice). */
  async replaceYear(schedule: CalendarYearSchedule, loadedByKeyId: string | null): Promise<StoredCalendarYear> {
    const issues = validateCalendarYear(schedule)
    if (issues.length > 0) {
      throw new ValidationFailedError(`The ${schedule.year} schedule is not valid: ${issues.map((i) => i.message).join('; ')}`, issues, 'invalid_calendar').withParams('year', {
        year: schedule.year,
      })
    }
    const single = new WorkingDayCalendar([schedule])
    await upsertCalendarYear(this.db, { ...schedule, fingerprint: single.yearFingerprint(schedule.year) as string }, this.clock.now(), loadedByKeyId)
    await this.#reload()
    const stored = this.#years.find((y) => y.year === schedule.year)
    if (!stored) throw new Error(`calendar year ${schedule.year} vanished after upsert`)
    return stored
  }
}
