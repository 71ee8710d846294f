import { z } from 'zod'
import { fieldIssueSchema } from '../../core/validation/field-issue.ts'

/**
 * Shared pieces of the HTTP contract. The value schemas (dates, instants, quantities, the field-issue
 * shape) are defined once in the core, where the rules and the lifecycle check the same values; the date
 * schemas are re-exported here for the routes.
 */
export { calendarYearNumberSchema, civilDateSchema, instantSchema, SUPPORTED_DATES } from '../../core/calendar/date.schema.ts'

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    requestId: z.string(),
    instance: z.string().optional(),
    errors: z.array(fieldIssueSchema).optional(),
  })
  .loose()
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' })

/** The problem responses every authenticated route can give. */
export const commonProblemResponses = {
  400: problemSchema,
  401: problemSchema,
  403: problemSchema,
  /** rate_limited: over RATE_LIMIT_PER_KEY or RATE_LIMIT_UNAUTHENTICATED_PER_ADDRESS; Retry-After says when to retry. */
  429: problemSchema,
  503: problemSchema,
} as const

export const uuidSchema = z.uuid({ message: 'must be a UUID' })
