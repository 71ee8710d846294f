import { z } from 'zod'
import { calendarYearNumberSchema, civilDateSchema } from '../platform/http/http-schemas.ts'

export const calendarYearSchema = z
  .object({
    year: z.number().int(),
    holidays: z.array(z.string()),
    makeupWorkdays: z.array(z.string()),
    source: z.string(),
    holidayNames: z.record(z.string(), z.string()).meta({ description: 'Holiday names by date, e.g. {"2026-02-17": "春节 Spring Festival"}' }),
    makeupWorkdayNames: z.record(z.string(), z.string()).meta({ description: 'The holiday each make-up workday (调休) makes up for, by date' }),
    fingerprint: z.string(),
    loadedAt: z.string(),
  })
  .meta({ id: 'CalendarYear' })

export const calendarYearParamsSchema = z.object({ year: calendarYearNumberSchema })

export const calendarYearRequestSchema = z.object({
  holidays: z.array(civilDateSchema).max(366),
  makeupWorkdays: z.array(civilDateSchema).max(120),
  source: z.string().trim().min(1).max(500).optional().meta({ description: 'Where the dates come from, e.g. the notice reference' }),
  holidayNames: z
    .record(civilDateSchema, z.string().trim().min(1).max(100))
    .optional()
    .meta({ description: 'Optional names of the holidays by date (each a listed holiday), e.g. {"2026-02-17": "春节 Spring Festival"}; used by deadline explanations' }),
  makeupWorkdayNames: z
    .record(civilDateSchema, z.string().trim().min(1).max(100))
    .optional()
    .meta({ description: 'Optional: the holiday each listed make-up workday makes up for, e.g. {"2026-02-14": "春节 Spring Festival"}' }),
})

/** A deadline explained day by day (core/calendar/deadline-explanation.ts). */
export const deadlineExplanationSchema = z
  .object({
    from: z.string().meta({ description: 'The start; never counted itself (民法典 art. 201)' }),
    workingDays: z.number().int(),
    dueDate: z.string().nullable(),
    days: z.array(
      z.object({
        date: z.string(),
        weekday: z.enum(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']),
        kind: z.enum(['workday', 'makeup_workday', 'weekend', 'holiday', 'paused']),
        counted: z.number().int().nullable().meta({ description: 'Ordinal of a counted working day; null when skipped' }),
        reason: z.string(),
        holiday: z.string().nullable().meta({ description: 'The holiday, or the holiday a make-up workday makes up for' }),
        provisional: z.boolean(),
      }),
    ),
    countedDates: z.array(z.string()),
    skipped: z.array(z.object({ date: z.string(), kind: z.enum(['weekend', 'holiday', 'paused']), holiday: z.string().nullable() })),
    makeupWorkdaysCounted: z.array(z.object({ date: z.string(), makesUpFor: z.string().nullable() })),
    pauses: z.array(z.object({ from: z.string(), to: z.string().nullable(), reason: z.string().optional() })),
    provisionalYears: z.array(z.number().int()),
    provisional: z.boolean(),
    dueDateNote: z.string().nullable().meta({ description: 'Set when the due date is a weekend make-up workday (调休)' }),
    summary: z.string(),
  })
  .meta({ id: 'DeadlineExplanation', description: 'Every day from the start to the due date: counted or skipped, and why' })
