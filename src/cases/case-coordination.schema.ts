import { z } from 'zod'
import { uuidSchema } from '../platform/http/http-schemas.ts'

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`)

const periodView = z
  .object({ from: z.string(), to: z.string() })
  .nullable()
  .meta({ description: "The other case's works period (approved, else planned), inclusive; null once it no longer digs" })

const clashDecisionSchema = z
  .object({
    action: z.enum(['link_works', 'dismiss_clash']),
    kind: z.enum(['joint_trench', 'sequenced']).optional(),
    note: z.string().optional(),
    reason: z.string().optional(),
    decidedAt: z.string(),
    decidedBy: z.object({ keyId: z.string(), role: z.string() }),
  })
  .nullable()

const clashSchema = z
  .union([
    z.object({
      caseId: z.string(),
      caseNumber: z.string(),
      road: z.string(),
      period: periodView,
      distanceMeters: z.number().meta({ description: 'Geodesic distance between the two works geometries, metres (0: they cross or touch)' }),
      overlapFrom: z.string().meta({ description: 'First day both works dig (inclusive)' }),
      overlapTo: z.string().meta({ description: 'Last day both works dig (inclusive)' }),
      sameRoad: z.boolean(),
      status: z.enum(['open', 'linked', 'dismissed']),
      decision: clashDecisionSchema,
    }),
    z.object({ caseNumber: z.string(), road: z.string(), period: periodView }).meta({ description: "Another organization's case, as a dispatch key sees it" }),
  ])
  .meta({ id: 'Clash' })

export const coordinationSchema = z.object({ clashes: z.array(clashSchema) }).meta({
  id: 'Coordination',
  description: "Other open works within the rule set's clash buffer (default 10 m) over a shared day, nearest first",
})

export const coordinationRequestSchema = z
  .discriminatedUnion('action', [
    z.strictObject({ action: z.literal('link_works'), otherCaseId: uuidSchema, kind: z.enum(['joint_trench', 'sequenced']), note: text(2000) }),
    z.strictObject({ action: z.literal('dismiss_clash'), otherCaseId: uuidSchema, reason: text(2000) }),
  ])
  .meta({ id: 'CoordinationRequest' })
