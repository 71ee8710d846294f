import { z } from 'zod'
import { calendarYearNumberSchema, civilDateSchema } from '../platform/http/http-schemas.ts'

export const calendarYearSchema = z
  .object({
    year: z.number().int(),
    holidays: z.array(z.string()),
    makeupWorkdays: z.array(z.string()),
    source: z.string(),
    fingerprint: z.string(),
    loadedAt: z.string(),
  })
  .meta({ id: 'CalendarYear' })

export const calendarYearParamsSchema = z.object({ year: calendarYearNumberSchema })

export const calendarYearRequestSchema = z.object({
  holidays: z.array(civilDateSchema).max(366),
  makeupWorkdays: z.array(civilDateSchema).max(120),
  source: z.string().trim().min(1).max(500).optional().meta({ description: 'Where the dates come from, e.g. the notice reference' }),
})
