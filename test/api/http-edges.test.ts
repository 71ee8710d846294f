import t, { type Test } from 'tap'
import { bearer, buildTestApp, caseBody } from '../helpers/test-app.ts'

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
