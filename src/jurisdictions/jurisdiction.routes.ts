import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { CASE_NUMBER_PREFIX_PATTERN } from '../core/validation/case-number.ts'
import { ROLES } from '../core/access/principal.ts'
import { formatShanghaiInstant } from '../core/calendar/civil-date.ts'
import { commonProblemResponses, problemSchema } from '../platform/http/http-schemas.ts'
import type { Jurisdiction } from './jurisdiction.repository.ts'

const jurisdictionCodeSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{1,31}$/, 'must be a lower-case code like "zhangzhou"')
  .meta({ description: 'Jurisdiction code, e.g. zhangzhou, zhongshan, yichuan (GET /v1/jurisdictions)' })

const longitude = z.number().min(-180).max(180)
const latitude = z.number().min(-90).max(90)

const jurisdictionBodySchema = z.strictObject({
  name: z.strictObject({ zh: z.string().trim().min(1).max(100), en: z.string().trim().min(1).max(100) }),
  caseNumberPrefix: z
    .string()
    .regex(CASE_NUMBER_PREFIX_PATTERN, 'must be 2 to 4 capital letters, like "ZZ"')
    .meta({ description: 'Case numbers are <prefix>-<year>-<sequence>, filing receipts <prefix>-BB-<year>-<sequence>' }),
  bbox: z
    .tuple([longitude, latitude, longitude, latitude])
    .refine(([w, s, e, n]) => w < e && s < n, 'must be [west, south, east, north] with west < east and south < north')
    .meta({ description: 'WGS 84 bounding box [west, south, east, north] (RFC 7946 §5)' }),
  timeZone: z.literal('Asia/Shanghai').default('Asia/Shanghai').meta({ description: 'Data, but every Chinese city keeps Beijing time (the working-day calendar counts in it)' }),
  ruleSetId: z.string().min(1).max(64).meta({ description: 'The rule set the jurisdiction uses (its version in force on the day decides)' }),
  isDefault: z.boolean().default(false).meta({ description: "The deployment's default: cases, assessments and office keys that name no jurisdiction" }),
})

const jurisdictionSchema = z
  .object({
    code: z.string(),
    name: z.object({ zh: z.string(), en: z.string() }),
    caseNumberPrefix: z.string(),
    bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
    timeZone: z.string(),
    ruleSetId: z.string(),
    isDefault: z.boolean(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Jurisdiction' })

const present = (j: Jurisdiction) => ({ ...j, updatedAt: formatShanghaiInstant(j.updatedAt) })

export const jurisdictionRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/jurisdictions',
    {
      config: { roles: ROLES },
      schema: {
        tags: ['jurisdictions'],
        summary: 'Every jurisdiction (city green channel) this deployment serves',
        response: { 200: z.object({ items: z.array(jurisdictionSchema) }), ...commonProblemResponses },
      },
    },
    async () => ({ items: (await app.jurisdictionService.all()).map(present) }),
  )

  app.get(
    '/jurisdictions/:code',
    {
      config: { roles: ROLES },
      schema: {
        tags: ['jurisdictions'],
        summary: 'One jurisdiction',
        params: z.object({ code: jurisdictionCodeSchema }),
        response: { 200: jurisdictionSchema, 404: problemSchema, ...commonProblemResponses },
      },
    },
    async (request) => present(await app.jurisdictionService.find(request.params.code)),
  )

  app.put(
    '/jurisdictions/:code',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['jurisdictions'],
        summary: 'Create or replace a jurisdiction (admin); its rule set must be published first',
        params: z.object({ code: jurisdictionCodeSchema }),
        body: jurisdictionBodySchema,
        response: { 200: jurisdictionSchema, 201: jurisdictionSchema, 409: problemSchema, 422: problemSchema, ...commonProblemResponses },
      },
    },
    async (request, reply) => {
      const ruleSetIds = new Set((await app.ruleSetService.all()).map((r) => r.id))
      const { jurisdiction, created } = await app.jurisdictionService.put(request.params.code, request.body, ruleSetIds, request.principal.keyId)
      request.log.info({ jurisdiction: jurisdiction.code, created }, 'jurisdiction saved')
      return reply.status(created ? 201 : 200).send(present(jurisdiction))
    },
  )
}
