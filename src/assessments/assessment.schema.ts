import { z } from 'zod'
import { instantSchema } from '../platform/http/http-schemas.ts'

/** Lengths are metres with at most two decimals (domain.md §2): checked on the exact decimal, not a float. */
const hasAtMostTwoDecimals = (value: number) => Math.abs(value * 100 - Math.round(value * 100)) < 1e-6

export const routeInputFields = {
  voltageVolts: z
    .number()
    .int('must be a whole number of volts')
    .positive('must be a positive number of volts')
    .max(1_000_000, 'must be at most 1000000 V')
    .meta({ description: 'Nominal voltage of the power works, in volts (400 V low voltage, 10000 V = 10 kV)', example: 10000 }),
  excavationLengthMeters: z
    .number()
    .positive('must be a positive length in metres')
    .max(100_000, 'must be at most 100000 m')
    .refine(hasAtMostTwoDecimals, 'must have at most two decimals')
    .meta({ description: 'Length of the trench, metres, at most two decimals', example: 49.5 }),
  emergency: z.boolean().default(false).meta({ description: 'Emergency repair of a failed buried line' }),
  roadProtected: z
    .boolean()
    .default(false)
    .meta({ description: 'The road is in its protection period (5 years after construction, 3 after overhaul)' }),
}

export const assessmentRequestSchema = z.strictObject({
  ...routeInputFields,
  acceptedAt: instantSchema.optional().meta({ description: 'When the clock starts; default now' }),
})

export const explanationItemSchema = z.object({ code: z.string(), text: z.string(), basis: z.string() }).meta({ id: 'ExplanationItem' })
export const timeLimitSchema = z
  .object({ amount: z.number(), unit: z.enum(['working_days', 'hours']) })
  .nullable()
  .meta({ id: 'TimeLimit' })
export const ruleSetRefSchema = z.object({ id: z.string(), version: z.number().int(), effectiveFrom: z.string() }).meta({ id: 'RuleSetRef' })
export const stageDueSchema = z.object({ key: z.string(), name: z.string(), workingDays: z.number().int(), dueDate: z.string() })

export const assessmentResponseSchema = z
  .object({
    route: z.string(),
    requiresApproval: z.boolean(),
    requiresJointReview: z.boolean(),
    timeLimit: timeLimitSchema,
    approvingAuthority: z.string().nullable(),
    acceptedAt: z.string(),
    dueDate: z.string().nullable(),
    dueAt: z.string().nullable(),
    provisional: z.boolean(),
    stages: z.array(stageDueSchema),
    ruleSet: ruleSetRefSchema,
    calendarFingerprint: z.string(),
    explanation: z.array(explanationItemSchema),
  })
  .meta({ id: 'Assessment' })
