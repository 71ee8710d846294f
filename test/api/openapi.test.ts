import { readFile } from 'node:fs/promises'
import t from 'tap'
import { generateOpenApiDocument } from '../../scripts/openapi-document.ts'

t.test('openapi/openapi.json is what the route schemas generate (run `npm run openapi` after changing a route)', async (t) => {
  const committed = await readFile(new URL('../../openapi/openapi.json', import.meta.url), 'utf8')
  const generated = await generateOpenApiDocument()
  t.equal(generated, committed, 'the committed OpenAPI document has drifted from the routes')
  const document = JSON.parse(generated)
  t.equal(document.openapi, '3.1.0')
  const packageJson = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8'))
  t.equal(document.info.version, packageJson.version, 'info.version is the version in package.json')
  for (const path of [
    '/v1/assessments',
    '/v1/cases',
    '/v1/cases/{id}',
    '/v1/rule-sets',
    '/v1/rule-sets/{id}',
    '/v1/calendar/years',
    '/v1/calendar/years/{year}',
    '/v1/calendar/due-date',
    '/v1/api-keys',
    '/health/live',
    '/health/ready',
  ]) {
    t.ok(document.paths[path], `documents ${path}`)
  }
})
