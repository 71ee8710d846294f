import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod'

/**
 * The service's version is the one in package.json (the OpenAPI `info.version`), found by walking up from
 * this module so it is the same from the sources (src/…) and from the build (dist/…).
 */
function packageVersion(from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'package.json')
    // A package.json without a version (such as one that only sets "type" for a build folder) is not the project's.
    const version = existsSync(candidate) ? (JSON.parse(readFileSync(candidate, 'utf8')) as { version?: unknown }).version : undefined
    if (typeof version === 'string') return version
    if (path.dirname(dir) === dir) throw new Error(`No package.json with a version above ${from}`)
  }
}

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
        version: packageVersion(),
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
    transformObject: jsonSchemaTransformObject,
  })
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: true } })
}

export default fp(docsPlugin, { name: 'docs' })
