import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod'

/** OpenAPI generated from the zod route schemas (the single source); UI at /docs. */
async function docsPlugin(app: FastifyInstance) {
  // The documentation is public like the API contract it shows: no API key for /docs.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/docs')) route.config = { ...(route.config ?? {}), public: true }
  })
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Green-channel road-excavation approval service',
        version: '1.0.0',
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
      ],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  })
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: true } })
}

export default fp(docsPlugin, { name: 'docs' })
