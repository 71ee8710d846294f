import t from 'tap'
import { ROLES, type Role } from '../../src/core/access/principal.ts'
import { generateOpenApiDocument } from '../../scripts/openapi-document.ts'
import { bearer, buildTestApp, caseBody } from '../helpers/test-app.ts'
import { snapshotDatabase } from '../helpers/db-snapshot.ts'
import { approval, lifecycleClient } from '../helpers/lifecycle-client.ts'

interface RouteCase {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  url: string
  body?: unknown
  allowed: readonly Role[]
}

const everyone = ROLES
const NO_CASE = '00000000-0000-4000-8000-000000000000'
const routes: RouteCase[] = [
  { method: 'GET', url: '/v1/api-keys/me', allowed: everyone },
  { method: 'GET', url: '/v1/api-keys', allowed: ['admin'] },
  { method: 'POST', url: '/v1/api-keys', body: { role: 'auditor' }, allowed: ['admin'] },
  { method: 'DELETE', url: '/v1/api-keys/00000000-0000-4000-8000-000000000000', allowed: ['admin'] },
  { method: 'GET', url: '/v1/rule-sets', allowed: everyone },
  { method: 'GET', url: '/v1/rule-sets/zz-green-channel', allowed: everyone },
  { method: 'POST', url: '/v1/rule-sets', body: {}, allowed: ['admin'] },
  { method: 'GET', url: '/v1/calendar/years', allowed: everyone },
  { method: 'GET', url: '/v1/calendar/years/2026', allowed: everyone },
  { method: 'PUT', url: '/v1/calendar/years/2027', body: { holidays: ['2027-01-01'], makeupWorkdays: [] }, allowed: ['admin'] },
  { method: 'GET', url: '/v1/calendar/due-date?from=2026-02-12&workingDays=2', allowed: everyone },
  { method: 'POST', url: '/v1/assessments', body: { voltageVolts: 380, excavationLengthMeters: 10 }, allowed: everyone },
  { method: 'POST', url: '/v1/cases', body: caseBody({ organization: 'ORG-A' }), allowed: ['dispatch', 'office'] },
  { method: 'GET', url: '/v1/cases', allowed: ['dispatch', 'office', 'auditor'] },
  { method: 'GET', url: `/v1/cases/${NO_CASE}`, allowed: ['dispatch', 'office', 'auditor'] },
  { method: 'POST', url: `/v1/cases/${NO_CASE}/transitions`, body: { action: 'withdraw' }, allowed: ['dispatch', 'office'] },
  { method: 'GET', url: `/v1/cases/${NO_CASE}/events`, allowed: ['dispatch', 'office', 'auditor'] },
  { method: 'GET', url: `/v1/cases/${NO_CASE}/events/verify`, allowed: ['office', 'auditor'] },
  { method: 'GET', url: `/v1/cases/${NO_CASE}/audit-proof`, allowed: ['dispatch', 'office', 'auditor'] },
  { method: 'GET', url: `/v1/cases/${NO_CASE}/timeline`, allowed: ['dispatch', 'office', 'auditor'] },
  { method: 'GET', url: `/v1/cases/${NO_CASE}/clashes`, allowed: ['dispatch', 'office', 'auditor'] },
  { method: 'POST', url: `/v1/cases/${NO_CASE}/coordination`, body: { action: 'dismiss_clash', otherCaseId: NO_CASE, reason: 'x' }, allowed: ['office'] },
  { method: 'GET', url: '/v1/works?bbox=117.64,24.50,117.66,24.52&from=2026-03-01&to=2026-03-31', allowed: ['dispatch', 'office', 'auditor'] },
  {
    method: 'PUT',
    url: '/v1/roads/ZZ-AC-1',
    body: {
      name: 'R',
      district: 'Longwen',
      class: 'branch',
      geometry: {
        type: 'LineString',
        coordinates: [
          [117.64, 24.51],
          [117.641, 24.51],
        ],
      },
    },
    allowed: ['office', 'admin'],
  },
  {
    method: 'POST',
    url: '/v1/roads/import',
    body: {
      type: 'FeatureCollection',
      features: [
        {
          type: 'Feature',
          geometry: {
            type: 'LineString',
            coordinates: [
              [117.64, 24.51],
              [117.641, 24.51],
            ],
          },
          properties: { code: 'ZZ-AC-2', name: 'R', district: 'Longwen', class: 'branch' },
        },
      ],
    },
    allowed: ['admin'],
  },
  { method: 'GET', url: '/v1/roads', allowed: ['dispatch', 'office', 'auditor', 'admin'] },
  { method: 'GET', url: '/v1/roads/ZZ-NONE', allowed: ['dispatch', 'office', 'auditor', 'admin'] },
  { method: 'GET', url: '/v1/roads/ZZ-NONE/history', allowed: ['office', 'auditor', 'admin'] },
  { method: 'DELETE', url: '/v1/roads/ZZ-NONE', allowed: ['admin'] },
  { method: 'GET', url: '/v1/events', allowed: ['dispatch', 'office', 'auditor'] },
  // A webhook carries case contents: only roles that may read cases subscribe (an admin still manages endpoints).
  { method: 'POST', url: '/v1/webhooks', body: { url: 'http://127.0.0.1:9/hook', eventTypes: ['*'], organization: 'ORG-A' }, allowed: ['dispatch', 'office'] },
  { method: 'GET', url: '/v1/webhooks', allowed: ['dispatch', 'office', 'admin'] },
  { method: 'GET', url: `/v1/webhooks/${NO_CASE}`, allowed: ['dispatch', 'office', 'admin'] },
  { method: 'DELETE', url: `/v1/webhooks/${NO_CASE}`, allowed: ['dispatch', 'office', 'admin'] },
  { method: 'POST', url: `/v1/webhooks/${NO_CASE}/enable`, allowed: ['dispatch', 'office', 'admin'] },
  { method: 'GET', url: `/v1/webhooks/${NO_CASE}/deliveries`, allowed: ['dispatch', 'office', 'admin'] },
  { method: 'GET', url: '/v1/reports/sla?from=2026-01-01&to=2026-12-31', allowed: ['office', 'auditor'] },
  { method: 'GET', url: '/v1/reports/timelines?from=2026-01-01&to=2026-01-31', allowed: ['office', 'auditor'] },
  { method: 'POST', url: '/v1/audit/checkpoints', allowed: ['admin'] },
  { method: 'GET', url: '/v1/audit/checkpoints', allowed: ['office', 'auditor', 'admin'] },
  { method: 'GET', url: '/v1/audit/checkpoints/1', allowed: ['office', 'auditor', 'admin'] },
  { method: 'GET', url: '/v1/audit/public-key', allowed: ['office', 'auditor', 'admin'] },
  { method: 'GET', url: '/v1/audit/verify', allowed: ['office', 'auditor'] },
  { method: 'GET', url: '/v1/jurisdictions', allowed: everyone },
  { method: 'GET', url: '/v1/jurisdictions/zhangzhou', allowed: everyone },
  { method: 'PUT', url: '/v1/jurisdictions/zhangzhou', body: {}, allowed: ['admin'] },
  { method: 'GET', url: '/v1/worklist', allowed: ['office', 'admin'] },
  // Public (no key needed): every role, like anyone, may verify a permit.
  { method: 'GET', url: '/v1/permits/ZZ-2026-000001/verification', allowed: everyone },
]

/** A table row as its OpenAPI operation ("GET /v1/cases/{id}"). */
const operationOf = (r: RouteCase) =>
  `${r.method} ${r.url
    .split('?')[0]
    ?.replace(NO_CASE, '{id}')
    .replace('/2027', '/{year}')
    .replace(/\/roads\/ZZ-(NONE|AC-1)/, '/roads/{code}')
    .replace('/2026', '/{year}')
    .replace('/zz-green-channel', '/{id}')
    .replace('/jurisdictions/zhangzhou', '/jurisdictions/{code}')
    .replace(/\/v1\/api-keys\/00000000-0000-4000-8000-000000000000/, '/v1/api-keys/{id}')
    .replace('/v1/audit/checkpoints/1', '/v1/audit/checkpoints/{sequence}')
    .replace('/v1/permits/ZZ-2026-000001/', '/v1/permits/{caseNumber}/')}`

/** Routes anyone may call without a key: not listed among a key's allowed operations. */
const PUBLIC_OPERATIONS = new Set(['GET /v1/permits/{caseNumber}/verification'])

t.test('GET /v1/api-keys/me lists exactly the operations of the access table its role may call (the console shows what they allow)', async (t) => {
  const { app, key } = await buildTestApp(t)
  for (const role of ROLES) {
    const me = (await app.inject({ method: 'GET', url: '/v1/api-keys/me', headers: bearer(await key(role)) })).json()
    const expected = [...new Set(routes.filter((route) => route.allowed.includes(role)).map(operationOf))].filter((operation) => !PUBLIC_OPERATIONS.has(operation)).sort()
    t.same(me.allowedOperations, expected, `${role}: allowedOperations follow the routes' roles`)
  }
})

t.test('the table covers every route of the OpenAPI document', async (t) => {
  const document = JSON.parse(await generateOpenApiDocument())
  const documented = Object.entries(document.paths as Record<string, Record<string, unknown>>)
    .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`))
    .filter((route) => !route.includes(' /health/'))
  const tabled = new Set(routes.map(operationOf))
  for (const route of documented) t.ok(tabled.has(route), `${route} is in the access table`)
})

t.test('every route × every role: forbidden roles get 403 problem+json and change nothing', async (t) => {
  const { app, database, key } = await buildTestApp(t)
  const keys = Object.fromEntries(await Promise.all(ROLES.map(async (role) => [role, await key(role)] as const))) as Record<Role, string>

  for (const route of routes) {
    for (const role of ROLES) {
      const before = await snapshotDatabase(database.db)
      const response = await app.inject({ method: route.method, url: route.url, headers: bearer(keys[role]), ...(route.body ? { payload: route.body as object } : {}) })
      const label = `${role} ${route.method} ${route.url}`
      if (route.allowed.includes(role)) {
        t.notOk([401, 403].includes(response.statusCode), `${label} is allowed (got ${response.statusCode})`)
        t.ok(response.statusCode < 500, `${label} no 5xx`)
      } else {
        t.equal(response.statusCode, 403, `${label} is forbidden`)
        t.match(response.headers['content-type'], /^application\/problem\+json/)
        t.equal(response.json().code, 'forbidden')
        t.same(await snapshotDatabase(database.db), before, `${label} changed nothing`)
      }
    }
  }
})

t.test("another organization's resources: read and write are 404, lists leave them out, nothing changes", async (t) => {
  const testApp = await buildTestApp(t)
  const { app, database } = testApp
  const client = lifecycleClient(testApp)
  const orgA = await testApp.key('dispatch', 'ORG-A')
  const orgB = await testApp.key('dispatch', 'ORG-B')
  const office = await testApp.key('office')
  const theirs = await client.submit(orgA)
  await client.ok(office, theirs.id, { action: 'accept' })
  const hook = await app.inject({ method: 'POST', url: '/v1/webhooks', headers: bearer(orgA), payload: { url: 'http://127.0.0.1:9/hook', eventTypes: ['*'] } })
  t.equal(hook.statusCode, 201, hook.body)
  const hookId = hook.json().id

  const before = await snapshotDatabase(database.db)
  const attempts: Array<[string, string, unknown?]> = [
    ['GET', `/v1/cases/${theirs.id}`],
    ['GET', `/v1/cases/${theirs.id}/events`],
    ['GET', `/v1/cases/${theirs.id}/timeline`],
    ['GET', `/v1/cases/${theirs.id}/clashes`],
    ['POST', `/v1/cases/${theirs.id}/transitions`, { action: 'withdraw' }],
    ['POST', `/v1/cases/${theirs.id}/transitions`, approval],
    ['GET', `/v1/webhooks/${hookId}`],
    ['DELETE', `/v1/webhooks/${hookId}`],
    ['POST', `/v1/webhooks/${hookId}/enable`],
    ['GET', `/v1/webhooks/${hookId}/deliveries`],
  ]
  for (const [method, url, body] of attempts) {
    const response = await app.inject({ method: method as 'GET', url, headers: { ...bearer(orgB), 'if-match': '"2"' }, ...(body ? { payload: body as object } : {}) })
    t.equal(response.statusCode, 404, `ORG-B ${method} ${url}`)
    t.match(response.headers['content-type'], /^application\/problem\+json/)
  }
  t.same((await app.inject({ method: 'GET', url: '/v1/cases', headers: bearer(orgB) })).json().items, [])
  t.same((await app.inject({ method: 'GET', url: '/v1/events', headers: bearer(orgB) })).json().items, [])
  t.same((await app.inject({ method: 'GET', url: '/v1/webhooks', headers: bearer(orgB) })).json().items, [])
  t.same(await snapshotDatabase(database.db), before, 'nothing changed')
})

t.test('no key, a malformed header, an unknown key and a revoked key are 401 with WWW-Authenticate', async (t) => {
  const { app, key } = await buildTestApp(t)
  const admin = await key('admin')
  const victim = await app.inject({ method: 'POST', url: '/v1/api-keys', headers: bearer(admin), payload: { role: 'office', name: 'to revoke' } })
  t.equal(victim.statusCode, 201)
  const { id, key: victimKey } = victim.json()
  t.equal((await app.inject({ method: 'GET', url: '/v1/api-keys/me', headers: bearer(victimKey) })).statusCode, 200)
  const revoked = await app.inject({ method: 'DELETE', url: `/v1/api-keys/${id}`, headers: bearer(admin) })
  t.equal(revoked.statusCode, 200)
  t.ok(revoked.json().revokedAt)

  const attempts: Array<[string, Record<string, string>]> = [
    ['no header', {}],
    ['basic scheme', { authorization: 'Basic dXNlcjpwYXNz' }],
    ['unknown key', bearer(`gck_abcdefgh_${'A'.repeat(43)}`)],
    ['revoked key', bearer(victimKey)],
  ]
  for (const [label, headers] of attempts) {
    const response = await app.inject({ method: 'GET', url: '/v1/cases', headers })
    t.equal(response.statusCode, 401, label)
    t.equal(response.headers['www-authenticate'], 'Bearer', label)
    t.equal(response.json().code, 'unauthorized', label)
  }
})

t.test('health and docs need no key', async (t) => {
  const { app } = await buildTestApp(t)
  for (const url of ['/health/live', '/health/ready', '/docs/json', '/docs/']) {
    const response = await app.inject({ method: 'GET', url })
    t.equal(response.statusCode, 200, url)
  }
})

t.test('api keys: created with a role and organization, listed without secrets, secrets stored hashed', async (t) => {
  const { app, database, key } = await buildTestApp(t)
  const admin = await key('admin')
  const created = await app.inject({
    method: 'POST',
    url: '/v1/api-keys',
    headers: bearer(admin),
    payload: { role: 'dispatch', organization: 'SGCC-NEW', name: 'dispatch system' },
  })
  t.equal(created.statusCode, 201)
  const body = created.json()
  t.match(body.key, /^gck_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$/)
  t.equal(body.organization, 'SGCC-NEW')
  t.equal(created.headers.location, `/v1/api-keys/${body.id}`)

  const me = await app.inject({ method: 'GET', url: '/v1/api-keys/me', headers: bearer(body.key) })
  const { allowedOperations, ...identity } = me.json()
  t.same(identity, { keyId: body.id, role: 'dispatch', organization: 'SGCC-NEW', jurisdiction: 'zhangzhou' })
  t.ok(allowedOperations.includes('POST /v1/cases') && !allowedOperations.includes('GET /v1/worklist'), 'and what a dispatch key may call')

  const list = await app.inject({ method: 'GET', url: '/v1/api-keys', headers: bearer(admin) })
  t.notMatch(list.body, body.key, 'the list never shows a secret')
  const stored = await database.db.selectFrom('api_key').select('key_hash').where('id', '=', body.id).executeTakeFirstOrThrow()
  t.not(stored.key_hash, body.key)
  t.match(stored.key_hash, /^[0-9a-f]{64}$/)

  const noOrg = await app.inject({ method: 'POST', url: '/v1/api-keys', headers: bearer(admin), payload: { role: 'dispatch' } })
  t.equal(noOrg.statusCode, 400)
  t.same(noOrg.json().errors, [{ path: 'body.organization', message: 'required for the dispatch role' }])

  // Only a dispatch key belongs to an organization: on another role it would mean nothing, so it is refused.
  for (const role of ['office', 'auditor', 'admin']) {
    const meaningless = await app.inject({ method: 'POST', url: '/v1/api-keys', headers: bearer(admin), payload: { role, organization: 'SGCC-NEW' } })
    t.equal(meaningless.statusCode, 400, `organization on a new ${role} key`)
    t.same(meaningless.json().errors, [{ path: 'body.organization', message: `not allowed for the ${role} role (only dispatch keys belong to an organization)` }])
  }

  const missing = await app.inject({ method: 'DELETE', url: '/v1/api-keys/00000000-0000-4000-8000-000000000000', headers: bearer(admin) })
  t.equal(missing.statusCode, 404)
})
