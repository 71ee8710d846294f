import { randomBytes } from 'node:crypto'
import net, { type AddressInfo } from 'node:net'
import { sql } from 'kysely'
import pg from 'pg'
import t, { type Test } from 'tap'
import { loadConfig } from '../../src/platform/config/config.ts'
import { bearer, buildTestApp, caseBody, type TestApp } from '../helpers/test-app.ts'

/**
 * The edges of the HTTP contract a new client meets first: what a validation error says, one status for
 * `validation_failed`, where a malformed body breaks, what the body limit is, and 405 with `Allow` for a
 * known path asked with the wrong method. Every answer is application/problem+json with a request ID.
 */

const isProblem = (t: Test, response: { headers: Record<string, unknown>; json(): Record<string, unknown> }, status: number, code: string) => {
  t.match(response.headers['content-type'], /^application\/problem\+json/, `${code}: problem+json`)
  t.match(response.headers['request-id'], /.+/, `${code}: request-id header`)
  const body = response.json()
  t.equal(body.status, status, `${code}: status in the body`)
  t.equal(body.code, code)
  t.equal(body.requestId, response.headers['request-id'])
  return body
}

t.test('a missing field says it is required, at its own path; a rule message of its own is kept', async (t) => {
  const { app, key } = await buildTestApp(t)
  const dispatch = await key('dispatch')

  const empty = await app.inject({ method: 'POST', url: '/v1/assessments', headers: bearer(dispatch), payload: {} })
  t.equal(empty.statusCode, 400)
  const body = isProblem(t, empty, 400, 'validation_failed')
  t.same(body.errors, [
    { path: 'body.voltageVolts', message: 'required' },
    { path: 'body.excavationLengthMeters', message: 'required' },
  ])

  // Nested members, and a present member of the wrong type (which keeps the schema's message).
  const nested = await app.inject({ method: 'POST', url: '/v1/cases', headers: bearer(dispatch), payload: caseBody({ works: {}, contact: { name: 'Li Ming', phone: 12 } }) })
  t.equal(nested.statusCode, 400)
  const errors = nested.json().errors as Array<{ path: string; message: string }>
  t.same(
    errors.find((e) => e.path === 'body.works.title'),
    { path: 'body.works.title', message: 'required' },
  )
  const phone = errors.find((e) => e.path === 'body.contact.phone')
  t.ok(phone, 'the phone of the wrong type is named')
  t.not(phone?.message, 'required', 'a value that is present is not called missing')

  const noQuery = await app.inject({ method: 'GET', url: '/v1/calendar/due-date?from=2026-02-12', headers: bearer(dispatch) })
  t.equal(noQuery.statusCode, 400)
  t.same(noQuery.json().errors, [{ path: 'query.workingDays', message: 'required' }])
})

t.test('an unknown field is reported at its own path with its name, one issue per field', async (t) => {
  const { app, key } = await buildTestApp(t)
  const dispatch = await key('dispatch')

  const top = await app.inject({
    method: 'POST',
    url: '/v1/assessments',
    headers: bearer(dispatch),
    payload: { voltageVolts: 380, excavationLengthMeters: 10, foo: 1, voltage: 2 },
  })
  t.equal(top.statusCode, 400)
  const body = isProblem(t, top, 400, 'validation_failed')
  t.same(body.errors, [
    { path: 'body.foo', message: 'unknown field `foo`' },
    { path: 'body.voltage', message: 'unknown field `voltage`' },
  ])
  t.match(body.detail, /body\.foo, body\.voltage/)

  const nested = await app.inject({ method: 'POST', url: '/v1/cases', headers: bearer(dispatch), payload: caseBody({ works: { title: 'x', colour: 'red' } }) })
  t.equal(nested.statusCode, 400)
  t.same(nested.json().errors, [{ path: 'body.works.colour', message: 'unknown field `colour`' }])

  const query = await app.inject({ method: 'GET', url: '/v1/cases?limit=5&colour=red', headers: bearer(dispatch) })
  t.equal(query.statusCode, 400)
  t.same(query.json().errors, [{ path: 'query.colour', message: 'unknown parameter `colour`' }])
})

t.test('validation_failed has one status, 400, whether the schema or a service found the fault', async (t) => {
  const { app, key } = await buildTestApp(t)
  const admin = await key('admin')
  const office = await key('office')

  const bySchema = await app.inject({ method: 'POST', url: '/v1/api-keys', headers: bearer(admin), payload: { role: 'emperor' } })
  t.equal(bySchema.statusCode, 400)
  isProblem(t, bySchema, 400, 'validation_failed')

  const byService = await app.inject({ method: 'POST', url: '/v1/api-keys', headers: bearer(admin), payload: { role: 'dispatch' } })
  t.equal(byService.statusCode, 400)
  t.same(isProblem(t, byService, 400, 'validation_failed').errors, [{ path: 'body.organization', message: 'required for the dispatch role' }])

  const caseWithoutOrganization = await app.inject({ method: 'POST', url: '/v1/cases', headers: bearer(office), payload: caseBody() })
  t.equal(caseWithoutOrganization.statusCode, 400)
  isProblem(t, caseWithoutOrganization, 400, 'validation_failed')

  // A named code for well-formed content a rule refuses stays 422.
  const dispatch = await key('dispatch')
  const noCommitment = await app.inject({ method: 'POST', url: '/v1/cases', headers: bearer(dispatch), payload: caseBody({ voltageVolts: 380, excavationLengthMeters: 20 }) })
  t.equal(noCommitment.statusCode, 422)
  isProblem(t, noCommitment, 422, 'commitment_required')
})

t.test('a malformed JSON body is answered with where it breaks: line, column and what was found', async (t) => {
  const { app, key, database } = await buildTestApp(t)
  const dispatch = await key('dispatch')
  const post = (payload: string) => app.inject({ method: 'POST', url: '/v1/cases', headers: { ...bearer(dispatch), 'content-type': 'application/json' }, payload })
  const countCases = async () =>
    Number(
      (
        await database.db
          .selectFrom('case')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    )

  const truncated = await post('{"voltageVolts": 10')
  t.equal(truncated.statusCode, 400)
  t.equal(isProblem(t, truncated, 400, 'malformed_json').detail, 'The body is not valid JSON: the text ends early at line 1, column 20 (character 20 of 19).')

  const multiLine = await post('{\n  "voltageVolts": 10000,\n  "excavationLengthMeters": 30,\n}')
  t.equal(multiLine.statusCode, 400)
  t.match(isProblem(t, multiLine, 400, 'malformed_json').detail, /unexpected "}" at line 4, column 1 /)

  const bareWord = await post('{"voltageVolts": tru}')
  t.match(bareWord.json().detail, /unexpected "}" at line 1, column 21 /, 'a broken literal points at the character after it')

  const trailing = await post('{} x')
  t.match(trailing.json().detail, /unexpected "x" at line 1, column 4 /)

  const poisoned = await post('{"__proto__": {"admin": true}}')
  t.equal(poisoned.statusCode, 400)
  t.match(isProblem(t, poisoned, 400, 'malformed_json').detail, /__proto__/)

  t.equal(await countCases(), 0, 'nothing was written')
})

t.test('a body over the limit is 413 and says the limit in bytes', async (t) => {
  const { app, key } = await buildTestApp(t, { config: { BODY_LIMIT_BYTES: 2048 } })
  const dispatch = await key('dispatch')
  const payload = JSON.stringify(caseBody({ works: { title: 'x', description: 'y'.repeat(3000) } }))
  const response = await app.inject({ method: 'POST', url: '/v1/cases', headers: { ...bearer(dispatch), 'content-type': 'application/json' }, payload })
  t.equal(response.statusCode, 413)
  const body = isProblem(t, response, 413, 'body_too_large')
  t.match(body.detail, /limit of 2048 bytes/)
  t.equal(body.limitBytes, 2048)
})

t.test('a known path with another method is 405 with Allow; an unknown path stays 404', async (t) => {
  const { app, key } = await buildTestApp(t)
  const office = await key('office')
  const id = '00000000-0000-4000-8000-000000000000'

  const cases: Array<[string, string, string]> = [
    ['DELETE', '/v1/cases', 'GET, HEAD, POST'],
    ['PUT', `/v1/cases/${id}`, 'GET, HEAD'],
    ['GET', `/v1/cases/${id}/transitions`, 'POST'],
    ['PATCH', '/v1/calendar/years/2026', 'GET, HEAD, PUT'],
    ['POST', '/v1/api-keys/me', 'GET, HEAD, DELETE'],
    ['POST', '/health/live', 'GET, HEAD'],
  ]
  for (const [method, url, allow] of cases) {
    const response = await app.inject({ method: method as 'GET', url, headers: bearer(office) })
    t.equal(response.statusCode, 405, `${method} ${url}`)
    t.equal(response.headers.allow, allow, `${method} ${url}: Allow`)
    const body = isProblem(t, response, 405, 'method_not_allowed')
    t.same(body.allowedMethods, allow.split(', '))
    t.match(body.detail, new RegExp(`^${method} is not allowed on ${url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}; it answers ${allow}`))
  }

  const trailingSlash = await app.inject({ method: 'DELETE', url: '/v1/cases/' })
  t.equal(trailingSlash.statusCode, 405, 'a trailing slash is the same path (as for routing)')
  t.equal(trailingSlash.headers.allow, 'GET, HEAD, POST')

  const withoutKey = await app.inject({ method: 'DELETE', url: '/v1/cases' })
  t.equal(withoutKey.statusCode, 405, 'the method is wrong whoever asks')

  for (const url of ['/v1/nothing-here', `/v1/cases/${id}/nothing`, '/v2/cases']) {
    const response = await app.inject({ method: 'GET', url, headers: bearer(office) })
    t.equal(response.statusCode, 404, url)
    t.equal(response.headers.allow, undefined)
    isProblem(t, response, 404, 'route_not_found')
  }
})

t.test('control characters are refused in short texts at the field path; long texts keep line breaks only', async (t) => {
  const { app, key, database } = await buildTestApp(t)
  const dispatch = await key('dispatch')
  const post = (overrides: Record<string, unknown>) => app.inject({ method: 'POST', url: '/v1/cases', headers: bearer(dispatch), payload: caseBody(overrides) })

  const cases: Array<[Record<string, unknown>, string]> = [
    [{ works: { title: 'Cable\u0007 works' } }, 'body.works.title'],
    [{ location: { district: 'Long\twen', roadName: 'Shuixian Avenue' } }, 'body.location.district'],
    [{ location: { district: 'Longwen', roadName: 'Shuixian\r\nAvenue' } }, 'body.location.roadName'],
    [{ contact: { name: 'Li\u001bMing', phone: '0596-2345678' } }, 'body.contact.name'],
    [{ externalReference: 'ref\u0085' }, 'body.externalReference'],
    [{ works: { title: 'Cable works', description: 'line one\u0000' } }, 'body.works.description'],
  ]
  for (const [overrides, path] of cases) {
    const response = await post(overrides)
    t.equal(response.statusCode, 400, path)
    const body = isProblem(t, response, 400, 'validation_failed')
    t.same(
      (body.errors as Array<{ path: string }>).map((e) => e.path),
      [path],
      `${path} is named`,
    )
    t.match((body.errors as Array<{ message: string }>)[0]?.message, /control characters/)
  }
  const rows = await database.db.selectFrom('case').select('id').execute()
  t.equal(rows.length, 0, 'nothing was stored')

  const multiLine = await post({ works: { title: 'Cable works', description: 'line one\r\nline two\tindented' } })
  t.equal(multiLine.statusCode, 201, 'a description may span lines')

  // The same shared schema guards the transition payloads.
  const office = await key('office')
  const id = multiLine.json().id
  const note = await app.inject({
    method: 'POST',
    url: `/v1/cases/${id}/transitions`,
    headers: { ...bearer(office), 'if-match': '"1"' },
    payload: { action: 'not_accept', reason: 'no\u0008' },
  })
  t.equal(note.statusCode, 400)
  t.same(
    note.json().errors.map((e: { path: string }) => e.path),
    ['body.reason'],
  )
})

/** Listens on 127.0.0.1 (a free port) and returns the port; the test app's teardown closes it. */
async function listen(app: TestApp['app']): Promise<number> {
  await app.listen({ port: 0, host: '127.0.0.1' })
  return (app.server.address() as AddressInfo).port
}

/** A raw socket to the app: what the server wrote, and when (ms after connecting) it closed the connection. */
function rawSocket(port: number) {
  const socket = net.connect(port, '127.0.0.1')
  const started = Date.now()
  let received = ''
  socket.setEncoding('utf8')
  socket.on('data', (chunk: string) => {
    received += chunk
  })
  socket.on('error', () => {})
  const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now() - started)))
  const connected = new Promise<void>((resolve) => socket.on('connect', () => resolve()))
  return { socket, closed, connected, received: () => received }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

t.test('timeouts: a trickled body and trickled headers are cut with 408 problem+json; the defaults cut within 30 s', async (t) => {
  // The defaults: a body trickled one byte every 2 s is cut at HTTP_REQUEST_TIMEOUT_MS plus node's check interval (1 s).
  const defaults = loadConfig({})
  t.equal(defaults.HTTP_REQUEST_TIMEOUT_MS, 20_000)
  t.equal(defaults.HTTP_HEADERS_TIMEOUT_MS, 10_000)
  t.ok(defaults.HTTP_REQUEST_TIMEOUT_MS + 1_000 <= 30_000, 'cut within 30 s')

  // Here with a short limit so the test is quick: 1.5 s for the request, 1 s for its headers.
  const { app, key } = await buildTestApp(t, { config: { HTTP_REQUEST_TIMEOUT_MS: 1_500, HTTP_HEADERS_TIMEOUT_MS: 1_000 } })
  const dispatch = await key('dispatch')
  const port = await listen(app)

  const body = rawSocket(port)
  await body.connected
  body.socket.write(`POST /v1/assessments HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${dispatch}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{`)
  const trickle = setInterval(() => {
    if (!body.socket.destroyed) body.socket.write(' ')
  }, 300)
  const bodyClosedAfter = await body.closed
  clearInterval(trickle)
  t.match(body.received(), /^HTTP\/1\.1 408 /, 'answered 408')
  t.match(body.received(), /content-type: application\/problem\+json/i)
  t.match(body.received(), /"code":"request_timeout"/)
  t.ok(bodyClosedAfter >= 1_000, `not cut before the limit (${bodyClosedAfter} ms)`)
  t.ok(bodyClosedAfter < 10_000, `cut soon after the limit (${bodyClosedAfter} ms)`)

  const headers = rawSocket(port)
  await headers.connected
  headers.socket.write('GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n')
  let n = 0
  const slowloris = setInterval(() => {
    if (!headers.socket.destroyed) headers.socket.write(`X-Slow-${n++}: 1\r\n`)
  }, 200)
  const headersClosedAfter = await headers.closed
  clearInterval(slowloris)
  t.match(headers.received(), /^HTTP\/1\.1 408 /, 'trickled headers: 408')
  t.ok(headersClosedAfter < 10_000, `headers cut soon after their limit (${headersClosedAfter} ms)`)
})

t.test('401 and 413 close the connection: the rest of the body is never read', async (t) => {
  const { app, key } = await buildTestApp(t, { config: { BODY_LIMIT_BYTES: 2048 } })
  const dispatch = await key('dispatch')

  const noKey = await app.inject({ method: 'POST', url: '/v1/cases', payload: caseBody() })
  t.equal(noKey.statusCode, 401)
  t.equal(noKey.headers.connection, 'close')
  const tooLarge = await app.inject({
    method: 'POST',
    url: '/v1/cases',
    headers: { ...bearer(dispatch), 'content-type': 'application/json' },
    payload: JSON.stringify(caseBody({ works: { title: 'x', description: 'y'.repeat(3000) } })),
  })
  t.equal(tooLarge.statusCode, 413)
  t.equal(tooLarge.headers.connection, 'close')

  // On a real socket: a large body announced without a key is answered 401 at once and the socket closed,
  // long before the request timeout (20 s), although most of the body was never sent.
  const port = await listen(app)
  const raw = rawSocket(port)
  await raw.connected
  raw.socket.write('POST /v1/cases HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"voltageVolts"')
  const closedAfter = await raw.closed
  t.match(raw.received(), /^HTTP\/1\.1 401 /)
  t.match(raw.received(), /connection: close/i)
  t.ok(closedAfter < 10_000, `closed by the server after the 401 (${closedAfter} ms)`)
})

const randomWellFormedKey = () => `gck_${randomBytes(4).toString('hex')}_${randomBytes(32).toString('base64url')}`

t.test('rate limits: requests per API key, failed authentications per address; 429 problem+json with Retry-After', async (t) => {
  const { app, key } = await buildTestApp(t, { config: { RATE_LIMIT_PER_KEY: 4, RATE_LIMIT_UNAUTHENTICATED_PER_ADDRESS: 3, RATE_LIMIT_WINDOW_MS: 60_000 } })
  const office = await key('office')
  const auditor = await key('auditor')
  const me = (headers: Record<string, string>, remoteAddress = '127.0.0.1') => app.inject({ method: 'GET', url: '/v1/api-keys/me', headers, remoteAddress })

  for (let i = 0; i < 4; i++) t.equal((await me(bearer(office))).statusCode, 200, `office request ${i + 1} of 4`)
  const overKey = await me(bearer(office))
  t.equal(overKey.statusCode, 429)
  const body = isProblem(t, overKey, 429, 'rate_limited')
  t.match(overKey.headers['retry-after'], /^\d+$/)
  const retryAfter = Number(overKey.headers['retry-after'])
  t.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter} s is within the window`)
  t.equal(body.retryAfterSeconds, retryAfter)
  t.equal(body.limit, 4)
  t.equal((await me(bearer(auditor))).statusCode, 200, 'another key has its own budget')

  // Failed authentications: three per address, then 429 before any lookup, whatever the token.
  const failures: Array<Record<string, string>> = [{}, { authorization: 'Basic dXNlcjpwYXNz' }, bearer(randomWellFormedKey())]
  for (const headers of failures) t.equal((await me(headers)).statusCode, 401)
  const overAddress = await me(bearer(randomWellFormedKey()))
  t.equal(overAddress.statusCode, 429)
  isProblem(t, overAddress, 429, 'rate_limited')
  t.match(overAddress.headers['retry-after'], /^\d+$/)
  t.equal((await me(bearer(auditor))).statusCode, 200, 'a key already known from the cache is not slowed by failures from its address')
  t.equal((await me(bearer(await key('admin')))).statusCode, 429, 'a key not yet looked up waits too: no lookups for an exhausted address')
  t.equal((await me({}, '127.0.0.2')).statusCode, 401, 'another address has its own budget')
})

t.test('the key format is checked before any lookup; unknown keys never push valid keys out of the cache', async (t) => {
  const { app, key, connectionString } = await buildTestApp(t)
  const office = await key('office')
  const me = (apiKey: string) => app.inject({ method: 'GET', url: '/v1/api-keys/me', headers: bearer(apiKey) })
  t.equal((await me(office)).statusCode, 200)
  const seen = randomWellFormedKey()
  t.equal((await me(seen)).statusCode, 401)
  // A flood of random well-formed keys, more than the memory of unknown keys holds (1,000).
  const flood = Array.from({ length: 1_200 }, randomWellFormedKey)
  for (let i = 0; i < flood.length; i += 100) {
    const answers = await Promise.all(flood.slice(i, i + 100).map(me))
    t.ok(
      answers.every((answer) => answer.statusCode === 401),
      `flood ${i}–${i + 99}: 401`,
    )
  }

  // From here on the key table is locked (ACCESS EXCLUSIVE, from another session): a request that looks a key up
  // waits for the lock, one answered without a lookup comes back at once. (Closing the pool instead would also
  // stop the revocation listener, and without it the cache is rightly not trusted.)
  const locker = new pg.Client({ connectionString })
  await locker.connect()
  t.teardown(() => locker.end())
  await locker.query('begin')
  await locker.query('lock table api_key in access exclusive mode')
  const within = async (answer: Promise<{ statusCode: number }>, ms: number) => await Promise.race([answer.then((r) => r.statusCode), sleep(ms).then(() => 'pending' as const)])
  t.equal(await within(me(office), 5_000), 200, 'the valid key is still cached after the flood')
  for (const malformed of ['not-a-key', 'gck_short', `gck_ABCDEFGH_${'A'.repeat(43)}`, `gck_abcdefgh_${'A'.repeat(44)}`, 'x'.repeat(4000)]) {
    t.equal(await within(me(malformed), 5_000), 401, `${malformed.slice(0, 20)}…: 401 without a lookup`)
  }
  t.equal(await within(me(flood.at(-1) as string), 5_000), 401, 'a recently seen unknown key is answered from memory')
  const unseen = me(randomWellFormedKey())
  const forgotten = me(seen)
  t.equal(await within(unseen, 500), 'pending', 'a well-formed key never seen needs a lookup: it waits for the locked table')
  t.equal(await within(forgotten, 500), 'pending', 'the memory of unknown keys is bounded: the oldest was forgotten and is looked up again')
  await locker.query('rollback')
  t.equal((await unseen).statusCode, 401)
  t.equal((await forgotten).statusCode, 401)
})

t.test('security headers on API answers and 401s; the Swagger UI keeps what it needs; no-store on every API answer', async (t) => {
  const { app, key } = await buildTestApp(t)
  const admin = await key('admin')

  for (const [label, response] of [
    ['an API answer', await app.inject({ method: 'GET', url: '/v1/api-keys/me', headers: bearer(admin) })],
    ['a 401', await app.inject({ method: 'GET', url: '/v1/cases' })],
    ['a 404', await app.inject({ method: 'GET', url: '/v1/nothing', headers: bearer(admin) })],
  ] as const) {
    t.equal(response.headers['x-content-type-options'], 'nosniff', label)
    t.equal(response.headers['x-frame-options'], 'DENY', label)
    t.equal(response.headers['referrer-policy'], 'no-referrer', label)
    t.match(response.headers['strict-transport-security'], /max-age=\d+/, label)
    t.match(response.headers['content-security-policy'], /default-src 'none'/, label)
    t.match(response.headers['content-security-policy'], /frame-ancestors 'none'/, label)
    t.equal(response.headers['cache-control'], 'no-store', label)
  }

  // A secret shown once is never stored by a cache.
  const created = await app.inject({ method: 'POST', url: '/v1/api-keys', headers: bearer(admin), payload: { role: 'auditor' } })
  t.equal(created.statusCode, 201)
  t.equal(created.headers['cache-control'], 'no-store')

  // The Swagger UI: its page, scripts and styles come from /docs itself, and its policy allows exactly that.
  const page = await app.inject({ method: 'GET', url: '/docs/' })
  t.equal(page.statusCode, 200)
  const csp = String(page.headers['content-security-policy'])
  t.match(csp, /script-src 'self'/)
  t.match(csp, /style-src 'self' 'unsafe-inline'/)
  t.match(csp, /img-src 'self' data:/)
  t.match(csp, /connect-src 'self'/)
  t.notMatch(csp, /default-src 'none'/)
  const scripts = [...page.body.matchAll(/<script[^>]*src="([^"]+)"/g)].map((m) => m[1] as string)
  const styles = [...page.body.matchAll(/<link[^>]*href="([^"]+)"/g)].map((m) => m[1] as string)
  t.ok(scripts.length >= 1, 'the page loads scripts')
  t.notMatch(page.body, /<script>(?!\s*<\/script>)/, 'no inline script (script-src has no unsafe-inline)')
  for (const src of [...scripts, ...styles]) {
    t.notMatch(src, /^(https?:)?\/\//, `${src} is from the same origin`)
    const url = new URL(src, 'http://127.0.0.1/docs/').pathname
    const asset = await app.inject({ method: 'GET', url })
    t.equal(asset.statusCode, 200, url)
  }
  t.equal((await app.inject({ method: 'GET', url: '/docs/json' })).statusCode, 200, 'the OpenAPI document it fetches')
})

t.test('while the instance shuts down, a new request gets 503 problem+json with Retry-After and Connection: close', async (t) => {
  const { app, key } = await buildTestApp(t)
  const dispatch = await key('dispatch')
  const port = await listen(app)

  // One request in flight (its body not finished) holds the close; a second connection has sent half its headers.
  const inFlight = rawSocket(port)
  await inFlight.connected
  const payload = JSON.stringify({ voltageVolts: 10000, excavationLengthMeters: 30 })
  inFlight.socket.write(
    `POST /v1/assessments HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${dispatch}\r\nContent-Type: application/json\r\nContent-Length: ${payload.length}\r\n\r\n${payload.slice(0, 5)}`,
  )
  const late = rawSocket(port)
  await late.connected
  late.socket.write('GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n')
  await sleep(300)

  const closing = app.close()
  await sleep(300)
  late.socket.write('\r\n')
  await late.closed
  t.match(late.received(), /^HTTP\/1\.1 503 /)
  t.match(late.received(), /content-type: application\/problem\+json/i)
  t.match(late.received(), /retry-after: 1/i)
  t.match(late.received(), /connection: close/i)
  t.match(late.received(), /"code":"shutting_down"/)

  // The request in flight still finishes. (Its keep-alive connection would then stay open until the keep-alive
  // timeout — server.ts closes such connections while draining — so the client closes it here.)
  inFlight.socket.write(payload.slice(5))
  for (let waited = 0; !/\r\n\r\n\{/.test(inFlight.received()) && waited < 10_000; waited += 50) await sleep(50)
  t.match(inFlight.received(), /^HTTP\/1\.1 200 /, 'the request in flight is answered')
  inFlight.socket.destroy()
  await closing
})

t.test("the sealed request id is the server's; a caller's request-id is kept as clientRequestId on the event, and the chain verifies", async (t) => {
  const { app, key, database } = await buildTestApp(t)
  const dispatch = await key('dispatch')
  const auditor = await key('auditor')
  const office = await key('office')
  const submitted = await app.inject({ method: 'POST', url: '/v1/cases', headers: { ...bearer(dispatch), 'request-id': 'erp-4711' }, payload: caseBody() })
  t.equal(submitted.statusCode, 201)
  const serverId = submitted.headers['request-id'] as string
  t.match(serverId, /^[0-9a-f-]{36}$/, 'the request id is a UUID of the server')
  const id = submitted.json().id
  // A transition without a request-id header, and one with an id that is not sane (dropped, not kept).
  t.equal(
    (
      await app.inject({
        method: 'POST',
        url: `/v1/cases/${id}/transitions`,
        headers: { ...bearer(office), 'if-match': '"1"', 'request-id': 'bad id with spaces' },
        payload: { action: 'accept' },
      })
    ).statusCode,
    200,
  )

  const rows = await database.db.selectFrom('case_event').select(['seq', 'request_id', 'client_request_id']).where('case_id', '=', id).orderBy('seq').execute()
  t.same(
    rows.map((row) => [row.seq, row.request_id === serverId, row.client_request_id]),
    [
      [1, true, 'erp-4711'],
      [2, false, null],
    ],
  )
  t.match(rows[1]?.request_id, /^[0-9a-f-]{36}$/)

  const events = (await app.inject({ method: 'GET', url: `/v1/cases/${id}/events`, headers: bearer(auditor) })).json()
  t.equal(events.items[0].requestId, serverId)
  t.equal(events.items[0].clientRequestId, 'erp-4711')
  t.equal(events.items[1].clientRequestId, null)

  const verified = await app.inject({ method: 'GET', url: `/v1/cases/${id}/events/verify`, headers: bearer(auditor) })
  t.equal(verified.statusCode, 200)
  t.equal(verified.json().valid, true, 'the chain with a sealed clientRequestId verifies')

  // The clientRequestId is sealed: changing it breaks the chain.
  await sql`alter table case_event disable trigger user`.execute(database.db)
  await sql`update case_event set client_request_id = 'forged' where case_id = ${id} and seq = 1`.execute(database.db)
  await sql`alter table case_event enable trigger user`.execute(database.db)
  const tampered = await app.inject({ method: 'GET', url: `/v1/cases/${id}/events/verify`, headers: bearer(auditor) })
  t.equal(tampered.json().valid, false, 'an edited clientRequestId is detected')
})
