import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ROLES } from '../core/access/principal.ts'
import { formatShanghaiInstant, shanghaiDateOf } from '../core/calendar/civil-date.ts'
import { NotFoundError } from '../platform/errors/domain-errors.ts'
import { selectRuleSet } from '../core/rules/route-decision.ts'
import { ruleSetParametersSchema } from '../core/rules/rule-set.schema.ts'
import { reasonCodesSchema } from '../core/rules/reason-codes.schema.ts'
import { reasonCodesOf } from '../core/rules/reason-codes.ts'
import { civilDateSchema, commonProblemResponses, problemSchema } from '../platform/http/http-schemas.ts'
import type { StoredRuleSet } from './rule-set.repository.ts'

const ruleSetVersionSchema = z
  .object({
    id: z.string(),
    version: z.number().int(),
    effectiveFrom: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    status: z.enum(['in_force', 'scheduled', 'superseded']).meta({ description: 'Relative to today in Asia/Shanghai' }),
    createdAt: z.string(),
    parameters: ruleSetParametersSchema,
    reasonCodes: reasonCodesSchema.meta({
      description: "The code lists transitions are checked against: parameters.reasonCodes, or for a version stored without them the default rule set's lists",
    }),
  })
  .meta({ id: 'RuleSetVersion' })

const idSchema = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a slug like "zz-green-channel"')
  .max(64)

export const ruleSetRoutes: FastifyPluginAsyncZod = async (app) => {
  /** in_force: the version selected today; scheduled: takes effect later; superseded: replaced. */
  function present(ruleSet: StoredRuleSet, all: StoredRuleSet[]) {
    const today = shanghaiDateOf(app.clock.now())
    const current = selectRuleSet(
      all.filter((r) => r.id === ruleSet.id),
      today,
    )
    const status = ruleSet.effectiveFrom > today ? 'scheduled' : current?.version === ruleSet.version ? 'in_force' : 'superseded'
    return {
      id: ruleSet.id,
      version: ruleSet.version,
      effectiveFrom: ruleSet.effectiveFrom,
      name: ruleSet.name,
      description: ruleSet.description ?? null,
      status: status as 'in_force' | 'scheduled' | 'superseded',
      createdAt: formatShanghaiInstant(ruleSet.createdAt),
      parameters: ruleSet.parameters,
      reasonCodes: reasonCodesOf(ruleSet),
    }
  }

  app.get(
    '/rule-sets',
    {
      config: { roles: ROLES },
      schema: {
        tags: ['rule-sets'],
        summary: 'Every version of every rule set',
        response: { 200: z.object({ items: z.array(ruleSetVersionSchema) }), ...commonProblemResponses },
      },
    },
    async () => {
      const all = await app.ruleSetService.all()
      return { items: all.map((r) => present(r, all)) }
    },
  )

  app.get(
    '/rule-sets/:id',
    {
      config: { roles: ROLES },
      schema: {
        tags: ['rule-sets'],
        summary: 'One rule set: the version in force today (or the one asked for) and its version history',
        params: z.object({ id: idSchema }),
        querystring: z.object({ version: z.coerce.number().int().positive().optional() }),
        response: {
          200: ruleSetVersionSchema.extend({
            versions: z.array(z.object({ version: z.number().int(), effectiveFrom: z.string(), status: z.string() })),
          }),
          404: problemSchema,
          ...commonProblemResponses,
        },
      },
    },
    async (request) => {
      const all = await app.ruleSetService.all()
      const versions = all.filter((r) => r.id === request.params.id)
      if (versions.length === 0) throw new NotFoundError(`No rule set ${request.params.id}.`, 'rule_set_not_found').withParams('id', { id: request.params.id })
      const wanted = request.query.version
      const selected = wanted ? versions.find((r) => r.version === wanted) : (selectRuleSet(versions, shanghaiDateOf(app.clock.now())) ?? versions.at(-1))
      if (!selected)
        throw new NotFoundError(`Rule set ${request.params.id} has no version ${wanted}.`, 'rule_set_not_found').withParams('version', {
          id: request.params.id,
          version: wanted ?? '',
        })
      return {
        ...present(selected as StoredRuleSet, all),
        versions: versions.map((r) => {
          const shown = present(r, all)
          return { version: shown.version, effectiveFrom: shown.effectiveFrom, status: shown.status }
        }),
      }
    },
  )

  app.post(
    '/rule-sets',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['rule-sets'],
        summary: 'Publish a new rule-set version with a future effective date',
        description:
          "Validated before it is stored: voltage tiers and length bands must cover every value with no gaps or overlaps, and the joint-review stages must add up to the route's time limit. Cases keep the version they were decided under.",
        body: z.strictObject({
          id: idSchema,
          version: z.number().int().positive().optional().meta({ description: 'Default: the next version' }),
          effectiveFrom: civilDateSchema,
          name: z.string().trim().min(1).max(200),
          description: z.string().trim().min(1).max(2000).optional(),
          parameters: ruleSetParametersSchema,
        }),
        response: { 201: ruleSetVersionSchema, 409: problemSchema, 422: problemSchema, ...commonProblemResponses },
      },
    },
    async (request, reply) => {
      const stored = await app.ruleSetService.publish(request.body, request.principal.keyId)
      request.log.info({ ruleSetId: stored.id, version: stored.version, effectiveFrom: stored.effectiveFrom }, 'rule set published')
      return reply
        .status(201)
        .header('location', `/v1/rule-sets/${stored.id}?version=${stored.version}`)
        .send(present(stored, await app.ruleSetService.all()))
    },
  )
}
