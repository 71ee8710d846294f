import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { formatShanghaiInstant } from '../core/calendar/civil-date.ts'
import { commonProblemResponses, problemSchema, uuidSchema } from '../platform/http/http-schemas.ts'
import { ROLES } from '../core/access/principal.ts'
import type { ApiKeyRecord } from './api-key.repository.ts'
import { createApiKey, listApiKeyRecords, revokeApiKeyById } from './api-key.service.ts'

const roleSchema = z.enum(ROLES)

const apiKeySchema = z
  .object({
    id: z.string(),
    prefix: z.string(),
    role: roleSchema,
    organization: z.string().nullable(),
    jurisdiction: z.string().nullable().meta({ description: 'The jurisdiction the key is scoped to; null: every jurisdiction' }),
    name: z.string().nullable(),
    createdAt: z.string(),
    revokedAt: z.string().nullable(),
  })
  .meta({ id: 'ApiKey' })

const present = (record: ApiKeyRecord) => ({
  id: record.id,
  prefix: record.prefix,
  role: record.role,
  organization: record.organizationCode,
  jurisdiction: record.jurisdictionCode,
  name: record.name,
  createdAt: formatShanghaiInstant(record.createdAt),
  revokedAt: record.revokedAt ? formatShanghaiInstant(record.revokedAt) : null,
})

export const apiKeyRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/api-keys/me',
    {
      config: { roles: ROLES },
      schema: {
        tags: ['api-keys'],
        summary: 'Who the calling key is',
        response: {
          200: z.object({
            keyId: z.string(),
            role: roleSchema,
            organization: z.string().nullable(),
            jurisdiction: z.string().nullable(),
            allowedOperations: z.array(z.string()).meta({
              description:
                'Every operation the key may call, as "METHOD /path" with the paths of this document (e.g. "POST /v1/cases"); what a case allows now is its own allowedActions',
              example: ['GET /v1/cases', 'GET /v1/cases/{id}', 'POST /v1/cases'],
            }),
          }),
          ...commonProblemResponses,
        },
      },
    },
    async (request) => ({
      keyId: request.principal.keyId,
      role: request.principal.role,
      organization: request.principal.organizationCode,
      jurisdiction: request.principal.jurisdictionCode ?? null,
      allowedOperations: app.operationsAllowedTo(request.principal.role),
    }),
  )

  app.post(
    '/api-keys',
    {
      config: { roles: ['admin'], idempotencyRedact: ['key'] },
      schema: {
        tags: ['api-keys'],
        summary: 'Create an API key (the key is shown once)',
        body: z.object({
          role: roleSchema,
          organization: z.string().min(2).max(32).optional().meta({ description: 'Organization code; required for dispatch; created on first use' }),
          name: z.string().trim().min(1).max(200).optional(),
          jurisdiction: z
            .string()
            .min(2)
            .max(32)
            .optional()
            .meta({ description: "Scopes an office key (default: the deployment's default) or an auditor key (default: every jurisdiction); a new organization is created in it" }),
        }),
        response: { 201: apiKeySchema.extend({ key: z.string() }), 422: problemSchema, ...commonProblemResponses },
      },
    },
    async (request, reply) => {
      const { key, record } = await createApiKey(app.db, {
        role: request.body.role,
        organizationCode: request.body.organization,
        jurisdictionCode: request.body.jurisdiction,
        name: request.body.name,
        createdByKeyId: request.principal.keyId,
      })
      request.log.info({ apiKeyId: record.id, role: record.role }, 'api key created')
      return reply
        .status(201)
        .header('location', `/v1/api-keys/${record.id}`)
        .send({ ...present(record), key })
    },
  )

  app.get(
    '/api-keys',
    {
      config: { roles: ['admin'] },
      schema: { tags: ['api-keys'], summary: 'List API keys (never the secrets)', response: { 200: z.object({ items: z.array(apiKeySchema) }), ...commonProblemResponses } },
    },
    async () => ({ items: (await listApiKeyRecords(app.db)).map(present) }),
  )

  app.delete(
    '/api-keys/:id',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['api-keys'],
        summary: 'Revoke an API key',
        params: z.object({ id: uuidSchema }),
        response: { 200: apiKeySchema, 404: problemSchema, ...commonProblemResponses },
      },
    },
    async (request) => {
      const revoked = await revokeApiKeyById(app.db, request.params.id, app.clock.now())
      app.forgetApiKey(revoked.id)
      request.log.info({ apiKeyId: revoked.id }, 'api key revoked')
      return present(revoked)
    },
  )
}
