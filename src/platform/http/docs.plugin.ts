import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod'
import { projectPackage } from '../project-root.ts'

const ACCEPT_LANGUAGE = {
  name: 'Accept-Language',
  in: 'header',
  required: false,
  description:
    'The language of what people read: problem `title` and `detail` and the `message` of each field issue, decision and deadline explanations, CSV header rows. ' +
    '`zh-CN` (also `zh`, `zh-Hans`) answers in Simplified Chinese when it has the highest q-value; anything else, or no header, answers in English (the default for integrations). ' +
    'Codes, field paths, data and the order of CSV columns are the same in every language.',
  schema: { type: 'string', examples: ['zh-CN', 'en;q=0.9, zh-CN;q=1'] },
}
const LANGUAGE_HEADERS = {
  ContentLanguage: { description: 'The language of the human-readable text: `en` or `zh-CN` (from Accept-Language)', schema: { type: 'string', enum: ['en', 'zh-CN'] } },
  VaryAcceptLanguage: { description: 'Includes `Accept-Language`: another language may be answered with other text', schema: { type: 'string' } },
}
const LOCALIZED_HEADERS = {
  'Content-Language': { $ref: '#/components/headers/ContentLanguage' },
  Vary: { $ref: '#/components/headers/VaryAcceptLanguage' },
}

type OpenApiOperation = { parameters?: unknown[]; responses?: Record<string, { headers?: Record<string, unknown> }> }
type OpenApiDocument = { components?: Record<string, Record<string, unknown>>; paths?: Record<string, Record<string, OpenApiOperation>> }

/**
 * Every operation takes Accept-Language (its problems follow it); the answers of routes marked `localized`
 * (their config) and every problem answer carry Content-Language and Vary.
 */
function documentLanguages(document: OpenApiDocument, localized: ReadonlySet<string>): OpenApiDocument {
  document.components = {
    ...document.components,
    parameters: { ...document.components?.parameters, AcceptLanguage: ACCEPT_LANGUAGE },
    headers: { ...document.components?.headers, ...LANGUAGE_HEADERS },
  }
  for (const [path, operations] of Object.entries(document.paths ?? {})) {
    if (path.startsWith('/docs')) continue
    for (const [method, operation] of Object.entries(operations)) {
      operation.parameters = [...(operation.parameters ?? []), { $ref: '#/components/parameters/AcceptLanguage' }]
      const whole = localized.has(`${method.toUpperCase()} ${path}`)
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        if (whole || !status.startsWith('2')) response.headers = { ...response.headers, ...LOCALIZED_HEADERS }
      }
    }
  }
  return document
}

/** OpenAPI generated from the zod route schemas (the single source); UI at /docs. */
async function docsPlugin(app: FastifyInstance) {
  // The routes whose answers follow Accept-Language, as the OpenAPI names them (`GET /v1/cases/{id}`).
  const localized = new Set<string>()
  // The documentation is public like the API contract it shows: no API key for /docs.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/docs')) route.config = { ...(route.config ?? {}), public: true }
    if (route.config?.localized) {
      const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')
      for (const method of [route.method].flat()) localized.add(`${method.toUpperCase()} ${path}`)
    }
  })
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Green-channel road-excavation approval service',
        version: projectPackage.version,
        description:
          'Applies the Zhangzhou 2019 green-channel rules for road excavation by power works (400 V commitment filing, ' +
          '10 kV one-stop acceptance, 2 and 8 working-day limits with the "4+2+1+1" joint review), keeps every case and its ' +
          'history, and computes deadlines in Asia/Shanghai working days. Errors are application/problem+json (RFC 9457).',
      },
      components: {
        securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key: Authorization: Bearer gck_…' } },
      },
      security: [{ apiKey: [] }],
      tags: [
        { name: 'health', description: 'Liveness and readiness' },
        { name: 'assessments', description: 'What the rules decide, without storing anything' },
        { name: 'cases', description: 'Excavation cases' },
        { name: 'rule-sets', description: 'Versioned green-channel rule sets' },
        { name: 'calendar', description: 'Working-day calendar (Asia/Shanghai, statutory holidays and make-up workdays)' },
        { name: 'events', description: 'Change feed of case events' },
        { name: 'reports', description: 'SLA reports and timeline exports for auditors' },
        { name: 'api-keys', description: 'API keys and roles' },
        { name: 'webhooks', description: 'Signed webhooks (Standard Webhooks): endpoints and their delivery logs' },
        { name: 'audit', description: 'Signed checkpoints of the case history, verification and inclusion proofs (docs/audit.md)' },
      ],
    },
    transform: jsonSchemaTransform,
    transformObject: (input) => documentLanguages(jsonSchemaTransformObject(input) as OpenApiDocument, localized) as ReturnType<typeof jsonSchemaTransformObject>,
  })
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: true } })
}

export default fp(docsPlugin, { name: 'docs' })
