/**
 * A deadline that explains itself (docs/domain.md §3): every day from the day after the start up to the due date,
 * each either counted (a weekday, or a weekend make-up workday 调休 with the holiday it makes up for) or skipped with
 * its reason (weekend, the named statutory holiday, a pause of the clock), and whether any day came from a year whose
 * schedule is not loaded (provisional: weekends only). Pure; counts exactly as addActiveWorkingDays does.
 */
import { type CivilDate, fromDayNumber, isoWeekdayOfDayNumber, toDayNumber, yearOf } from './civil-date.ts'
import type { WorkingDayCalendar } from './working-day-calendar.ts'
import type { Locale } from '../i18n/locale.ts'

/** A span in which working days are not counted: from < d <= to (to null: still open). */
export interface ExplainedPause {
  from: CivilDate
  to: CivilDate | null
  reason?: string
}

export type DayKind = 'workday' | 'makeup_workday' | 'weekend' | 'holiday' | 'paused'

export interface ExplainedDay {
  date: CivilDate
  weekday: 'Mon' | 'Tue' | 'Wed' | 'Thu' | 'Fri' | 'Sat' | 'Sun'
  kind: DayKind
  /** The ordinal of a counted working day (1, 2, …); null for a skipped day. */
  counted: number | null
  /** zh and en, e.g. "调休上班（春节）make-up workday for 春节 Spring Festival". */
  reason: string
  /** The holiday's name (holiday), or the holiday a make-up workday makes up for. */
  holiday: string | null
  provisional: boolean
}

export interface DeadlineExplanation {
  from: CivilDate
  workingDays: number
  /** null while an open pause comes before the due date (unknown until it ends). */
  dueDate: CivilDate | null
  days: ExplainedDay[]
  countedDates: CivilDate[]
  skipped: Array<{ date: CivilDate; kind: 'weekend' | 'holiday' | 'paused'; holiday: string | null }>
  makeupWorkdaysCounted: Array<{ date: CivilDate; makesUpFor: string | null }>
  pauses: ExplainedPause[]
  /** Years without a loaded schedule that the count ran through (weekends only). */
  provisionalYears: number[]
  provisional: boolean
  /** Says what the due date is when it is not an ordinary weekday (a make-up Saturday). */
  dueDateNote: string | null
  summary: string
}

const WEEKDAYS = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const
const WEEKDAY_ZH = ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日'] as const

function nameOf(calendar: WorkingDayCalendar, date: CivilDate, key: 'holidayNames' | 'makeupWorkdayNames'): string | null {
  return calendar.schedule(yearOf(date))?.[key]?.[date] ?? null
}

/** The listed holidays of a loaded year as a set (a weekend inside a holiday span is listed too). */
const listedHolidays = new WeakMap<object, Set<CivilDate>>()
function isListedHoliday(calendar: WorkingDayCalendar, date: CivilDate): boolean {
  const schedule = calendar.schedule(yearOf(date))
  if (schedule === undefined) return false
  let set = listedHolidays.get(schedule)
  if (set === undefined) {
    set = new Set(schedule.holidays)
    listedHolidays.set(schedule, set)
  }
  return set.has(date)
}

function classify(
  calendar: WorkingDayCalendar,
  date: CivilDate,
  weekday: number,
): { kind: 'workday' | 'makeup_workday' | 'weekend' | 'holiday'; holiday: string | null; provisional: boolean } {
  const answer = calendar.isWorkingDay(date)
  const weekend = weekday >= 6
  if (answer.working) {
    return weekend
      ? { kind: 'makeup_workday', holiday: nameOf(calendar, date, 'makeupWorkdayNames'), provisional: answer.provisional }
      : { kind: 'workday', holiday: null, provisional: answer.provisional }
  }
  if (!weekend) return { kind: 'holiday', holiday: nameOf(calendar, date, 'holidayNames'), provisional: false }
  // A weekend inside a holiday span is listed as a holiday by the notice; say so.
  const holiday = nameOf(calendar, date, 'holidayNames')
  return isListedHoliday(calendar, date) ? { kind: 'holiday', holiday, provisional: false } : { kind: 'weekend', holiday: null, provisional: answer.provisional }
}

/** The Chinese name of a holiday named in both languages ("春节 Spring Festival" → "春节"); a name in one language is kept. */
function chineseNameOf(name: string): string {
  const first = name.split(/\s+/)[0] ?? name
  return /\p{Script=Han}/u.test(first) ? first : name
}

function reasonOf(kind: DayKind, holiday: string | null, weekday: number, pause: ExplainedPause | undefined, locale: Locale): string {
  if (locale === 'zh-CN') {
    const name = holiday === null ? null : chineseNameOf(holiday)
    switch (kind) {
      case 'workday':
        return '工作日'
      case 'makeup_workday':
        return `调休上班日（${WEEKDAY_ZH[weekday]}上班${name ? `，${name}调休` : ''}）`
      case 'weekend':
        return `周末（${WEEKDAY_ZH[weekday]}）`
      case 'holiday':
        return `法定节假日${name ? `：${name}` : ''}`
      case 'paused':
        return `暂停计时${pause?.reason ? `：${pause.reason}` : ''}（《中华人民共和国行政许可法》第四十五条）`
    }
  }
  switch (kind) {
    case 'workday':
      return '工作日 working day'
    case 'makeup_workday':
      return `调休上班${holiday ? `（${holiday}）` : ''} make-up workday (${WEEKDAY_ZH[weekday]} worked)${holiday ? ` for ${holiday}` : ''}`
    case 'weekend':
      return `周末 weekend (${WEEKDAYS[weekday]})`
    case 'holiday':
      return `法定节假日 statutory holiday${holiday ? `: ${holiday}` : ''}`
    case 'paused':
      return `暂停计时 clock paused${pause?.reason ? `: ${pause.reason}` : ''} (行政许可法 art. 45)`
  }
}

/** The longest explanation walked: the calendar's own bound (10 years of working days) with room for weekends. */
const MAX_DAYS = 3650 * 2 + 366

/**
 * Explains the n-th working day after `from` that is not inside a pause (pauses in time order, not overlapping).
 * The start day itself is never counted (民法典 art. 201).
 */
export function explainDeadline(calendar: WorkingDayCalendar, from: CivilDate, n: number, pauses: readonly ExplainedPause[] = [], locale: Locale = 'en'): DeadlineExplanation {
  const days: ExplainedDay[] = []
  let counted = 0
  let dueDate: CivilDate | null = n === 0 ? from : null
  let dn = toDayNumber(from)
  const spans = pauses.map((p) => ({ pause: p, from: toDayNumber(p.from), to: p.to === null ? Number.POSITIVE_INFINITY : toDayNumber(p.to) }))
  const provisionalYears = new Set<number>()
  for (let step = 0; counted < n && step < MAX_DAYS; step++) {
    dn++
    const date = fromDayNumber(dn)
    const pause = spans.find((p) => dn > p.from && dn <= p.to)?.pause
    if (pause !== undefined && pause.to === null) break // the due date is not known until the pause ends
    const weekday = isoWeekdayOfDayNumber(dn)
    const day = classify(calendar, date, weekday)
    if (day.provisional) provisionalYears.add(yearOf(date))
    const working = day.kind === 'workday' || day.kind === 'makeup_workday'
    const kind: DayKind = working && pause !== undefined ? 'paused' : day.kind
    const isCounted = working && pause === undefined
    if (isCounted) counted++
    days.push({
      date,
      weekday: WEEKDAYS[weekday] as ExplainedDay['weekday'],
      kind,
      counted: isCounted ? counted : null,
      reason: reasonOf(kind, day.holiday, weekday, pause, locale),
      holiday: day.holiday,
      provisional: day.provisional,
    })
    if (counted === n) dueDate = date
  }
  const last = days.at(-1)
  const dueDateNote =
    dueDate === null || last === undefined || last.kind !== 'makeup_workday'
      ? null
      : locale === 'zh-CN'
        ? `${dueDate}为${last.weekday === 'Sat' ? '周六' : '周日'}，系${last.holiday ? `${chineseNameOf(last.holiday)}` : ''}调休上班日，计为工作日。`
        : `${dueDate} is a ${last.weekday === 'Sat' ? 'Saturday' : 'Sunday'} worked as a make-up workday (调休${last.holiday ? `, for ${last.holiday}` : ''}): a working day`
  const skipped = days.filter((d) => d.counted === null).map((d) => ({ date: d.date, kind: d.kind as 'weekend' | 'holiday' | 'paused', holiday: d.holiday }))
  const makeups = days.filter((d) => d.kind === 'makeup_workday').map((d) => ({ date: d.date, makesUpFor: d.holiday }))
  const holidays = skipped.filter((d) => d.kind === 'holiday').length
  const weekends = skipped.filter((d) => d.kind === 'weekend').length
  const paused = skipped.filter((d) => d.kind === 'paused').length
  const zhSummary =
    dueDate === null
      ? `从${from}起第${n}个工作日：计时暂停中，截止日待恢复后确定。`
      : `${from}（当日不计）后第${n}个工作日为${dueDate}；跳过周末${weekends}天、法定节假日${holidays}天、暂停${paused}天，计入调休上班日${makeups.length}天。`
  const summary =
    locale === 'zh-CN'
      ? zhSummary
      : dueDate === null
        ? `${zhSummary}The ${n}th working day after ${from} is not known while the clock is paused.`
        : `${zhSummary} ${dueDate} is the ${n}th working day after ${from} (not counted): ${weekends} weekend day(s), ${holidays} holiday(s) and ${paused} paused day(s) skipped, ${makeups.length} make-up workday(s) counted.`
  return {
    from,
    workingDays: n,
    dueDate,
    days,
    countedDates: days.filter((d) => d.counted !== null).map((d) => d.date),
    skipped,
    makeupWorkdaysCounted: makeups,
    pauses: pauses.map((p) => ({ ...p })),
    provisionalYears: [...provisionalYears].sort((a, b) => a - b),
    provisional: provisionalYears.size > 0,
    dueDateNote,
    summary,
  }
}
