import { z } from 'zod'
import { routeBehaviourSchema } from '../core/rules/route-behaviour.ts'
import { excavationLengthMetersSchema, voltageVoltsSchema } from '../core/rules/quantity.schema.ts'
import { geometrySchema } from '../core/geo/geometry.schema.ts'
import { caseRoadSchema, lengthCheckSchema } from '../roads/road.schema.ts'
import { civilDateSchema, instantSchema, SUPPORTED_DATES } from '../platform/http/http-schemas.ts'

/** The facts the rules decide on, with the quantity schemas the rules engine checks its input with. */
export const routeInputFields = {
  voltageVolts: voltageVoltsSchema.meta({
    description: 'Nominal voltage of the power works, in volts (400 V low voltage, 10000 V = 10 kV)',
    example: 10000,
  }),
  excavationLengthMeters: excavationLengthMetersSchema.meta({
    description: 'Length of the trench, metres, at most two decimals (exactly: 49.99, not 49.99000000000001)',
    example: 49.5,
  }),
  emergency: z.boolean().default(false).meta({ description: 'Emergency repair of a failed buried line' }),
  roadProtected: z.boolean().default(false).meta({ description: 'The road is in its protection period (5 years after construction, 3 after overhaul)' }),
}

export const assessmentRequestSchema = z
  .strictObject({
    jurisdiction: z
      .string()
      .regex(/^[a-z][a-z0-9_-]{1,31}$/, 'must be a jurisdiction code like "zhangzhou"')
      .optional()
      .meta({ description: "Jurisdiction code (GET /v1/jurisdictions) whose rule set decides; default: the deployment's default (zhangzhou)" }),
    ...routeInputFields,
    acceptedAt: instantSchema.optional().meta({ description: `When the clock starts, with an offset; its Asia/Shanghai date ${SUPPORTED_DATES}; default now` }),
    geometry: geometrySchema.optional().meta({ description: 'The works as at intake (location.geometry): measured and matched to the road register' }),
    plannedStartDate: civilDateSchema
      .optional()
      .meta({ description: 'Planned first day of the works (protection and restrictions are checked on it); default the acceptance date' }),
    plannedEndDate: civilDateSchema.optional().meta({ description: 'Planned last day; default the start date' }),
  })
  .superRefine((body, ctx) => {
    if (body.plannedStartDate && body.plannedEndDate && body.plannedEndDate < body.plannedStartDate) {
      ctx.addIssue({ code: 'custom', path: ['plannedEndDate'], message: 'must not be before plannedStartDate' })
    }
  })
export type AssessmentRequest = z.infer<typeof assessmentRequestSchema>

export const explanationItemSchema = z.object({ code: z.string(), text: z.string(), basis: z.string() }).meta({ id: 'ExplanationItem' })
export const timeLimitSchema = z
  .object({ amount: z.number(), unit: z.enum(['working_days', 'hours']) })
  .nullable()
  .meta({ id: 'TimeLimit' })
export const ruleSetRefSchema = z.object({ id: z.string(), version: z.number().int(), effectiveFrom: z.string() }).meta({ id: 'RuleSetRef' })
const stageDueSchema = z.object({ key: z.string(), name: z.string(), workingDays: z.number().int(), dueDate: z.string() })

export const assessmentResponseSchema = z
  .object({
    jurisdiction: z.string(),
    route: z.string(),
    behaviour: routeBehaviourSchema.meta({ description: 'What the lifecycle does on the route (docs/jurisdictions.md)' }),
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
    lengthCheck: lengthCheckSchema,
    roads: z.array(caseRoadSchema).meta({ description: 'Register roads the works run along or cross' }),
  })
  .meta({ id: 'Assessment' })
