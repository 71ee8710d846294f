import { deadlineExplanationSchema } from '../calendar/calendar.schema.ts'
import { z } from 'zod'
import { longText, shortText } from '../core/validation/text.schema.ts'
import { explanationItemSchema, routeInputFields, ruleSetRefSchema, timeLimitSchema } from '../assessments/assessment.schema.ts'
import { geometrySchema } from '../core/geo/geometry.schema.ts'
import { caseRoadSchema, lengthCheckSchema } from '../roads/road.schema.ts'
import { coordinationSchema } from './case-coordination.schema.ts'
import { actions, caseStatuses } from '../core/lifecycle/lifecycle.types.ts'
import { excavationWidthMetersSchema } from '../core/rules/quantity.schema.ts'
import { routeBehaviourSchema } from '../core/rules/route-behaviour.ts'
import { routeSchema } from '../core/rules/rule-set.schema.ts'
import { civilDateSchema, SUPPORTED_DATES } from '../platform/http/http-schemas.ts'

/** A jurisdiction code as requests carry it (the table's check, migration 2026-12-01T0600). */
const jurisdictionFieldSchema = z.string().regex(/^[a-z][a-z0-9_-]{1,31}$/, 'must be a jurisdiction code like "zhangzhou"')

const looseRecord = z.record(z.string(), z.unknown())

export const createCaseRequestSchema = z
  .strictObject({
    externalReference: shortText(100).optional().meta({ description: "The applicant's own reference; unique per organization" }),
    organization: z
      .string()
      .min(2)
      .max(32)
      .optional()
      .meta({ description: 'Organization code: required when an office key submits on behalf of an applicant; a dispatch key always submits for its own' }),
    jurisdiction: jurisdictionFieldSchema
      .optional()
      .meta({ description: "Jurisdiction code (GET /v1/jurisdictions); default: the organization's, which is the deployment's default (zhangzhou) unless made otherwise" }),
    ...routeInputFields,
    excavationWidthMeters: excavationWidthMetersSchema.optional().meta({ description: 'Width of the trench, metres, at most two decimals' }),
    works: z.strictObject({ title: shortText(200), description: longText(5000).optional() }),
    location: z.strictObject({
      district: shortText(100),
      roadName: shortText(200),
      description: longText(2000).optional(),
      geometry: geometrySchema.optional(),
    }),
    plannedStartDate: civilDateSchema,
    plannedEndDate: civilDateSchema,
    contact: z.strictObject({
      name: shortText(100),
      phone: z
        .string()
        .trim()
        .regex(/^\+?[0-9][0-9 -]{5,24}$/, 'must be a phone number of digits, spaces or dashes'),
    }),
    commitment: z
      .strictObject({ signedBy: shortText(100), statement: longText(5000) })
      .optional()
      .meta({ description: 'Required for commitment filing (≤ 400 V, ≤ 200 m)' }),
  })
  .superRefine((body, ctx) => {
    if (body.plannedEndDate < body.plannedStartDate) {
      ctx.addIssue({ code: 'custom', path: ['plannedEndDate'], message: 'must not be before plannedStartDate' })
    }
  })

export type CreateCaseRequest = z.infer<typeof createCaseRequestSchema>

/** Electronic supervision level (core/lifecycle/supervision.ts). */
const warningLevelSchema = z.enum(['yellow', 'red', 'overdue']).nullable()

export const caseResponseSchema = z
  .object({
    id: z.string(),
    number: z.string(),
    externalReference: z.string().nullable(),
    organization: z.string(),
    jurisdiction: z.string().meta({ description: 'The jurisdiction whose rule set decided the case and whose prefix its number carries' }),
    route: z.string(),
    behaviour: routeBehaviourSchema.meta({ description: 'What the lifecycle does on the route (docs/jurisdictions.md)' }),
    status: z.enum(caseStatuses),
    allowedActions: z.array(z.enum(actions)).meta({ description: 'What the calling key may do now (POST /v1/cases/{id}/transitions)' }),
    requiresApproval: z.boolean(),
    requiresJointReview: z.boolean(),
    timeLimit: timeLimitSchema,
    approvingAuthority: z.string().nullable(),
    stagePlan: z.array(z.object({ key: z.string(), name: z.string(), workingDays: z.number().int() })),
    ruleSet: ruleSetRefSchema,
    explanation: z.array(explanationItemSchema),
    dueDate: z.string().nullable().meta({ description: 'End of this Shanghai date is the deadline (emergency: the date of the 24-hour formalities deadline)' }),
    dueAt: z.string().nullable(),
    paused: z.boolean().meta({ description: 'Clock paused by a supplement request (补正)' }),
    workingDaysUsed: z.number().int().nullable(),
    workingDaysRemaining: z.number().int().nullable().meta({ description: 'Negative when overrun' }),
    overdue: z.boolean().meta({ description: 'Past the deadline of the clock, the current stage, or the emergency formalities; never approved by default' }),
    provisional: z.boolean().meta({ description: 'The deadline runs into a year whose schedule is not loaded (weekends only)' }),
    currentStage: z
      .object({
        key: z.string(),
        name: z.string(),
        startedOn: z.string().nullable(),
        dueDate: z.string().nullable(),
        dueAt: z.string().nullable(),
        overdue: z.boolean(),
        warningLevel: warningLevelSchema.optional().meta({ description: "The stage's own warning level (stage thresholds of the route)" }),
      })
      .nullable(),
    clock: z
      .object({
        status: z.enum(['running', 'paused', 'stopped']),
        startedOn: z.string(),
        dueDate: z.string().nullable(),
        dueAt: z.string().nullable(),
        paused: z.boolean(),
        pausedSince: z.string().nullable(),
        stopped: z.boolean(),
        stoppedOn: z.string().nullable(),
        workingDaysUsed: z.number().int(),
        workingDaysRemaining: z.number().int().nullable(),
        overdue: z.boolean(),
        stoppedLate: z.boolean().nullable(),
        provisional: z.boolean(),
        limitWorkingDays: z.number().int().nullable(),
        extended: z.boolean(),
        calendarFingerprint: z.string(),
        warningLevel: warningLevelSchema.meta({
          description:
            'Electronic supervision of the overall clock: yellow once workingDaysUsed × 100 ≥ yellowPercent × limit (default 50 %), red at redPercent (default 90 %), overdue past the due date; null below yellow and once the clock has stopped',
        }),
        explanation: deadlineExplanationSchema.nullable().meta({ description: 'The overall due date explained day by day (null with no limit)' }),
        ledger: z.array(
          z.object({
            kind: z.enum(['start', 'pause', 'resume', 'stop', 'extend']),
            at: z.string(),
            date: z.string(),
            reason: z.string(),
            actor: z.object({ keyId: z.string(), role: z.string() }),
            limitWorkingDays: z.number().int().nullable(),
            workingDaysUsed: z.number().int(),
            workingDaysRemaining: z.number().int().nullable(),
            dueDate: z.string().nullable(),
            provisional: z.boolean(),
          }),
        ),
      })
      .nullable()
      .meta({ description: 'The statutory clock and its ledger: every start, pause, resume, extension and stop with when, why, who and the working days remaining' }),
    stages: z
      .array(looseRecord)
      .meta({ description: '"4+2+1+1" joint-review stages: start, due date, completion, lateness, department opinions, and `explanation` (DeadlineExplanation) of the due date' }),
    formalities: looseRecord.nullable(),
    acceptance: looseRecord.nullable(),
    notAccepted: looseRecord.nullable(),
    supplements: z.array(looseRecord),
    decision: looseRecord.nullable().meta({ description: 'Approval (binding position, area, period, conditions) or refusal (reasons)' }),
    extension: looseRecord.nullable(),
    worksProgress: looseRecord,
    inspections: z.array(looseRecord),
    pendingChange: looseRecord.nullable(),
    changes: z.array(looseRecord),
    withdrawal: looseRecord.nullable(),
    closure: looseRecord.nullable(),
    revocation: looseRecord.nullable(),
    voltageVolts: z.number().int(),
    excavationLengthMeters: z.number(),
    excavationWidthMeters: z.number().nullable(),
    emergency: z.boolean(),
    roadProtected: z.boolean().meta({ description: 'As declared; the register decides protection too (roads[].protection), and true still forces special approval' }),
    lengthCheck: lengthCheckSchema,
    roads: z.array(caseRoadSchema).meta({ description: 'Register roads the works run along or cross, as the register had them when the route was decided' }),
    works: z.object({ title: z.string(), description: z.string().optional() }),
    location: z.object({ district: z.string(), roadName: z.string(), description: z.string().optional(), geometry: geometrySchema.optional() }),
    plannedStartDate: z.string(),
    plannedEndDate: z.string(),
    contact: z.object({ name: z.string(), phone: z.string() }),
    commitment: z.object({ signedBy: z.string(), statement: z.string() }).nullable(),
    filingReceiptNumber: z.string().nullable(),
    submittedAt: z.string(),
    formalitiesDueAt: z.string().nullable(),
    version: z.number().int(),
    updatedAt: z.string(),
    coordination: coordinationSchema.optional().meta({ description: 'Clashes with other works: on one case read or written (not in lists)' }),
  })
  .meta({ id: 'Case' })

export const caseListQuerySchema = z.strictObject({
  status: z.enum(caseStatuses).optional(),
  route: routeSchema.optional(),
  organization: z.string().max(32).optional(),
  jurisdiction: jurisdictionFieldSchema.optional().meta({ description: 'Only this jurisdiction (a scoped key sees its own only)' }),
  district: z.string().max(100).optional(),
  submittedFrom: civilDateSchema.optional().meta({ description: `Submitted on or after this date, ${SUPPORTED_DATES}` }),
  submittedTo: civilDateSchema.optional().meta({ description: `Submitted on or before this date, ${SUPPORTED_DATES}` }),
  overdue: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .optional()
    .meta({ description: 'true: a pending deadline (clock, current stage, emergency formalities) has passed' }),
  warningLevel: warningLevelSchema
    .unwrap()
    .optional()
    .meta({ description: "The overall clock's warning level as of the last transition or scheduler sweep (kept in an indexed column)" }),
  dueWithinWorkingDays: z.coerce
    .number()
    .int()
    .min(0)
    .max(60)
    .optional()
    .meta({ description: 'Due soon: pending and due within N working days from today (Asia/Shanghai), not yet overdue' }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional().meta({ description: 'nextCursor of the previous page' }),
})
export type CaseListQuery = z.infer<typeof caseListQuerySchema>
