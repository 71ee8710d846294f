import { z } from 'zod'

/** A signed checkpoint as the API shows it: the audit routes and the public permit verification (one schema). */
export const checkpointSchema = z
  .object({
    format: z.literal('gc-audit-checkpoint/1'),
    sequence: z.number().int(),
    createdAt: z.string(),
    caseCount: z.number().int(),
    eventCount: z.number().int(),
    merkleRoot: z.string(),
    previousHash: z.string().nullable(),
    keyId: z.string(),
    hash: z.string(),
    signature: z.string(),
  })
  .meta({
    id: 'AuditCheckpoint',
    description:
      'A signed checkpoint (docs/audit.md). The signature (Ed25519, base64) and `hash` (SHA-256, hex) are over the canonical JSON of the object without `hash` and `signature`.',
  })
