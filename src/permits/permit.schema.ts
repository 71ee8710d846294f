import { z } from 'zod'
import { checkpointSchema } from '../audit/audit.schema.ts'
import { CASE_NUMBER_PATTERN } from '../core/validation/case-number.ts'

export const permitParamsSchema = z.object({
  caseNumber: z.string().regex(CASE_NUMBER_PATTERN, 'must be a case number such as ZZ-2026-000123').meta({ description: 'The case number printed on the permit' }),
})

const PERMIT_VALIDITIES = ['in_force', 'not_yet_issued', 'period_ended', 'works_completed', 'closed', 'not_in_force'] as const

export const permitVerificationSchema = z
  .object({
    caseNumber: z.string(),
    status: z.string().meta({ description: 'The case status (approved, works_started, works_completed, …, closed)' }),
    valid: z.boolean().meta({ description: 'true: the permit is issued and in force today (status approved or works_started, today not after the approved period)' }),
    validity: z.enum(PERMIT_VALIDITIES).meta({ description: 'Why valid is what it is' }),
    approvedPosition: z.object({
      district: z.string(),
      roadName: z.string(),
      roads: z.array(z.object({ code: z.string(), name: z.string() })).meta({ description: 'Register roads the works were matched to' }),
      position: z.string().nullable().meta({ description: 'The approved position as the permit states it' }),
    }),
    approvedPeriod: z.object({ startDate: z.string(), endDate: z.string() }).nullable(),
    approvingAuthority: z.string().nullable(),
    permitIssuedAt: z.string().nullable(),
    history: z
      .object({ headHash: z.string().nullable(), eventCount: z.number().int() })
      .meta({ description: "The case's hash chain now: its last event's hash and its number of events" }),
    checkpoint: z
      .object({
        signed: checkpointSchema,
        publicKey: z
          .object({ keyId: z.string(), algorithm: z.literal('Ed25519'), publicKeyPem: z.string() })
          .nullable()
          .meta({ description: "The service's signing key when it signed this checkpoint (null when the key has changed since)" }),
        inclusion: z
          .object({
            leafIndex: z.number().int(),
            treeSize: z.number().int(),
            leaf: z.object({ caseId: z.string(), eventCount: z.number().int(), headHash: z.string() }),
            path: z.array(z.object({ side: z.enum(['left', 'right']), hash: z.string() })),
          })
          .nullable()
          .meta({ description: "The case's Merkle inclusion proof in that checkpoint; null when the case came after it" }),
      })
      .nullable()
      .meta({ description: 'Null until the first checkpoint is taken' }),
  })
  .meta({ id: 'PermitVerification' })
export type PermitVerification = z.infer<typeof permitVerificationSchema>
