import t from 'tap'
import { bearer, buildTestApp } from '../helpers/test-app.ts'

const hook = 'http://127.0.0.1:9/hooks'

t.test('register, read, list, delete: the secret is shown once; roles and organizations', async (t) => {
  const testApp = await buildTestApp(t)
  const { app } = testApp
  const dispatchA = await testApp.key('dispatch', 'ORG-A')
  const dispatchB = await testApp.key('dispatch', 'ORG-B')
  const office = await testApp.key('office')
  const admin = await testApp.key('admin')
  const auditor = await testApp.key('auditor')
  const post = (key: string, payload: Record<string, unknown>, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: '/v1/webhooks', headers: { ...bearer(key), ...headers }, payload })

  const created = await post(dispatchA, { url: hook, eventTypes: ['case.accepted', 'case.overdue'], description: 'Dispatch system' })
  t.equal(created.statusCode, 201)
  const endpoint = created.json()
  t.match(endpoint, {
    organization: 'ORG-A',
    url: hook,
    eventTypes: ['case.accepted', 'case.overdue'],
    description: 'Dispatch system',
    status: 'active',
    disabledAt: null,
    consecutiveFailures: 0,
    createdAt: '2026-02-12T10:00:00.000+08:00',
  })
  t.match(endpoint.secret, /^whsec_[A-Za-z0-9+/]{43}=$/, 'whsec_ + base64 of 32 bytes')
  t.equal(Buffer.from(endpoint.secret.slice(6), 'base64').length, 32)
  t.equal(created.headers.location, `/v1/webhooks/${endpoint.id}`)
  t.equal(created.headers['cache-control'], 'no-store')

  const read = await app.inject({ method: 'GET', url: `/v1/webhooks/${endpoint.id}`, headers: bearer(dispatchA) })
  t.equal(read.statusCode, 200)
  t.notOk('secret' in read.json(), 'never shown again')
  t.notOk(read.body.includes(endpoint.secret.slice(6)))
  const { secret: _secret, ...withoutSecret } = endpoint
  t.same(read.json(), withoutSecret)

  t.equal(
    (await post(dispatchA, { url: hook, eventTypes: ['*'], organization: 'ORG-B' })).json().errors[0].path,
    'body.organization',
    'a dispatch key registers for its own organization only',
  )
  t.equal((await post(dispatchA, { url: hook, eventTypes: ['*'], organization: 'ORG-A' })).statusCode, 201, 'naming its own organization is fine')
  const noOrg = await post(office, { url: hook, eventTypes: ['*'] })
  t.equal(noOrg.statusCode, 400)
  t.same(noOrg.json().errors, [{ path: 'body.organization', message: 'required when an office key registers a webhook' }])
  t.equal((await post(office, { url: hook, eventTypes: ['*'], organization: 'NOPE' })).json().errors[0].message, 'unknown organization code')
  const byOffice = await post(office, { url: hook, eventTypes: ['*', 'case.accepted'], organization: 'ORG-B' })
  t.equal(byOffice.statusCode, 201, 'the office registers on behalf of an organization')
  t.match(byOffice.json(), { organization: 'ORG-B', eventTypes: ['*'] }, '"*" covers everything')
  t.equal((await post(admin, { url: hook, eventTypes: ['case.closed'], organization: 'ORG-A' })).statusCode, 201, 'and so does an admin')
  t.equal((await post(auditor, { url: hook, eventTypes: ['*'] })).statusCode, 403, 'auditors have no part in webhooks')
  t.equal((await app.inject({ method: 'GET', url: '/v1/webhooks', headers: bearer(auditor) })).statusCode, 403)

  const listA = (await app.inject({ method: 'GET', url: '/v1/webhooks', headers: bearer(dispatchA) })).json().items
  t.equal(listA.length, 3)
  t.ok(
    listA.every((item: { organization: string; secret?: string }) => item.organization === 'ORG-A' && item.secret === undefined),
    "a dispatch key lists its own organization's endpoints, without secrets",
  )
  t.equal((await app.inject({ method: 'GET', url: '/v1/webhooks', headers: bearer(office) })).json().items.length, 4, 'the office lists all')
  t.same(
    (await app.inject({ method: 'GET', url: '/v1/webhooks?organization=ORG-B', headers: bearer(admin) })).json().items.map((i: { organization: string }) => i.organization),
    ['ORG-B'],
  )

  for (const [method, url] of [
    ['GET', `/v1/webhooks/${endpoint.id}`],
    ['DELETE', `/v1/webhooks/${endpoint.id}`],
    ['POST', `/v1/webhooks/${endpoint.id}/enable`],
    ['GET', `/v1/webhooks/${endpoint.id}/deliveries`],
  ] as const) {
    const response = await app.inject({ method, url, headers: bearer(dispatchB) })
    t.equal(response.statusCode, 404, `another organization: ${method} ${url} is a 404`)
    t.equal(response.json().code, 'webhook_not_found')
  }
  t.equal((await app.inject({ method: 'GET', url: '/v1/webhooks/00000000-0000-4000-8000-000000000000', headers: bearer(office) })).statusCode, 404)
  t.equal((await app.inject({ method: 'GET', url: '/v1/webhooks/not-a-uuid', headers: bearer(office) })).statusCode, 400)

  const enabled = await app.inject({ method: 'POST', url: `/v1/webhooks/${endpoint.id}/enable`, headers: bearer(dispatchA) })
  t.equal(enabled.statusCode, 200)
  t.same(enabled.json(), withoutSecret, 'enabling an active endpoint changes nothing')

  const deleted = await app.inject({ method: 'DELETE', url: `/v1/webhooks/${endpoint.id}`, headers: bearer(dispatchA) })
  t.equal(deleted.statusCode, 204)
  t.equal(deleted.body, '')
  t.equal((await app.inject({ method: 'GET', url: `/v1/webhooks/${endpoint.id}`, headers: bearer(dispatchA) })).statusCode, 404)
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/webhooks/${endpoint.id}`, headers: bearer(dispatchA) })).statusCode, 404)
  t.equal((await app.inject({ method: 'GET', url: '/v1/webhooks', headers: bearer(dispatchA) })).json().items.length, 2)
  const stored = await testApp.database.db.selectFrom('webhook_endpoint').select(['status', 'secret']).where('id', '=', endpoint.id).executeTakeFirstOrThrow()
  t.same(stored, { status: 'deleted', secret: null }, 'the secret of a deleted endpoint is discarded')
  const timeline = await app.inject({ method: 'GET', url: `/v1/webhooks/${byOffice.json().id}/deliveries`, headers: bearer(dispatchB) })
  t.same(timeline.json(), { items: [], nextCursor: null }, 'an endpoint with no deliveries yet has an empty log')
})

t.test('an Idempotency-Key replay returns the endpoint without its secret, and registers nothing twice', async (t) => {
  const testApp = await buildTestApp(t)
  const dispatch = await testApp.key('dispatch', 'ORG-A')
  const send = () =>
    testApp.app.inject({ method: 'POST', url: '/v1/webhooks', headers: { ...bearer(dispatch), 'idempotency-key': 'register-1' }, payload: { url: hook, eventTypes: ['*'] } })
  const first = await send()
  const second = await send()
  t.equal(first.statusCode, 201)
  t.equal(second.statusCode, 201)
  t.equal(second.json().id, first.json().id)
  t.match(first.json().secret, /^whsec_/)
  t.equal(second.json().secret, '[shown once; not stored]')
  const count = await testApp.database.db
    .selectFrom('webhook_endpoint')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow()
  t.equal(Number(count.n), 1)
})

t.test('URL policy: only http(s), no credentials, no link-local or metadata addresses (422 on url)', async (t) => {
  const testApp = await buildTestApp(t)
  const dispatch = await testApp.key('dispatch', 'ORG-A')
  const post = (url: string) => testApp.app.inject({ method: 'POST', url: '/v1/webhooks', headers: bearer(dispatch), payload: { url, eventTypes: ['*'] } })
  const refused: Array<[string, RegExp]> = [
    ['ftp://127.0.0.1/hooks', /ftp scheme is not allowed/],
    ['file:///etc/passwd', /file scheme is not allowed/],
    ['http://user:secret@127.0.0.1/hooks', /user name or password/],
    ['https://token@example.com/hooks', /user name or password/],
    ['http://169.254.169.254/latest/meta-data/', /cloud metadata address/],
    ['http://169.254.10.1/', /link-local \(169\.254\.0\.0\/16\)/],
    ['http://2852039166/', /169\.254\.169\.254 is a cloud metadata address/],
    ['http://0xa9.0xfe.0xa9.0xfe/', /169\.254\.169\.254/],
    ['http://[fe80::1]/', /link-local \(fe80::\/10\)/],
    ['http://[febf:ffff::1]:8080/', /link-local/],
    ['http://[fd00:ec2::254]/', /cloud metadata address/],
    ['http://[::ffff:169.254.169.254]/', /embeds an IPv4 address/],
    ['http://metadata.google.internal/computeMetadata/v1/', /cloud metadata service/],
    ['http://METADATA.google.internal./', /cloud metadata service/],
    ['http://100.100.100.200/latest/meta-data/', /cloud metadata address/],
    ['not a url', /absolute http/],
    ['/relative/path', /absolute http/],
  ]
  for (const [url, reason] of refused) {
    const response = await post(url)
    t.equal(response.statusCode, 422, `${url} is refused`)
    const body = response.json()
    t.equal(body.code, 'webhook_url_refused')
    t.equal(body.errors[0].path, 'body.url')
    t.match(body.errors[0].message, reason, `${url}: says why`)
  }
  for (const url of ['http://127.0.0.1:8080/hooks', 'http://localhost:3000/hooks', 'http://[::1]:8080/', 'https://10.1.2.3/hooks', 'http://192.168.1.20/']) {
    t.equal((await post(url)).statusCode, 201, `${url} is allowed (loopback and private networks)`)
  }
  const invalid = await testApp.app.inject({ method: 'POST', url: '/v1/webhooks', headers: bearer(dispatch), payload: { url: hook, eventTypes: [] } })
  t.equal(invalid.statusCode, 400)
  t.equal(invalid.json().errors[0].path, 'body.eventTypes')
  const badType = await testApp.app.inject({ method: 'POST', url: '/v1/webhooks', headers: bearer(dispatch), payload: { url: hook, eventTypes: ['Case Accepted'] } })
  t.equal(badType.json().errors[0].path, 'body.eventTypes.0')
  const repeated = await testApp.app.inject({
    method: 'POST',
    url: '/v1/webhooks',
    headers: bearer(dispatch),
    payload: { url: hook, eventTypes: ['case.accepted', 'case.accepted'] },
  })
  t.equal(repeated.statusCode, 400)
  const extra = await testApp.app.inject({ method: 'POST', url: '/v1/webhooks', headers: bearer(dispatch), payload: { url: hook, eventTypes: ['*'], secret: 'mine' } })
  t.equal(extra.statusCode, 400, 'no caller-chosen secrets')
})

t.test('WEBHOOK_ALLOW_LINK_LOCAL=true lets link-local and metadata addresses through, never other schemes or credentials', async (t) => {
  const testApp = await buildTestApp(t, { config: { WEBHOOK_ALLOW_LINK_LOCAL: true } })
  const dispatch = await testApp.key('dispatch', 'ORG-A')
  const post = (url: string) => testApp.app.inject({ method: 'POST', url: '/v1/webhooks', headers: bearer(dispatch), payload: { url, eventTypes: ['*'] } })
  t.equal((await post('http://169.254.169.254/hooks')).statusCode, 201)
  t.equal((await post('http://[fe80::1]/hooks')).statusCode, 201)
  t.equal((await post('gopher://127.0.0.1/')).statusCode, 422)
  t.equal((await post('http://a:b@127.0.0.1/')).statusCode, 422)
})
