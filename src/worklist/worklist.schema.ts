import { z } from 'zod'
import { routeSchema } from '../core/rules/rule-set.schema.ts'

/** The queues of the office's worklist: the first four are where a case is, the others views across them. */
const WORKLIST_QUEUES = ['awaiting_acceptance', 'supplement_pending', 'in_review', 'change_pending', 'due_soon', 'yellow', 'red', 'overdue'] as const

/** "Due soon": a running clock with at most this many working days remaining (and not overdue), unless dueSoonDays says otherwise. */
const DUE_SOON_WORKING_DAYS = 2

const warningLevelSchema = z.enum(['yellow', 'red', 'overdue']).nullable()

export const worklistQuerySchema = z.strictObject({
  queue: z.enum(WORKLIST_QUEUES).optional().meta({ description: 'Only this queue (the counts ignore it)' }),
  stage: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be a stage key such as joint_review')
    .optional()
    .meta({ description: 'Only cases in review at this stage (a sub-queue of in_review; the counts ignore it)' }),
  district: z.string().max(100).optional(),
  route: routeSchema.optional(),
  organization: z.string().max(32).optional().meta({ description: 'Organization code' }),
  dueSoonDays: z.coerce
    .number()
    .int()
    .min(0)
    .max(10)
    .default(DUE_SOON_WORKING_DAYS)
    .meta({ description: `due_soon: a running clock with 0 to this many working days remaining (default ${DUE_SOON_WORKING_DAYS})` }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional().meta({ description: 'nextCursor of the previous page' }),
})
export type WorklistQuery = z.infer<typeof worklistQuerySchema>

const worklistItemSchema = z.object({
  id: z.uuid(),
  caseNumber: z.string(),
  status: z.string().meta({ description: "submitted, accepted or supplement_requested; for change_pending the approved case's status (approved, works_started, …)" }),
  route: z.string(),
  district: z.string(),
  organization: z.string().meta({ description: 'Organization code' }),
  queue: z.enum(['awaiting_acceptance', 'supplement_pending', 'in_review', 'change_pending']),
  stage: z.object({ key: z.string(), name: z.string(), index: z.number().int().min(0).meta({ description: "0-based position in the case's stagePlan" }) }).nullable(),
  dueAt: z
    .string()
    .nullable()
    .meta({ description: 'As GET /v1/cases/{id} dueAt (Asia/Shanghai, with offset); null before acceptance, while paused, and for change_pending (no statutory clock)' }),
  dueDate: z.string().nullable(),
  workingDaysRemaining: z.number().int().nullable().meta({ description: 'Asia/Shanghai working days; negative when overdue' }),
  warningLevel: warningLevelSchema.meta({ description: 'As GET /v1/cases/{id} clock.warningLevel, now' }),
})

export const worklistResponseSchema = z
  .object({
    asOf: z.string().meta({ description: 'The instant the worklist was computed for (Asia/Shanghai)' }),
    today: z.string().meta({ description: 'The Shanghai date of asOf' }),
    dueSoonDays: z.number().int(),
    items: z.array(worklistItemSchema),
    nextCursor: z.string().nullable(),
    counts: z.object({
      total: z.number().int(),
      queues: z.object({
        awaiting_acceptance: z.number().int(),
        in_review: z.number().int(),
        supplement_pending: z.number().int(),
        change_pending: z.number().int(),
      }),
      stages: z.record(z.string(), z.number().int()).meta({ description: 'Cases in review per current stage key (stages with a case only)' }),
      dueSoon: z.number().int(),
      yellow: z.number().int(),
      red: z.number().int(),
      overdue: z.number().int(),
    }),
  })
  .meta({ id: 'Worklist' })
export type WorklistResponse = z.infer<typeof worklistResponseSchema>
