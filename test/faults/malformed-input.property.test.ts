/**
 * Bad input at volume: fast-check generates malformed and boundary requests
 * for EVERY route of the OpenAPI document (`app.swagger()`, so routes added later are covered too):
 * path parameters (valid, foreign, unknown and malformed ids), query strings (wrong types, huge and
 * NaN-like numbers, repeated keys, broken percent-encoding, unicode), bodies (valid bodies mutated field
 * by field with wrong types, nulls, deep nesting, arrays for objects, missing and extra fields, huge
 * strings; raw invalid JSON, BOMs, __proto__ keys, invalid UTF-8), content types, and the Authorization,
 * If-Match, Idempotency-Key and request-id headers.
 *
 * Every answer must be a 4xx application/problem+json carrying the requestId (and its own status), or a
 * correct 2xx JSON answer — never a 5xx. A rejected request must not change the database: every table is
 * compared before and after (test/helpers/db-snapshot.ts). The one exception is `idempotency_key`: a 4xx
 * answered to a request with a valid Idempotency-Key is stored so that a retry replays it (by design, see
 * test/api/idempotency.test.ts); the test checks that no rejected request leaves a claim `in_progress`
 * behind (it would block the client's retries) and that stored rejections carry their 4xx status.
 *
 * Then oversized bodies: refused with 413 without being buffered whole — a raw socket declaring a huge
 * Content-Length and sending a few bytes gets a prompt 413; a chunked body is cut off with 413 as soon as
 * it passes the limit, before it ends.
 *
 * Each generated request is valid except in one or two dimensions (path parameters, query, body, content
 * type, Authorization, other headers, method), so that it gets past the checks it is not about: the roles
 * each route admits are probed first and a key of such a role is used by default.
 *
 * Boundary values of the right type are generated too, so that they pass the shape checks and reach the
 * rules, the calendar and the lifecycle: lengths a hair off two decimals (49.99000000000001, 0.1 + 0.2,
 * 1e-9), huge and near-safe-integer numbers, dates and instants at the ends of the supported range and
 * near years 0 and 9999 (with extreme offsets), and periods spanning centuries. A `boundary` mutation swaps
 * one date, instant, number or period of a valid body or query for such a value of the same kind.
 *
 * FAULTS_RUNS (default 40) sets the number of generated requests per route; FAULTS_SEED replays a run;
 * FAULTS_DEBUG=<openapi path> prints every request sent to that route and its answer; FAULTS_ONLY=<openapi
 * path>[,…] generates requests for those routes only.
 */
import net from 'node:net'
import fc from 'fast-check'
import { sql } from 'kysely'
import t from 'tap'
import { snapshotDatabase } from '../helpers/db-snapshot.ts'
import type { Role } from '../../src/core/access/principal.ts'
import { createApiKey } from '../../src/api-keys/api-key.service.ts'
import { buildApp } from '../../src/app.ts'
import { testConfig } from '../../src/platform/config/config.ts'
import { ManualClock } from '../../src/platform/clock.ts'
import { bearer, buildTestApp, caseBody, createTestDatabase } from '../helpers/test-app.ts'

const RUNS = Number(process.env.FAULTS_RUNS ?? 40)
const SEED = process.env.FAULTS_SEED ? Number(process.env.FAULTS_SEED) : undefined
const BODY_LIMIT = 64 * 1024

// ------------------------------------------------------------------------------------------------------
// Generators
// ------------------------------------------------------------------------------------------------------

const LONE_SURROGATE = '\ud800'
const weirdStrings = [
  '',
  ' ',
  '\t',
  '\u0000',
  'a\u0000b',
  LONE_SURROGATE,
  `x${LONE_SURROGATE}y`,
  '\udfff',
  '\uffff',
  '\ufeff',
  '💥',
  '𝕏𝕐',
  'Ω≈ç√∫',
  '\u202eevil',
  '中文道路',
  'null',
  'true',
  'false',
  '0',
  '-1',
  '1.5',
  '1e309',
  '-1e309',
  'NaN',
  'Infinity',
  '-Infinity',
  '0x10',
  '1_000',
  ' 42 ',
  '+1',
  '٣',
  '2026-02-30',
  '2026-13-01',
  '0000-00-00',
  '9999-12-31',
  '2026-02-12T25:00:00+08:00',
  '2026-02-12T10:00:00',
  '2026-02-12T10:00:00Z',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '<script>alert(1)</script>',
  '\'; drop table "case"; --',
  '../../etc/passwd',
  '%00',
  '%',
  '\r\n',
  '{}',
  '[]',
  '__proto__',
  'constructor',
  'a'.repeat(300),
  'b'.repeat(70_000),
]
const weirdNumbers = [
  0,
  -0,
  -1,
  1,
  0.5,
  0.001,
  0.125,
  1e308,
  -1e308,
  1e21,
  2 ** 31,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 53),
  Number.MIN_VALUE,
  49.999,
  50,
  200.001,
  10000,
  10001,
  400,
  401,
]

// Values of the right type at the edges of what the domain takes.
/** Near two decimals but not exactly (once a 500: the HTTP check tolerated 1e-6, the rules engine was exact), and the edges of the bounds. */
const nearTwoDecimals = [49.99000000000001, 0.1 + 0.2, 1e-9, 50 - 1e-12, 200.00000000000003, 10.000000001, 0.7000000000000001]
const boundaryNumbers = [
  ...nearTwoDecimals,
  49.99,
  50,
  200,
  200.01,
  0.01,
  99_999.99,
  100_000,
  100_000.01,
  1_000_000,
  1_000_001,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 2,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  Number.EPSILON,
  -0,
  3650,
  3651,
  4_294_967_296,
]
const boundaryDates = [
  '0001-01-01',
  '0000-01-01',
  '9999-12-31',
  '9999-12-30',
  '1000-01-01',
  '1899-12-31',
  '1970-01-01',
  '1989-12-31',
  '1990-01-01',
  '2100-12-31',
  '2101-01-01',
  '2024-02-29',
  '2100-02-29',
  '2019-10-31',
]
const boundaryInstants = [
  '0000-01-01T00:00:00+23:59',
  '0001-01-01T00:00:00Z',
  '9999-12-31T23:59:59Z',
  '9999-12-31T23:59:59.999-23:59',
  '1969-12-31T23:59:59.999Z',
  '1989-12-31T15:59:59.999Z',
  '1989-12-31T16:00:00Z',
  '2100-12-31T15:59:59.999Z',
  '2100-12-31T16:00:00Z',
  '2026-02-12T10:00:00.123456789+08:00',
  '2026-02-12T23:59:59-23:59',
  '2019-10-31T16:00:00Z',
]
const boundaryPeriods = [
  { from: '1990-01-01', to: '2100-12-31' },
  { from: '0001-01-01', to: '9999-12-31' },
  { from: '2026-03-02', to: '9999-12-31' },
  { from: '9999-12-31', to: '9999-12-31' },
  { from: '2026-03-02', to: '2100-12-31' },
  { from: '2100-12-31', to: '2026-03-02' },
]
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/
const INSTANT_RE = /^\d{4}-\d{2}-\d{2}T/
/** A value of the same kind as `current` taken from the boundary lists (undefined when `current` has no such kind). */
function boundaryLike(current: unknown, at: number): unknown {
  const pick = <T>(list: readonly T[]) => list[at % list.length]
  if (typeof current === 'number') return at % 2 === 0 ? pick(nearTwoDecimals) : pick(boundaryNumbers)
  if (typeof current === 'string' && DATE_RE.test(current)) return pick(boundaryDates)
  if (typeof current === 'string' && INSTANT_RE.test(current)) return pick(boundaryInstants)
  if (current && typeof current === 'object' && 'from' in current && 'to' in current) return structuredClone(pick(boundaryPeriods))
  return undefined
}

const weirdScalar: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.constantFrom<unknown>(null, true, false, ...weirdNumbers, ...weirdStrings), weight: 6 },
  { arbitrary: fc.constantFrom<unknown>(...boundaryNumbers, ...boundaryDates, ...boundaryInstants), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 1 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }), weight: 1 },
  { arbitrary: fc.integer(), weight: 1 },
  { arbitrary: fc.double(), weight: 1 },
)

const nest = (depth: number, kind: 'object' | 'array'): unknown => {
  let value: unknown = 1
  for (let i = 0; i < depth; i++) value = kind === 'object' ? { a: value } : [value]
  return value
}

const weirdValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: weirdScalar, weight: 8 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 2 },
  { arbitrary: fc.array(weirdScalar, { maxLength: 5 }), weight: 1 },
  { arbitrary: fc.dictionary(fc.constantFrom('a', '__proto__', 'constructor', 'action', 'id', ''), weirdScalar, { maxKeys: 3 }), weight: 1 },
  { arbitrary: fc.tuple(fc.constantFrom(10, 200), fc.constantFrom<'object' | 'array'>('object', 'array')).map(([d, k]) => nest(d, k)), weight: 1 },
)

type Op = { kind: 'set' | 'delete' | 'add' | 'wrap' | 'poison' | 'boundary'; at: number; value: unknown; name: string; char: string }
/** Characters slipped into an otherwise valid string: PostgreSQL cannot store the first three. */
const poisons = ['\u0000', LONE_SURROGATE, '\udfff', '\u202e', '\ufeff', '\uffff', '\u0085', '\r\n']
const opArb: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom<Op['kind']>('set', 'set', 'set', 'delete', 'add', 'wrap', 'poison', 'poison'),
  char: fc.constantFrom(...poisons),
  at: fc.nat(),
  value: weirdValue,
  name: fc.constantFrom('extra', '__proto__', 'constructor', 'prototype', 'ACTION', ' id', 'organization', 'action', ''),
})

const poisonOpArb: fc.Arbitrary<Op> = opArb.map((op) => ({ ...op, kind: 'poison' as const }))
const boundaryOpArb: fc.Arbitrary<Op> = opArb.map((op) => ({ ...op, kind: 'boundary' as const }))

/** Every (container, key) of a JSON value, the root included as [null, null]. */
function slots(value: unknown, out: Array<[Record<string, unknown> | unknown[] | null, string | number | null]> = [[null, null]]) {
  if (value && typeof value === 'object') {
    for (const key of Array.isArray(value) ? value.keys() : Object.keys(value)) {
      out.push([value as Record<string, unknown>, key])
      slots((value as Record<string | number, unknown>)[key], out)
    }
  }
  return out
}

/** A valid body changed by a few operations: a field set to a wrong value, removed, added, or wrapped. */
function mutate(seed: unknown, ops: Op[]): unknown {
  let root = structuredClone(seed)
  for (const op of ops) {
    if (op.kind === 'boundary') {
      // A date, instant, number or period of the valid body swapped for an edge value of the same kind.
      const candidates = slots(root).filter(([c, k]) => c !== null && boundaryLike((c as Record<string | number, unknown>)[k as string], 0) !== undefined)
      if (candidates.length === 0) continue
      const [container, key] = candidates[op.at % candidates.length]!
      const record = container as Record<string | number, unknown>
      record[key as string] = boundaryLike(record[key as string], Math.floor(op.at / candidates.length))
      continue
    }
    if (op.kind === 'poison') {
      // A valid string with one bad character in it: only the character is wrong.
      const strings = slots(root).filter(([c, k]) => c !== null && typeof (c as Record<string | number, unknown>)[k as string] === 'string')
      if (strings.length === 0) continue
      const [container, key] = strings[op.at % strings.length]!
      const value = (container as Record<string | number, string>)[key as string]!
      ;(container as Record<string | number, string>)[key as string] = value.slice(0, 1) + op.char + value.slice(1)
      continue
    }
    const all = slots(root)
    const [container, key] = all[op.at % all.length]!
    const get = () => (container === null ? root : (container as Record<string | number, unknown>)[key as string])
    const put = (v: unknown) => {
      if (container === null) root = v
      else (container as Record<string | number, unknown>)[key as string] = v
    }
    if (op.kind === 'set') put(op.value)
    else if (op.kind === 'wrap') put([get()])
    else if (op.kind === 'delete') {
      if (container === null) root = undefined
      else if (Array.isArray(container)) container.splice(key as number, 1)
      else delete (container as Record<string, unknown>)[key as string]
    } else {
      const target = get()
      if (target && typeof target === 'object' && !Array.isArray(target)) {
        // defineProperty, so that "__proto__" becomes an own key and is serialized like an attacker would send it.
        Object.defineProperty(target, op.name, { value: op.value, enumerable: true, writable: true, configurable: true })
      } else put({ [op.name]: op.value })
    }
  }
  return root
}

const rawBodies: Array<string | Buffer> = [
  '',
  ' ',
  '{',
  '}',
  '{"a":1,}',
  '[1,2',
  'nul',
  'undefined',
  "{'a':1}",
  '{"a":1}{"b":2}',
  '\ufeff{}',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '0',
  '"a string"',
  '1e999',
  '-',
  '{"a":"\\ud800"}',
  '{"a":"\\u0000"}',
  '{"a":1,"a":2}',
  '1'.repeat(5_000),
  `${'['.repeat(20_000)}${']'.repeat(20_000)}`,
  `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`,
  Buffer.from([0xff, 0xfe, 0x7b, 0x7d]),
  Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]),
]

const contentTypes = [
  'application/json',
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'APPLICATION/JSON',
  'application/problem+json',
  'application/merge-patch+json',
  'text/plain',
  'text/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'garbage',
  ';;;',
  'application/json, text/plain',
  null,
]

// ------------------------------------------------------------------------------------------------------
// The test
// ------------------------------------------------------------------------------------------------------

interface RouteInfo {
  method: string
  path: string
  pathParams: string[]
  queryParams: string[]
  hasBody: boolean
}

t.test('every route: malformed and boundary input is a 4xx problem+json or a correct 2xx, never a 5xx; rejected requests change nothing', async (t) => {
  // The app's error log is kept, so that a 5xx is reported with the error behind it.
  const { database, connectionString } = await createTestDatabase(t)
  const serverErrors: string[] = []
  const app = await buildApp({
    config: testConfig({ BODY_LIMIT_BYTES: BODY_LIMIT, LOG_LEVEL: 'error' }),
    database,
    clock: new ManualClock('2026-02-12T02:00:00Z'),
    logStream: { write: (line: string) => void serverErrors.push(line) },
  })
  await app.ready()
  t.teardown(() => app.close())
  const testApp = {
    app,
    database,
    connectionString,
    key: async (role: Role, organization?: string) =>
      (await createApiKey(database.db, { role, organizationCode: organization ?? (role === 'dispatch' ? 'ORG-A' : undefined) })).key,
  }
  const db = database.db
  const keys = {
    dispatch: await testApp.key('dispatch', 'ORG-A'),
    otherDispatch: await testApp.key('dispatch', 'ORG-B'),
    office: await testApp.key('office'),
    auditor: await testApp.key('auditor'),
    admin: await testApp.key('admin'),
  }
  const revoked = await testApp.key('auditor')
  const revokedId = (await app.inject({ method: 'GET', url: '/v1/api-keys/me', headers: bearer(revoked) })).json().keyId as string
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/api-keys/${revokedId}`, headers: bearer(keys.admin) })).statusCode, 200, 'a revoked key to send')
  // Keys that generated DELETEs may revoke (the ones above must keep working).
  const sacrificial: string[] = []
  for (let i = 0; i < 3; i++) {
    const key = await testApp.key('auditor')
    sacrificial.push((await app.inject({ method: 'GET', url: '/v1/api-keys/me', headers: bearer(key) })).json().keyId as string)
  }
  const own = (await app.inject({ method: 'POST', url: '/v1/cases', headers: bearer(keys.dispatch), payload: caseBody({ excavationLengthMeters: 120 }) })).json()
  const foreign = (await app.inject({ method: 'POST', url: '/v1/cases', headers: bearer(keys.otherDispatch), payload: caseBody() })).json()
  // A fast-track case under review: an approval reaches the lifecycle at once, and its period is stored and
  // then read back by the timeline, the export and the reports.
  const fast = (
    await app.inject({ method: 'POST', url: '/v1/cases', headers: bearer(keys.dispatch), payload: caseBody({ excavationLengthMeters: 30, externalReference: 'FAST-1' }) })
  ).json()
  t.equal(
    (await app.inject({ method: 'POST', url: `/v1/cases/${fast.id}/transitions`, headers: { ...bearer(keys.office), 'if-match': '"1"' }, payload: { action: 'accept' } }))
      .statusCode,
    200,
    'a case under review to aim at',
  )
  t.ok(own.id && foreign.id, 'cases to aim at')
  const ruleSet = (await app.inject({ method: 'GET', url: '/v1/rule-sets/zz-green-channel', headers: bearer(keys.admin) })).json()

  const seeds: Record<string, unknown> = {
    'POST /v1/cases': caseBody({
      location: {
        district: 'Longwen',
        roadName: 'Shuixian Avenue',
        geometry: {
          type: 'LineString',
          coordinates: [
            [117.647, 24.513],
            [117.652, 24.515],
          ],
        },
      },
    }),
    'POST /v1/cases/{id}/transitions': { action: 'accept', note: 'complete' },
    'POST /v1/assessments': { voltageVolts: 10000, excavationLengthMeters: 49.5, acceptedAt: '2026-02-12T10:00:00+08:00', emergency: false, roadProtected: false },
    'POST /v1/api-keys': { role: 'dispatch', organization: 'ORG-C', name: 'fuzz' },
    'POST /v1/rule-sets': { id: 'zz-green-channel', effectiveFrom: '2026-06-01', name: 'fuzzed', parameters: ruleSet.parameters },
    'PUT /v1/calendar/years/{year}': { holidays: ['2031-01-01'], makeupWorkdays: ['2031-01-05'], source: 'fuzz' },
  }
  const transitionSeeds = [
    { action: 'accept' },
    { action: 'not_accept', reason: 'incomplete' },
    { action: 'request_supplement', items: [{ item: 'plan', detail: 'signed' }] },
    { action: 'approve', approvedPosition: 'north side', approvedArea: { lengthMeters: 30, widthMeters: 0.8 }, approvedPeriod: { from: '2026-03-02', to: '2026-03-10' } },
    { action: 'approve', approvedPosition: 'north side', approvedArea: { lengthMeters: 30 }, approvedPeriod: { from: '2026-03-02', to: '2100-12-31' } },
    { action: 'approve', approvedPosition: 'north side', approvedArea: 'the whole carriageway', approvedPeriod: { from: '1990-01-01', to: '2026-03-10' } },
    { action: 'extend_time_limit', approver: { name: 'W', title: 'D' }, reason: 'x' },
    { action: 'request_change', kind: 'extend', description: 'x', requestedPeriod: { from: '2026-03-02', to: '2026-03-12' } },
    { action: 'complete_stage', stage: 'joint_survey' },
    { action: 'complete_stage', stage: 'consultation' },
    { action: 'start_works' },
  ]

  // --- Routes, from the OpenAPI document the app serves.
  const document = app.swagger() as { paths: Record<string, Record<string, { parameters?: Array<{ in: string; name: string }>; requestBody?: unknown }>> }
  const routes: RouteInfo[] = []
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue
      const parameters = operation.parameters ?? []
      routes.push({
        method: method.toUpperCase(),
        path,
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: parameters.filter((p) => p.in === 'query').map((p) => p.name),
        hasBody: operation.requestBody !== undefined,
      })
    }
  }
  t.ok(routes.length >= 20, `${routes.length} operations in the OpenAPI document`)

  const pathValues = (route: RouteInfo, name: string): fc.Arbitrary<string> => {
    const generic = ['', ' ', 'abc', '..', '%2e%2e%2f', '%00', '%zz', '%', encodeURIComponent('💥'), 'a'.repeat(120), '1%20OR%201=1', '{id}', '-1', '0', '1e3', 'NaN']
    const uuids = [
      own.id,
      own.id,
      foreign.id,
      String(own.id).toUpperCase(),
      `{${own.id}}`,
      '00000000-0000-0000-0000-000000000000',
      '7c0bfe9c-58f4-4dc4-9c0c-1f4b6dbd2a3f',
      String(own.id).slice(0, 35),
    ]
    if (route.path.includes('/calendar/years') && name === 'year')
      return fc.constantFrom('2026', '2031', '2019', '1900', '2200', '20260', '99999999999999999999', '2026.0', ...generic)
    if (route.path.includes('/rule-sets') && name === 'id') return fc.constantFrom('zz-green-channel', 'unknown', 'ZZ-GREEN-CHANNEL', ...generic)
    if (route.path.includes('/api-keys') && name === 'id') return fc.constantFrom(...sacrificial, revokedId, ...uuids.slice(3), ...generic)
    return fc.constantFrom(...uuids, ...generic)
  }

  /** A valid query for routes that need one (or filter by dates), so that other faults are tested against it. */
  const normalQuery: Record<string, string> = {
    '/v1/calendar/due-date': 'from=2026-02-12&workingDays=5',
    '/v1/reports/sla': 'from=2026-01-01&to=2026-12-31&groupBy=route',
    '/v1/reports/timelines': 'from=2026-01-01&to=2026-12-31',
  }
  /** The route's valid query (or one date filter) with one value swapped for an edge value of the same kind. */
  const boundaryQueryArb = (route: RouteInfo): fc.Arbitrary<string> => {
    const base = normalQuery[route.path] ?? (route.queryParams.includes('submittedFrom') ? 'submittedFrom=2026-01-01&submittedTo=2026-12-31' : null)
    if (base === null) return fc.constant('')
    const params = base.split('&').map((p) => p.split('=') as [string, string])
    const edgeIntegers = ['0', '-0', '3650', '3651', '9007199254740993', '1e3', '0x10', '4294967296']
    return fc.tuple(fc.nat(), fc.nat(), fc.boolean()).map(([which, at, allDates]) => {
      const i = which % params.length
      return params
        .map(([k, v], j) => {
          // Every date of the query at once (from = to = 0001-01-01 passes a span check), or one value.
          if (allDates && DATE_RE.test(v)) return `${k}=${boundaryDates[at % boundaryDates.length]}`
          if (j !== i) return `${k}=${v}`
          const edge = DATE_RE.test(v) ? boundaryDates[at % boundaryDates.length] : /^\d+$/.test(v) ? edgeIntegers[at % edgeIntegers.length] : v
          return `${k}=${encodeURIComponent(edge!)}`
        })
        .join('&')
    })
  }
  const queryValue: fc.Arbitrary<string> = fc.oneof(
    fc.constantFrom(
      '1',
      '10',
      '100',
      '1000',
      '0',
      '-1',
      '1.5',
      '1e3',
      '1e309',
      'NaN',
      '',
      'true',
      'yes',
      'submitted',
      'joint_review',
      'ORG-A',
      'ORG-B',
      '2026-02-12',
      '2026-02-30',
      '2026-02-12T10:00:00+08:00',
      'case.accepted,case.approved',
      ',,,',
      '9'.repeat(40),
    ),
    fc.constantFrom(...boundaryDates, ...boundaryInstants, '9007199254740993', '3650', '3651'),
    weirdScalar.map((v) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? 'null'))),
  )
  const encode = (value: string) => {
    try {
      return encodeURIComponent(value)
    } catch {
      return value.replace(/[^\x21-\x7e]/g, '%FF') // a lone surrogate cannot be URI-encoded: send invalid %-bytes instead
    }
  }
  const queryArb = (route: RouteInfo): fc.Arbitrary<string> => fc.oneof({ arbitrary: anyQueryArb(route), weight: 3 }, { arbitrary: boundaryQueryArb(route), weight: 2 })
  const anyQueryArb = (route: RouteInfo): fc.Arbitrary<string> =>
    fc
      .array(
        fc.oneof(
          { arbitrary: fc.tuple(fc.constantFrom(...(route.queryParams.length ? route.queryParams : ['limit'])), queryValue).map(([k, v]) => `${k}=${encode(v)}`), weight: 6 },
          {
            arbitrary: fc
              .tuple(fc.constantFrom('unknown', 'limit[]', '__proto__', 'constructor[prototype][x]', 'a.b', ''), queryValue)
              .map(([k, v]) => `${encode(k)}=${encode(v)}`),
            weight: 1,
          },
          {
            // A plausible value with one bad character (NUL, unpaired surrogate, …) in it.
            arbitrary: fc
              .tuple(
                fc.constantFrom(...(route.queryParams.length ? route.queryParams : ['limit'])),
                fc.constantFrom('ORG-A', 'Longwen', 'submitted', 'case.accepted', '2026-02-12', '10'),
                fc.constantFrom(...poisons),
                fc.nat(),
              )
              .map(([k, v, c, at]) => `${k}=${encode(v.slice(0, at % v.length) + c + v.slice(at % v.length))}`),
            weight: 2,
          },
          {
            arbitrary: fc.constantFrom(
              '%',
              '%zz',
              '%E0%A4%A',
              '&&',
              '==',
              '=x',
              'limit',
              'limit=%00',
              'cursor=%FF%FE',
              'status=submitted&status=accepted',
              `limit=${'1'.repeat(400)}`,
            ),
            weight: 1,
          },
        ),
        { maxLength: 5 },
      )
      .map((parts) => parts.join('&'))

  const seedArb = (route: RouteInfo): fc.Arbitrary<unknown> => {
    const key = `${route.method} ${route.path}`
    if (key === 'POST /v1/cases/{id}/transitions') return fc.constantFrom<unknown>(...transitionSeeds)
    if (key === 'POST /v1/cases')
      return fc.constantFrom<unknown>(seeds[key], { ...(seeds[key] as object), externalReference: 'SEED-1' }, { ...(seeds[key] as object), organization: 'ORG-A' })
    return fc.constant(seeds[key] ?? {})
  }
  const bodyArb = (route: RouteInfo): fc.Arbitrary<{ payload: string | Buffer | undefined; contentType: string | null }> => {
    const seed = seedArb(route)
    const json = fc.oneof(
      { arbitrary: fc.tuple(seed, fc.array(opArb, { minLength: 1, maxLength: 3 })).map(([s, ops]) => mutate(s, ops)), weight: 8 },
      // A valid body with only a bad character in one of its strings: it passes the schema and reaches the database.
      { arbitrary: fc.tuple(seed, fc.array(poisonOpArb, { minLength: 1, maxLength: 2 })).map(([s, ops]) => mutate(s, ops)), weight: 3 },
      // A valid body with one or two edge values of the right type: it passes the shape checks it is not about.
      { arbitrary: fc.tuple(seed, fc.array(boundaryOpArb, { minLength: 1, maxLength: 2 })).map(([s, ops]) => mutate(s, ops)), weight: 4 },
      { arbitrary: seed, weight: 1 },
      { arbitrary: weirdValue, weight: 2 },
    )
    const payload = fc.oneof(
      { arbitrary: json.map((value) => JSON.stringify(value) as string | undefined), weight: 8 },
      { arbitrary: fc.constantFrom<string | Buffer | undefined>(...rawBodies), weight: 2 },
      { arbitrary: fc.constant(undefined), weight: route.hasBody ? 1 : 6 },
    )
    return fc.record({ payload, contentType: fc.constantFrom(...contentTypes) })
  }

  const validAuth = fc.constantFrom(...[keys.admin, keys.office, keys.dispatch, keys.auditor, keys.otherDispatch].map((k) => `Bearer ${k}`))
  const badAuth = fc.constantFrom<string | null>(
    `Bearer ${revoked}`,
    `bearer ${keys.office}`,
    `Bearer  ${keys.admin}  `,
    `Bearer ${keys.admin} extra`,
    null,
    '',
    'Bearer',
    'Bearer ',
    'Basic dXNlcjpwYXNz',
    'Bearer gck_x',
    `Bearer ${'a'.repeat(5_000)}`,
    `Bearer ${keys.admin.slice(0, -1)}`,
    `Bearer ${keys.admin}\t`,
    'Bearer clé',
  )
  const authArb = fc.oneof({ arbitrary: validAuth, weight: 5 }, { arbitrary: badAuth, weight: 1 })
  const headerArb = fc.record({
    ifMatch: fc.constantFrom<string | null>(null, null, '"1"', '"2"', 'W/"1"', '*', '"0"', '"-1"', '"99999999999"', '"4294967296"', '1', '""', 'W/', '"1", "2"', 'garbage', '"١"'),
    idempotencyKey: fc.constantFrom<string | null>(null, null, null, 'fuzz-fixed-key', 'fuzz-other-key', '', ' ', 'k'.repeat(256), 'k'.repeat(255), 'has space', 'clé', '\x7f'),
    requestId: fc.constantFrom<string | null>(null, 'fuzz-1', 'bad id', 'r'.repeat(200), '../x'),
    accept: fc.constantFrom<string | null>(null, 'application/xml', '*/*', 'text/html'),
  })

  // --- Which roles each route admits, probed once (403 = not this role), so that a generated request is
  // made with a key that passes by default and only the dimensions under test are wrong.
  const roleKeys = { admin: keys.admin, office: keys.office, dispatch: keys.dispatch, auditor: keys.auditor }
  const allowedKeys = new Map<RouteInfo, string[]>()
  for (const route of routes) {
    const url = route.pathParams.reduce(
      (u, name) =>
        u.replace(`{${name}}`, name === 'year' ? '2031' : name === 'id' && route.path.includes('/rule-sets') ? 'zz-green-channel' : '00000000-0000-0000-0000-000000000000'),
      route.path,
    )
    const allowed: string[] = []
    for (const key of Object.values(roleKeys)) {
      const probe = await app.inject({
        method: route.method as 'GET',
        url,
        headers: { ...bearer(key), ...(route.hasBody ? { 'content-type': 'application/json' } : {}) },
        ...(route.hasBody ? { payload: '[]' } : {}),
      })
      if (probe.statusCode !== 403) allowed.push(`Bearer ${key}`)
    }
    // dispatch first: it submits cases without naming an organization.
    allowedKeys.set(
      route,
      allowed.sort((a, b) => Number(b === `Bearer ${keys.dispatch}`) - Number(a === `Bearer ${keys.dispatch}`)),
    )
  }
  const targets = [own.id as string, fast.id as string]
  const normalParam = (route: RouteInfo, name: string, target: number) =>
    name === 'year'
      ? route.method === 'PUT'
        ? '2031'
        : '2026'
      : route.path.includes('/rule-sets')
        ? 'zz-green-channel'
        : route.path.includes('/api-keys')
          ? (sacrificial[0] as string)
          : targets[target % targets.length]!

  type Fault = 'params' | 'query' | 'body' | 'contentType' | 'auth' | 'headers' | 'method'
  const faultArb = (route: RouteInfo) =>
    fc.uniqueArray(
      fc.constantFrom<Fault>(
        ...(route.pathParams.length ? (['params', 'params'] as const) : []),
        'query',
        'query',
        ...(route.method === 'GET' ? [] : (['body', 'body', 'body', 'body', 'contentType'] as const)),
        'auth',
        'headers',
        'headers',
        'method',
      ),
      { minLength: 1, maxLength: 2 },
    )

  /** A request to `route` that is valid except in one or two dimensions (the `faults`), which are generated. */
  const requestArb = (route: RouteInfo) =>
    fc.record({
      faults: faultArb(route),
      params: fc.tuple(...(route.pathParams.length ? route.pathParams.map((p) => pathValues(route, p)) : [fc.constant('')])),
      query: queryArb(route),
      body: bodyArb(route),
      normalBody: seedArb(route),
      auth: authArb,
      normalAuth: fc.nat(),
      headers: headerArb,
      wrongMethod: fc.constantFrom('PATCH', 'PUT', 'DELETE', 'POST', 'GET'),
      target: fc.nat(),
    })
  type Generated = ReturnType<typeof requestArb> extends fc.Arbitrary<infer G> ? G : never

  // --- Running one request and checking its answer and the database.
  const comparable = (snapshot: Record<string, string>) => {
    const { idempotency_key: _ignored, ...rest } = snapshot
    return rest
  }
  let reference = comparable(await snapshotDatabase(db))
  const statusCounts = new Map<number, number>()
  const codeCounts = new Map<string, number>()
  const problems: string[] = []

  /** Sends one generated request; records what is wrong with the answer and returns false, or returns true. */
  async function check(route: RouteInfo, request: Generated): Promise<boolean> {
    const faulty = new Set(request.faults)
    let url = route.path
    route.pathParams.forEach((name, i) => {
      url = url.replace(`{${name}}`, faulty.has('params') ? (request.params[i] as string) : normalParam(route, name, request.target))
    })
    const query = faulty.has('query') ? request.query : (normalQuery[route.path] ?? '')
    if (query) url += `?${query}`
    const allowed = allowedKeys.get(route) ?? []
    const normalAuth = allowed.length ? (request.normalAuth % 3 === 0 ? allowed[request.normalAuth % allowed.length] : allowed[0]) : `Bearer ${keys.admin}`
    const auth = faulty.has('auth') ? request.auth : normalAuth
    let payload: string | Buffer | undefined
    let sentType: string | null = null
    if (route.hasBody) {
      payload = faulty.has('body') ? request.body.payload : JSON.stringify(request.normalBody)
      sentType = faulty.has('contentType') ? request.body.contentType : 'application/json'
    } else if (faulty.has('body') || faulty.has('contentType')) {
      payload = request.body.payload
      sentType = request.body.contentType
    }
    const headers: Record<string, string> = {}
    if (auth !== null && auth !== undefined) headers.authorization = auth
    if (sentType !== null && payload !== undefined) headers['content-type'] = sentType
    if (faulty.has('headers')) {
      if (request.headers.ifMatch !== null) headers['if-match'] = request.headers.ifMatch
      if (request.headers.idempotencyKey !== null) headers['idempotency-key'] = request.headers.idempotencyKey
      if (request.headers.requestId !== null) headers['request-id'] = request.headers.requestId
      if (request.headers.accept !== null) headers.accept = request.headers.accept
    } else if (route.path === '/v1/cases/{id}/transitions') {
      // The case's current version, so that the body decides.
      const current = await db
        .selectFrom('case')
        .select('version')
        .where('id', '=', targets[request.target % targets.length]!)
        .executeTakeFirst()
      headers['if-match'] = `"${current?.version ?? 1}"`
    }
    const method = (faulty.has('method') ? request.wrongMethod : route.method) as 'GET'
    const body = payload
    const response = await app.inject({ method, url, headers, ...(body === undefined || method === 'GET' ? {} : { payload: body }) })
    statusCounts.set(response.statusCode, (statusCounts.get(response.statusCode) ?? 0) + 1)
    if (response.statusCode >= 400 && response.statusCode < 500) {
      let code = '(not JSON)'
      try {
        code = String((response.json() as { code?: unknown }).code)
      } catch {}
      codeCounts.set(code, (codeCounts.get(code) ?? 0) + 1)
    }
    const what = `${method} ${url.slice(0, 200)} ${JSON.stringify({ ...headers, authorization: headers.authorization?.slice(0, 20) })} ${JSON.stringify(String(body ?? '').slice(0, 300))}`

    if (process.env.FAULTS_DEBUG && route.path === process.env.FAULTS_DEBUG) console.error('DEBUG', response.statusCode, what.slice(0, 400), response.body.slice(0, 200))
    if (response.statusCode >= 500) {
      const logged = serverErrors.filter((line) => line.includes(String(response.headers['request-id']))).join('\n')
      problems.push(`${response.statusCode} for ${what}: ${response.body.slice(0, 300)}\nserver log: ${logged.slice(0, 3000)}`)
      return false
    }
    const contentType = String(response.headers['content-type'] ?? '')
    if (response.statusCode >= 400) {
      let body: Record<string, unknown> = {}
      try {
        body = response.json()
      } catch {
        problems.push(`${response.statusCode} body is not JSON for ${what}`)
        return false
      }
      // A replay (Idempotency-Key, the same request again) answers the first response as it was, so its body names
      // the first request's id; the header is this request's.
      const replayed = response.headers['idempotent-replayed'] === 'true'
      if (
        !contentType.startsWith('application/problem+json') ||
        (replayed ? typeof body.requestId !== 'string' : body.requestId !== response.headers['request-id']) ||
        body.status !== response.statusCode ||
        typeof body.code !== 'string'
      ) {
        problems.push(`${response.statusCode} is not a proper problem document for ${what}: ${contentType} ${response.body.slice(0, 200)}`)
        return false
      }
    } else if (response.statusCode >= 200 && response.statusCode < 300) {
      if (contentType.startsWith('text/csv') && route.path.startsWith('/v1/reports/')) {
        // A streamed export that failed after its header ends with an error marker instead of a status.
        if (/(^|\r\n)#error,/.test(response.body)) {
          problems.push(`${response.statusCode} CSV ending with an error marker for ${what}: ${response.body.slice(-300)}`)
          return false
        }
      } else if (!contentType.startsWith('application/json')) {
        problems.push(`${response.statusCode} with ${contentType} for ${what}`)
        return false
      } else {
        response.json()
      }
    } else {
      problems.push(`unexpected ${response.statusCode} for ${what}`)
      return false
    }

    if (method !== 'GET') {
      const after = comparable(await snapshotDatabase(db))
      if (response.statusCode >= 400) {
        const changed = Object.keys(after).filter((table) => after[table] !== reference[table])
        if (changed.length > 0) {
          problems.push(`${response.statusCode} (rejected) but ${changed.join(', ')} changed, for ${what}`)
          return false
        }
      }
      reference = after
      const claims = await sql<{ n: number }>`select count(*)::int as n from idempotency_key where state <> 'completed' or response_status is null`.execute(db)
      if (claims.rows[0]!.n > 0) {
        problems.push(`an idempotency claim was left in progress by ${response.statusCode} for ${what}`)
        return false
      }
    }
    return true
  }

  for (const route of routes) {
    if (process.env.FAULTS_ONLY && !process.env.FAULTS_ONLY.split(',').includes(route.path)) continue
    const label = `${route.method} ${route.path}`
    await fc
      .assert(
        fc.asyncProperty(requestArb(route), async (request) => {
          try {
            return await check(route, request)
          } catch (error) {
            problems.push(`the check threw for ${label}: ${(error as Error).stack}`)
            return false
          }
        }),
        // endOnFailure: no shrinking (the answer is already recorded in `problems`, with the request).
        { numRuns: RUNS, seed: SEED, endOnFailure: true },
      )
      .then(
        () => t.pass(`${label}: ${RUNS} generated requests`),
        (error: Error) =>
          t.fail(`${label}: ${(problems.at(-1) ?? error.message).split('\n')[0]!.slice(0, 300)}`, {
            problem: problems.at(-1),
            // The seed: FAULTS_SEED=<seed> (with FAULTS_ONLY) replays the run.
            fastCheck: error.message.split('\n').slice(0, 2).join(' ').slice(0, 300),
          }),
      )
    if (route.method === 'GET') {
      // GETs are compared once per route: nothing they were sent may have changed anything.
      const after = comparable(await snapshotDatabase(db))
      t.same(after, reference, `${label}: the database is unchanged by its GETs`)
      reference = after
    }
  }
  const stored = await db.selectFrom('idempotency_key').select(['response_status']).execute()
  t.ok(
    stored.every((row) => row.response_status !== null && row.response_status < 500),
    `${stored.length} idempotency records, none for a 5xx`,
  )
  t.comment(
    `answers: ${[...statusCounts]
      .sort((a, b) => a[0] - b[0])
      .map(([s, n]) => `${s}×${n}`)
      .join(' ')}`,
  )
  t.comment(
    `refusal codes: ${[...codeCounts]
      .sort((a, b) => b[1] - a[1])
      .map(([c, n]) => `${c}×${n}`)
      .join(' ')}`,
  )
  t.ok(
    [...statusCounts.keys()].some((s) => s >= 200 && s < 300),
    'some generated requests were valid (boundaries, not only garbage)',
  )
})

// ------------------------------------------------------------------------------------------------------
// Oversized bodies
// ------------------------------------------------------------------------------------------------------

/** Sends raw bytes, collects the answer; resolves at the first complete head (or when the socket ends). */
function rawExchange(port: number) {
  const socket = net.connect(port, '127.0.0.1')
  let received = ''
  let closedAt: number | null = null
  let firstByteAt: number | null = null
  socket.setEncoding('latin1')
  socket.on('data', (chunk: string) => {
    firstByteAt ??= Date.now()
    received += chunk
  })
  socket.on('close', () => (closedAt = Date.now()))
  socket.on('error', () => {})
  return {
    socket,
    get received() {
      return received
    },
    get firstByteAt() {
      return firstByteAt
    },
    get closedAt() {
      return closedAt
    },
    async waitFor(predicate: () => boolean, timeoutMs: number) {
      const started = Date.now()
      while (!predicate() && Date.now() - started < timeoutMs) await new Promise((r) => setTimeout(r, 5))
      return predicate()
    },
  }
}

const parseAnswer = (raw: string) => {
  const [head = '', body = ''] = raw.split('\r\n\r\n')
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1])
  const headers = Object.fromEntries(
    head
      .split('\r\n')
      .slice(1)
      .map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
  )
  return { status, headers, body }
}

t.test('oversized bodies are refused with 413 promptly, without being read whole', async (t) => {
  const testApp = await buildTestApp(t, { config: { BODY_LIMIT_BYTES: BODY_LIMIT } })
  const dispatch = await testApp.key('dispatch')
  const before = await snapshotDatabase(testApp.database.db)
  await testApp.app.listen({ port: 0, host: '127.0.0.1' })
  const port = (testApp.app.server.address() as net.AddressInfo).port
  const head = (extra: string) => `POST /v1/cases HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${dispatch}\r\nContent-Type: application/json\r\n${extra}\r\n`

  // 1. A 1 GB Content-Length and five bytes: answered at once from the header alone.
  const declared = rawExchange(port)
  const sentAt = Date.now()
  declared.socket.write(`${head('Content-Length: 1000000000\r\n')}{"a":`)
  t.ok(await declared.waitFor(() => declared.received.includes('\r\n\r\n'), 10_000), 'answered without the body')
  const answer = parseAnswer(declared.received)
  t.equal(answer.status, 413, '413 for a declared 1 GB body')
  // The body never comes, so any answer proves it was not awaited; the bound only rules out a stall (loaded machine: seconds).
  t.ok(declared.firstByteAt! - sentAt < 5_000, `promptly (${declared.firstByteAt! - sentAt} ms)`)
  t.match(answer.headers['content-type'], /^application\/problem\+json/)
  t.ok(await declared.waitFor(() => declared.received.includes('"code":"body_too_large"'), 10_000), 'problem+json body_too_large')
  t.ok(await declared.waitFor(() => declared.closedAt !== null, 10_000), 'and the server closes the connection instead of waiting for (or draining) the rest')
  declared.socket.destroy()

  // 2. Chunked, no length declared: cut off with 413 once past the limit, while the client is still sending.
  const chunked = rawExchange(port)
  chunked.socket.write(head('Transfer-Encoding: chunked\r\n'))
  const piece = Buffer.alloc(8 * 1024, 'a')
  let sent = 0
  let sentWhenAnswered = -1
  while (sent < 64 * BODY_LIMIT && chunked.closedAt === null) {
    if (chunked.received.length > 0) {
      sentWhenAnswered = sent
      break
    }
    const ok = chunked.socket.write(`${piece.length.toString(16)}\r\n${piece.toString('latin1')}\r\n`)
    sent += piece.length
    if (!ok) await new Promise((resolve) => chunked.socket.once('drain', resolve))
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
  if (sentWhenAnswered < 0) sentWhenAnswered = sent
  await chunked.waitFor(() => chunked.received.includes('\r\n\r\n'), 10_000)
  const cut = parseAnswer(chunked.received)
  t.equal(cut.status, 413, '413 for a chunked body over the limit')
  t.ok(sentWhenAnswered < 64 * BODY_LIMIT, `answered before the client finished (${sentWhenAnswered} bytes sent, limit ${BODY_LIMIT})`)
  t.ok(sentWhenAnswered <= BODY_LIMIT + 16 * piece.length, 'the server stopped reading soon after the limit')
  t.ok(await chunked.waitFor(() => chunked.closedAt !== null, 10_000), 'and closed the connection')
  chunked.socket.destroy()

  // 3. The boundary, through the app: exactly the limit is read (and judged on its content), one byte more is 413.
  const padded = (size: number) => {
    const body = JSON.stringify(caseBody({ externalReference: 'LIMIT' }))
    return `${body.slice(0, -1)},"pad":"${'x'.repeat(size - body.length - 9)}"}`
  }
  const atLimit = padded(BODY_LIMIT)
  const overLimit = padded(BODY_LIMIT + 1)
  t.equal(Buffer.byteLength(atLimit), BODY_LIMIT)
  const okSize = await testApp.app.inject({ method: 'POST', url: '/v1/cases', headers: { ...bearer(dispatch), 'content-type': 'application/json' }, payload: atLimit })
  t.equal(okSize.statusCode, 400, 'a body of exactly the limit is parsed (then refused for its unknown field)')
  t.equal(okSize.json().code, 'validation_failed')
  const tooBig = await testApp.app.inject({ method: 'POST', url: '/v1/cases', headers: { ...bearer(dispatch), 'content-type': 'application/json' }, payload: overLimit })
  t.equal(tooBig.statusCode, 413, 'one byte more is 413')
  t.equal(tooBig.json().code, 'body_too_large')

  // 4. Without a key, a huge body is refused on the headers alone (401), not read.
  const anonymous = rawExchange(port)
  anonymous.socket.write('POST /v1/cases HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n{')
  t.ok(await anonymous.waitFor(() => anonymous.received.includes('\r\n\r\n'), 10_000), 'answered')
  t.equal(parseAnswer(anonymous.received).status, 401, 'no key: 401 before any body is read')
  anonymous.socket.destroy()

  t.same(await snapshotDatabase(testApp.database.db), before, 'nothing was written')
})

t.test('regressions the generators found, pinned: each is a 4xx problem+json and writes nothing', async (t) => {
  const testApp = await buildTestApp(t)
  const { app } = testApp
  const dispatch = await testApp.key('dispatch')
  const office = await testApp.key('office')
  const admin = await testApp.key('admin')
  const submitted = (await app.inject({ method: 'POST', url: '/v1/cases', headers: bearer(dispatch), payload: caseBody() })).json()
  const before = await snapshotDatabase(testApp.database.db)
  const expectProblem = async (label: string, status: number, code: string, request: Record<string, unknown>) => {
    const response = await app.inject(request as never)
    t.equal(response.statusCode, status, `${label}: ${status}`)
    t.match(response.headers['content-type'], /^application\/problem\+json/, `${label}: problem+json`)
    t.equal(response.json().code, code, `${label}: ${code}`)
    t.equal(response.json().requestId, response.headers['request-id'], `${label}: carries its request-id`)
  }
  // Fastify refuses these before routing, with its own bare JSON unless `frameworkErrors` is set.
  await expectProblem('malformed %-encoding in the path', 400, 'bad_url', { method: 'GET', url: '/v1/cases/%zz', headers: bearer(office) })
  await expectProblem('path parameter over maxParamLength', 414, 'uri_too_long', { method: 'GET', url: `/v1/cases/${'a'.repeat(120)}`, headers: bearer(office) })
  // The idempotency hook ran on unknown routes too and dereferenced the missing principal (500).
  await expectProblem('POST to an unknown route with an Idempotency-Key', 404, 'route_not_found', {
    method: 'POST',
    url: '/v1/nope',
    headers: { ...bearer(office), 'idempotency-key': 'k-1' },
  })
  // Text PostgreSQL cannot store reached it and failed with 500: NUL anywhere, unpaired surrogates in jsonb.
  // NUL is a control character, which the shared text schema refuses at the field (validation_failed) before
  // the database sees it; where no text schema applies the database's refusal is still 400 unsupported_character.
  for (const [name, bad, code] of [
    ['NUL', 'a\u0000b', 'validation_failed'],
    ['an unpaired surrogate', `a${LONE_SURROGATE}b`, 'unsupported_character'],
  ] as const) {
    await expectProblem(`${name} in a case's works title (jsonb)`, 400, code, {
      method: 'POST',
      url: '/v1/cases',
      headers: bearer(dispatch),
      payload: caseBody({ works: { title: bad } }),
    })
    await expectProblem(`${name} in a transition's reason (jsonb)`, 400, code, {
      method: 'POST',
      url: `/v1/cases/${submitted.id}/transitions`,
      headers: { ...bearer(office), 'if-match': '"1"' },
      payload: { action: 'not_accept', reason: bad },
    })
  }
  await expectProblem('NUL in an externalReference (text)', 400, 'validation_failed', {
    method: 'POST',
    url: '/v1/cases',
    headers: bearer(dispatch),
    payload: caseBody({ externalReference: 'a\u0000b' }),
  })
  await expectProblem('NUL in an API key name (text)', 400, 'unsupported_character', {
    method: 'POST',
    url: '/v1/api-keys',
    headers: bearer(admin),
    payload: { role: 'auditor', name: 'a\u0000b' },
  })
  await expectProblem('NUL in a list filter', 400, 'unsupported_character', { method: 'GET', url: '/v1/cases?district=a%00b', headers: bearer(office) })
  await expectProblem('an unpaired surrogate with an Idempotency-Key', 400, 'unsupported_character', {
    method: 'POST',
    url: '/v1/cases',
    headers: { ...bearer(dispatch), 'idempotency-key': 'nul-1' },
    payload: caseBody({ works: { title: `a${LONE_SURROGATE}b` } }),
  })
  const { idempotency_key: keys, ...rest } = await snapshotDatabase(testApp.database.db)
  const { idempotency_key: keysBefore, ...restBefore } = before
  t.same(rest, restBefore, 'nothing written')
  const stored = await testApp.database.db.selectFrom('idempotency_key').select(['key', 'state', 'response_status']).execute()
  t.same(stored, [{ key: 'nul-1', state: 'completed', response_status: 400 }], 'only the refusal is kept, for replay')
  t.not(keys, keysBefore)
})
