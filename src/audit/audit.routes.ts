import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { commonProblemResponses, problemSchema, uuidSchema } from '../platform/http/http-schemas.ts'
import { checkpointSchema } from './audit.schema.ts'
import { checkpointBySequence, checkpointPage, caseAuditProof, problemKinds, publicKeyOf, takeCheckpoint, verifyCaseHistory, verifyHistory } from './audit.service.ts'

const problemItemSchema = z
  .object({ caseId: z.string().nullable(), caseNumber: z.string().nullable(), kind: z.enum(problemKinds), detail: z.string() })
  .meta({ id: 'AuditProblem' })

const sequenceParams = z.object({ sequence: z.coerce.number().int().min(1).max(2_147_483_647) })
const caseParams = z.object({ id: uuidSchema })
const READERS = ['office', 'auditor', 'admin'] as const

export const auditRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/audit/checkpoints',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['audit'],
        summary: 'Take and sign a checkpoint of every case now',
        description: 'Also taken every AUDIT_CHECKPOINT_INTERVAL_MS, once among all instances. Appended to AUDIT_CHECKPOINT_LOG.',
        response: { 201: checkpointSchema, ...commonProblemResponses },
      },
    },
    async (request, reply) => {
      const checkpoint = await takeCheckpoint(app.audit, { wait: true })
      // wait: true always takes one.
      const created = checkpoint as NonNullable<typeof checkpoint>
      request.log.info({ sequence: created.sequence }, 'audit checkpoint taken on demand')
      const { carriedForward: _, ...signed } = created
      return reply.status(201).header('location', `/v1/audit/checkpoints/${created.sequence}`).send(signed)
    },
  )

  app.get(
    '/audit/checkpoints',
    {
      config: { roles: [...READERS] },
      schema: {
        tags: ['audit'],
        summary: 'Signed checkpoints, newest first',
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(200).default(50),
          cursor: z.string().max(500).optional().meta({ description: 'nextCursor of the previous page' }),
        }),
        response: { 200: z.object({ items: z.array(checkpointSchema), nextCursor: z.string().nullable() }), ...commonProblemResponses },
      },
    },
    async (request) => await checkpointPage(app.db, request.query),
  )

  app.get(
    '/audit/checkpoints/:sequence',
    {
      config: { roles: [...READERS] },
      schema: { tags: ['audit'], summary: 'One signed checkpoint', params: sequenceParams, response: { 200: checkpointSchema, 404: problemSchema, ...commonProblemResponses } },
    },
    async (request) => await checkpointBySequence(app.db, request.params.sequence),
  )

  app.get(
    '/audit/public-key',
    {
      config: { roles: [...READERS] },
      schema: {
        tags: ['audit'],
        summary: 'The public key that verifies checkpoint signatures',
        description: '`keyId` is the hex SHA-256 of the key in DER SubjectPublicKeyInfo form; checkpoints name it.',
        response: { 200: z.object({ keyId: z.string(), algorithm: z.literal('Ed25519'), publicKeyPem: z.string() }), ...commonProblemResponses },
      },
    },
    async () => await publicKeyOf(app.audit),
  )

  app.get(
    '/audit/verify',
    {
      config: { roles: ['auditor', 'office'] },
      schema: {
        tags: ['audit'],
        summary: 'Verify the whole history against the signed checkpoints',
        description:
          'Checks the checkpoint chain and signatures; every case chain; every case state against a replay of its events through the lifecycle (status, version = event count, clock, stages); ' +
          'and that every case of the latest checkpoint is still present with a chain extending the checkpointed head. Reads cases in batches: at a million cases it takes minutes.',
        response: {
          200: z.object({
            valid: z.boolean(),
            checkedCases: z.number().int(),
            checkedEvents: z.number().int(),
            checkpoint: checkpointSchema.nullable(),
            problems: z.array(problemItemSchema),
          }),
          ...commonProblemResponses,
        },
      },
    },
    async () => {
      const [calendar, key] = [await app.calendarService.calendar(), await app.audit.signingKey.keyPair()]
      return await verifyHistory({ db: app.db, calendar, publicKey: key.publicKey, source: { kind: 'database' } })
    },
  )

  app.get(
    '/cases/:id/events/verify',
    {
      config: { roles: ['office', 'auditor'] },
      schema: {
        tags: ['cases'],
        summary: "Recompute a case's hash chain, replay its state and compare it with the latest checkpoint",
        description:
          "Each event stores the SHA-256 of its content and of the previous event's hash. Any row changed, removed or reordered behind the service's back breaks the chain from that event on. " +
          'The case row is compared with a replay of its events through the lifecycle, and the chain with the head the latest signed checkpoint holds. `valid` is true when all three hold.',
        params: caseParams,
        response: {
          200: z.object({
            caseId: z.string(),
            valid: z.boolean(),
            events: z.number().int(),
            lastHash: z.string().nullable(),
            firstBreak: z.object({ seq: z.number().int(), reason: z.enum(['hash_mismatch', 'prev_hash_mismatch', 'seq_gap']), expected: z.string(), found: z.string() }).nullable(),
            stateMatchesReplay: z.boolean(),
            checkpoint: z
              .object({
                sequence: z.number().int(),
                createdAt: z.string(),
                included: z.boolean(),
                eventCount: z.number().int().nullable(),
                headHash: z.string().nullable(),
                extended: z.boolean().nullable().meta({ description: 'The chain still extends the checkpointed head; null when the case is newer than the checkpoint' }),
              })
              .nullable(),
            problems: z.array(problemItemSchema),
          }),
          404: problemSchema,
          ...commonProblemResponses,
        },
      },
    },
    async (request) => await verifyCaseHistory(app.db, request.principal, request.params.id, await app.calendarService.calendar()),
  )

  app.get(
    '/cases/:id/audit-proof',
    {
      config: { roles: ['dispatch', 'office', 'auditor'] },
      schema: {
        tags: ['cases', 'audit'],
        summary: "A case's sealed events and its Merkle inclusion proof in a signed checkpoint",
        description: 'Against the latest checkpoint unless `checkpoint` names one. docs/audit.md and the README show how to check it with node:crypto alone.',
        params: caseParams,
        querystring: z.object({ checkpoint: z.coerce.number().int().min(1).max(2_147_483_647).optional() }),
        response: {
          200: z.object({
            caseId: z.string(),
            caseNumber: z.string(),
            events: z.array(z.object({ sealed: z.record(z.string(), z.unknown()), hash: z.string() })),
            leaf: z.object({ caseId: z.string(), eventCount: z.number().int(), headHash: z.string() }),
            leafIndex: z.number().int(),
            treeSize: z.number().int(),
            path: z.array(z.object({ side: z.enum(['left', 'right']), hash: z.string() })),
            checkpoint: checkpointSchema,
            keyId: z.string(),
          }),
          404: problemSchema,
          ...commonProblemResponses,
        },
      },
    },
    async (request) => await caseAuditProof(app.audit, request.principal, request.params.id, request.query.checkpoint),
  )
}
