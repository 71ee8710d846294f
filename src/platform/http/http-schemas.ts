import { z } from 'zod'
import { isCivilDate, parseInstant } from '../../core/calendar/civil-date.ts'

/** Shared pieces of the HTTP contract. */
export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    requestId: z.string(),
    instance: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .loose()
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' })

/** The problem responses every authenticated route can give. */
export const commonProblemResponses = {
  400: problemSchema,
  401: problemSchema,
  403: problemSchema,
  503: problemSchema,
} as const

export const civilDateSchema = z
  .string()
  .refine(isCivilDate, 'must be a real calendar date written YYYY-MM-DD')
  .meta({ type: 'string', format: 'date', example: '2026-02-12' })

/** An ISO-8601 instant with an explicit offset: a local time without one is ambiguous across time zones. */
export const instantSchema = z
  .string()
  .refine((value) => parseInstant(value) !== null, 'must be an ISO-8601 instant with an offset, e.g. 2026-02-12T10:00:00+08:00')
  .meta({ type: 'string', format: 'date-time', example: '2026-02-12T10:00:00+08:00' })

export const uuidSchema = z.uuid({ message: 'must be a UUID' })
