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
  const byAdmin = await post(admin, { url: hook, eventTypes: ['case.closed'], organization: 'ORG-A' })
  t.equal(byAdmin.statusCode, 403, 'an admin may not read cases, so may not subscribe to them either')
  t.equal(byAdmin.json().code, 'forbidden')
  t.equal((await post(auditor, { url: hook, eventTypes: ['*'] })).statusCode, 403, 'auditors have no part in webhooks')
  t.equal((await app.inject({ method: 'GET', url: '/v1/webhooks', headers: bearer(auditor) })).statusCode, 403)

  const listA = (await app.inject({ method: 'GET', url: '/v1/webhooks', headers: bearer(dispatchA) })).json().items
  t.equal(listA.length, 2)
  t.ok(
    listA.every((item: { organization: string; secret?: string }) => item.organization === 'ORG-A' && item.secret === undefined),
    "a dispatch key lists its own organization's endpoints, without secrets",
  )
  t.equal((await app.inject({ method: 'GET', url: '/v1/webhooks', headers: bearer(office) })).json().items.length, 3, 'the office lists all')
  t.equal((await app.inject({ method: 'GET', url: '/v1/webhooks', headers: bearer(admin) })).json().items.length, 3, 'so does an admin (it repairs integrations)')
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
  t.equal((await app.inject({ method: 'GET', url: '/v1/webhooks', headers: bearer(dispatchA) })).json().items.length, 1)
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

/** Outside names for the app's registrations and deliveries: answered here, so no test asks a real resolver. */
const fakeZone: Record<string, Array<{ address: string; family: number }>> = {
  'hooks.partner.example': [{ address: '93.184.216.34', family: 4 }],
  'intranet-hooks.city.example': [{ address: '10.30.0.7', family: 4 }],
  'rebind.partner.example': [{ address: '192.168.0.10', family: 4 }],
  'two-faced.partner.example': [
    { address: '93.184.216.34', family: 4 },
    { address: 'fd00::5', family: 6 },
  ],
}
const fakeResolver = async (host: string) => {
  const answer = fakeZone[host]
  if (!answer) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' })
  return answer
}

t.test('target policy at registration: every non-public address in every spelling is refused (422 on url) unless allowed', async (t) => {
  // The default policy (nothing allowed), as a server starts without WEBHOOK_ALLOWED_TARGETS.
  const testApp = await buildTestApp(t, { config: { WEBHOOK_ALLOWED_TARGETS: [] } })
  testApp.app.webhooks.useResolver(fakeResolver)
  const dispatch = await testApp.key('dispatch', 'ORG-A')
  const post = (url: string) => testApp.app.inject({ method: 'POST', url: '/v1/webhooks', headers: bearer(dispatch), payload: { url, eventTypes: ['*'] } })
  const refused: Array<[string, RegExp]> = [
    ['ftp://93.184.216.34/hooks', /ftp scheme is not allowed/],
    ['file:///etc/passwd', /file scheme is not allowed/],
    ['http://user:secret@93.184.216.34/hooks', /user name or password/],
    ['https://token@example.com/hooks', /user name or password/],
    ['http://127.0.0.1:8080/hooks', /^127\.0\.0\.1 is loopback/],
    ['http://localhost:3000/hooks', /^localhost resolves to loopback/],
    ['http://LOCALHOST.:3000/hooks', /^localhost resolves to loopback/],
    ['http://2130706433/', /^127\.0\.0\.1 is loopback/],
    ['http://0x7f000001/', /^127\.0\.0\.1 is loopback/],
    ['http://127.1/', /^127\.0\.0\.1 is loopback/],
    ['http://0177.0.0.1/', /^127\.0\.0\.1 is loopback/],
    ['http://127.0.0.1./', /^127\.0\.0\.1 is loopback/],
    ['http://[::ffff:127.0.0.1]/', /IPv4-mapped address that reaches loopback/],
    ['http://[::ffff:7f00:1]/', /IPv4-mapped address that reaches loopback/],
    ['http://[::1]:8080/', /loopback/],
    ['http://0.0.0.0:8080/', /unspecified/],
    ['http://[::]/', /unspecified/],
    ['https://10.1.2.3/hooks', /RFC 1918/],
    ['http://172.20.0.1/', /RFC 1918/],
    ['http://192.168.1.20/', /RFC 1918/],
    ['http://100.64.1.1/', /carrier-grade NAT/],
    ['http://[fd12:3456::1]/', /unique-local/],
    ['http://[fe80::1]/', /link-local, RFC 4291/],
    ['http://169.254.10.1/', /link-local, RFC 3927/],
    ['http://169.254.169.254/latest/meta-data/', /cloud metadata address/],
    ['http://2852039166/', /169\.254\.169\.254 is a cloud metadata address/],
    ['http://0xa9.0xfe.0xa9.0xfe/', /cloud metadata/],
    ['http://[fd00:ec2::254]/', /cloud metadata address/],
    ['http://[::ffff:169.254.169.254]/', /IPv4-mapped address that reaches a cloud metadata address/],
    ['http://100.100.100.200/latest/meta-data/', /cloud metadata address/],
    ['http://metadata.google.internal/computeMetadata/v1/', /cloud metadata service/],
    ['http://224.0.0.251/', /multicast/],
    ['http://255.255.255.255/', /broadcast/],
    ['http://192.0.2.10/', /documentation/],
    ['http://198.51.100.10/', /documentation/],
    ['http://203.0.113.10/', /documentation/],
    ['http://[2001:db8::1]/', /documentation/],
    ['http://198.18.0.1/', /benchmarking/],
    ['http://240.0.0.1/', /reserved/],
    ['http://[64:ff9b::a00:1]/', /NAT64 address that reaches a private network/],
    ['https://intranet-hooks.city.example/hooks', /^intranet-hooks\.city\.example resolves to a private network, RFC 1918 \(10\.0\.0\.0\/8\)$/],
    ['https://two-faced.partner.example/hooks', /resolves to unique-local/],
    ['https://nowhere.partner.example/hooks', /does not resolve \(ENOTFOUND\)/],
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
    t.notOk(response.body.includes('10.30.0.7'), 'never the address a name resolved to')
  }
  t.equal((await post('https://hooks.partner.example/hooks')).statusCode, 201, 'a public address is allowed')
  t.equal((await post('https://93.184.216.34:8443/hooks')).statusCode, 201)
  t.equal((await testApp.database.db.selectFrom('webhook_endpoint').select('id').execute()).length, 2, 'nothing refused was stored')

  const invalid = await testApp.app.inject({ method: 'POST', url: '/v1/webhooks', headers: bearer(dispatch), payload: { url: 'https://hooks.partner.example/', eventTypes: [] } })
  t.equal(invalid.statusCode, 400)
  t.equal(invalid.json().errors[0].path, 'body.eventTypes')
  const badType = await testApp.app.inject({
    method: 'POST',
    url: '/v1/webhooks',
    headers: bearer(dispatch),
    payload: { url: 'https://hooks.partner.example/', eventTypes: ['Case Accepted'] },
  })
  t.equal(badType.json().errors[0].path, 'body.eventTypes.0')
  const repeated = await testApp.app.inject({
    method: 'POST',
    url: '/v1/webhooks',
    headers: bearer(dispatch),
    payload: { url: 'https://hooks.partner.example/', eventTypes: ['case.accepted', 'case.accepted'] },
  })
  t.equal(repeated.statusCode, 400)
  const extra = await testApp.app.inject({
    method: 'POST',
    url: '/v1/webhooks',
    headers: bearer(dispatch),
    payload: { url: 'https://hooks.partner.example/', eventTypes: ['*'], secret: 'mine' },
  })
  t.equal(extra.statusCode, 400, 'no caller-chosen secrets')
})

t.test('WEBHOOK_ALLOWED_TARGETS lets the named intranet receivers through, and only those', async (t) => {
  const testApp = await buildTestApp(t, { config: { WEBHOOK_ALLOWED_TARGETS: ['10.30.0.0/16', 'rebind.partner.example', '127.0.0.1/32'] } })
  testApp.app.webhooks.useResolver(fakeResolver)
  const dispatch = await testApp.key('dispatch', 'ORG-A')
  const post = (url: string) => testApp.app.inject({ method: 'POST', url: '/v1/webhooks', headers: bearer(dispatch), payload: { url, eventTypes: ['*'] } })
  for (const url of ['https://intranet-hooks.city.example/hooks', 'http://10.30.9.9/', 'https://rebind.partner.example/', 'http://127.0.0.1:9/', 'http://2130706433:9/']) {
    t.equal((await post(url)).statusCode, 201, `${url} is allowed`)
  }
  for (const url of ['http://10.31.0.1/', 'http://127.0.0.2/', 'http://[::1]/', 'http://localhost:9/', 'http://169.254.169.254/']) {
    t.equal((await post(url)).statusCode, 422, `${url} stays refused`)
  }
})

t.test('event types: only published ones (422 naming the path); at most WEBHOOK_MAX_ENDPOINTS_PER_ORGANIZATION endpoints (409)', async (t) => {
  const testApp = await buildTestApp(t, { config: { WEBHOOK_MAX_ENDPOINTS_PER_ORGANIZATION: 3 } })
  const dispatchA = await testApp.key('dispatch', 'ORG-A')
  const dispatchB = await testApp.key('dispatch', 'ORG-B')
  const office = await testApp.key('office')
  const post = (key: string, payload: Record<string, unknown>) => testApp.app.inject({ method: 'POST', url: '/v1/webhooks', headers: bearer(key), payload })

  const misspelt = await post(dispatchA, { url: hook, eventTypes: ['case.accepted', 'case.aproved', 'case.overdue', 'case.nope'] })
  t.equal(misspelt.statusCode, 422)
  t.equal(misspelt.json().code, 'unknown_event_type')
  t.same(
    misspelt.json().errors.map((issue: { path: string }) => issue.path),
    ['body.eventTypes.1', 'body.eventTypes.3'],
  )
  t.match(misspelt.json().errors[0].message, /^case\.aproved is not a published event type: use \* or one of case\.submitted, .*case\.approved/)
  for (const eventTypes of [['*'], ['case.submitted', 'case.overdue', 'case.deadlines_recomputed'], ['case.time_limit_extended']]) {
    t.equal((await post(dispatchA, { url: hook, eventTypes })).statusCode, 201, `${eventTypes.join(',')} are published`)
  }
  const fourth = await post(dispatchA, { url: hook, eventTypes: ['*'] })
  t.equal(fourth.statusCode, 409)
  t.match(fourth.json(), { code: 'webhook_endpoint_limit', limit: 3, detail: /already has 3 webhook endpoints.*WEBHOOK_MAX_ENDPOINTS_PER_ORGANIZATION=3/ })
  t.equal((await post(office, { url: hook, eventTypes: ['*'], organization: 'ORG-A' })).statusCode, 409, 'also when the office registers for the organization')
  t.equal((await post(dispatchB, { url: hook, eventTypes: ['*'] })).statusCode, 201, 'the limit is per organization')

  // Concurrent registrations cannot pass the limit together.
  const existing = (await testApp.app.inject({ method: 'GET', url: '/v1/webhooks', headers: bearer(dispatchA) })).json().items
  await testApp.app.inject({ method: 'DELETE', url: `/v1/webhooks/${existing[0].id}`, headers: bearer(dispatchA) })
  const racing = await Promise.all(Array.from({ length: 5 }, () => post(dispatchA, { url: hook, eventTypes: ['*'] })))
  t.same(racing.map((r) => r.statusCode).sort(), [201, 409, 409, 409, 409], 'a deleted endpoint frees its place, once')
})

t.test('WEBHOOK_ALLOW_LINK_LOCAL=true lets link-local and metadata addresses through, never other schemes or credentials', async (t) => {
  const testApp = await buildTestApp(t, { config: { WEBHOOK_ALLOW_LINK_LOCAL: true, WEBHOOK_ALLOWED_TARGETS: [] } })
  const dispatch = await testApp.key('dispatch', 'ORG-A')
  const post = (url: string) => testApp.app.inject({ method: 'POST', url: '/v1/webhooks', headers: bearer(dispatch), payload: { url, eventTypes: ['*'] } })
  t.equal((await post('http://169.254.169.254/hooks')).statusCode, 201)
  t.equal((await post('http://[fe80::1]/hooks')).statusCode, 201)
  t.equal((await post('http://[::ffff:169.254.169.254]/hooks')).statusCode, 201)
  t.equal((await post('http://100.100.100.200/')).statusCode, 201)
  t.equal((await post('http://127.0.0.1/')).statusCode, 422, 'loopback stays refused: WEBHOOK_ALLOW_LINK_LOCAL opens link-local only')
  t.equal((await post('http://10.0.0.1/')).statusCode, 422)
  t.equal((await post('gopher://93.184.216.34/')).statusCode, 422)
  t.equal((await post('http://a:b@93.184.216.34/')).statusCode, 422)
})
