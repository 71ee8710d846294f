/**
 * Retry storm: many concurrent identical submissions with one Idempotency-Key
 * create exactly one case — over real sockets, spread over TWO app instances on one database (the claim
 * lives in PostgreSQL, not in a process), repeated over several rounds, with clients that keep retrying
 * until they get the answer (409 in progress → retry → the replayed 201). Also: a storm of transitions with
 * one key, a storm that mixes two bodies under one key, and a storm relying on externalReference alone.
 */
import { sql } from 'kysely'
import t, { type Test } from 'tap'
import { buildApp } from '../../src/app.ts'
import { testConfig } from '../../src/platform/config/config.ts'
import { createDatabase } from '../../src/platform/database/database.ts'
import { ManualClock } from '../../src/platform/clock.ts'
import { bearer, buildTestApp, caseBody, type TestApp } from '../helpers/test-app.ts'

const CONCURRENCY = 100
const clockAt = () => new ManualClock('2026-02-12T10:00:00+08:00')

interface Answer {
  status: number
  body: string
  headers: Headers
}

/** Two instances of the service on one database, each on its own loopback port. */
async function twoInstances(t: Test, testApp: TestApp): Promise<string[]> {
  const second = createDatabase({ connectionString: testApp.connectionString, poolMax: 10 })
  const other = await buildApp({ config: testConfig(), database: second, clock: testApp.clock })
  t.teardown(async () => {
    await other.close()
    await second.close()
  })
  await testApp.app.listen({ port: 0, host: '127.0.0.1' })
  await other.listen({ port: 0, host: '127.0.0.1' })
  return [testApp.app, other].map((app) => `http://127.0.0.1:${(app.server.address() as { port: number }).port}`)
}

async function send(url: string, key: string, body: unknown, headers: Record<string, string>): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { ...bearer(key), 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(20_000),
  })
  return { status: response.status, body: await response.text(), headers: response.headers }
}

/** A client that retries while the first attempt is still running (409) or the service is busy (503). */
async function sendUntilAnswered(url: string, key: string, body: unknown, headers: Record<string, string>, seen: number[]): Promise<Answer> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const answer = await send(url, key, body, headers)
    seen.push(answer.status)
    if (answer.status !== 409 || !answer.body.includes('idempotency_key_in_progress')) {
      if (answer.status !== 503) return answer
    }
    // Retry-After is "1" (second); a storm test honours its presence, not its length.
    if (!answer.headers.get('retry-after')) throw new Error(`${answer.status} without Retry-After`)
    await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 80))
  }
  throw new Error('no final answer after 50 attempts')
}

const count = (statuses: number[]) =>
  [...statuses.reduce((m, s) => m.set(s, (m.get(s) ?? 0) + 1), new Map<number, number>())]
    .sort()
    .map(([s, n]) => `${s}×${n}`)
    .join(' ')

const countRows = async (testApp: TestApp, table: 'case' | 'case_event' | 'idempotency_key') =>
  (await testApp.database.db.selectFrom(table).select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n

t.test(`${CONCURRENCY} concurrent identical submissions with one Idempotency-Key, over two instances, in 3 rounds: one case per round`, async (t) => {
  const testApp = await buildTestApp(t, { clock: clockAt() })
  const dispatch = await testApp.key('dispatch')
  const bases = await twoInstances(t, testApp)

  for (let round = 1; round <= 3; round++) {
    const body = caseBody({ externalReference: `STORM-${round}`, excavationLengthMeters: 40 + round })
    const key = `storm-round-${round}`
    const firstAnswers: number[] = []
    // Every client sends once at the same moment (the storm), then keeps retrying until it has an answer.
    const answers = await Promise.all(
      Array.from({ length: CONCURRENCY }, (_, i) => sendUntilAnswered(`${bases[i % 2]}/v1/cases`, dispatch, body, { 'idempotency-key': key }, firstAnswers)),
    )
    t.ok(
      firstAnswers.every((s) => s === 201 || s === 409 || s === 503),
      `round ${round}: only 201, 409 (in progress) or 503 (busy): ${count(firstAnswers)}`,
    )
    t.ok(
      answers.every((a) => a.status === 201),
      `round ${round}: every client ends with 201`,
    )
    const ids = new Set(answers.map((a) => (JSON.parse(a.body) as { id: string }).id))
    t.equal(ids.size, 1, `round ${round}: every client was told about the same case`)
    t.equal(new Set(answers.map((a) => a.body)).size, 1, `round ${round}: the replays are byte-identical to the original`)
    t.equal(answers.filter((a) => a.headers.get('idempotent-replayed') !== 'true').length, 1, `round ${round}: exactly one answer did the work`)
    t.equal(new Set(answers.map((a) => a.headers.get('location'))).size, 1, 'one Location')

    const late = await send(`${bases[0]}/v1/cases`, dispatch, body, { 'idempotency-key': key })
    t.equal(late.status, 201, 'a late retry is a replay')
    t.equal(late.headers.get('idempotent-replayed'), 'true')
  }
  t.equal(await countRows(testApp, 'case'), 3, 'three rounds, three cases')
  t.equal(await countRows(testApp, 'case_event'), 3, 'one submission event each')
  const keys = await testApp.database.db.selectFrom('idempotency_key').select(['key', 'state', 'response_status']).orderBy('key').execute()
  t.same(
    keys.map((k) => [k.key, k.state, k.response_status]),
    [1, 2, 3].map((r) => [`storm-round-${r}`, 'completed', 201]),
    'one completed idempotency record per round',
  )
})

t.test('a storm mixing two different bodies under one Idempotency-Key creates one case; the other body is refused, not applied', async (t) => {
  const testApp = await buildTestApp(t, { clock: clockAt() })
  const dispatch = await testApp.key('dispatch')
  const bases = await twoInstances(t, testApp)
  const bodies = [caseBody({ externalReference: 'MIX-A' }), caseBody({ externalReference: 'MIX-B' })]
  const seen: number[] = []
  const answers = await Promise.all(
    Array.from({ length: CONCURRENCY }, (_, i) =>
      sendUntilAnswered(`${bases[i % 2]}/v1/cases`, dispatch, bodies[Math.floor(i / 2) % 2], { 'idempotency-key': 'mixed' }, seen).then((a) => ({
        ...a,
        body: a.body,
        which: Math.floor(i / 2) % 2,
      })),
    ),
  )
  t.ok(
    seen.every((s) => [201, 409, 422, 503].includes(s)),
    `only 201, 409, 422 or 503: ${count(seen)}`,
  )
  const winners = answers.filter((a) => a.status === 201)
  const losers = answers.filter((a) => a.status !== 201)
  t.ok(winners.length > 0, 'some body won')
  t.equal(new Set(winners.map((a) => a.which)).size, 1, 'all successes carry the same body')
  t.ok(
    losers.every((a) => a.status === 422 && JSON.parse(a.body).code === 'idempotency_key_reused'),
    'the other body is 422 idempotency_key_reused',
  )
  t.ok(
    losers.every((a) => a.which !== winners[0]!.which),
    'only the other body is refused',
  )
  t.equal(await countRows(testApp, 'case'), 1, 'exactly one case')
  const stored = await testApp.database.db.selectFrom('case').select('external_reference').executeTakeFirstOrThrow()
  t.equal(stored.external_reference, winners[0]!.which === 0 ? 'MIX-A' : 'MIX-B', 'the stored case is the winning body')
})

t.test('a storm of one transition with one Idempotency-Key: applied once, every client gets the same 200', async (t) => {
  const testApp = await buildTestApp(t, { clock: clockAt() })
  const dispatch = await testApp.key('dispatch')
  const office = await testApp.key('office')
  const bases = await twoInstances(t, testApp)

  for (let round = 0; round < 2; round++) {
    const created = JSON.parse((await send(`${bases[0]}/v1/cases`, dispatch, caseBody({ excavationLengthMeters: 120 }), {})).body) as { id: string }
    const seen: number[] = []
    const url = (i: number) => `${bases[i % 2]}/v1/cases/${created.id}/transitions`
    const answers = await Promise.all(
      Array.from({ length: CONCURRENCY }, (_, i) => sendUntilAnswered(url(i), office, { action: 'accept' }, { 'if-match': '"1"', 'idempotency-key': `accept-${round}` }, seen)),
    )
    t.ok(
      seen.every((s) => s === 200 || s === 409 || s === 503),
      `round ${round}: only 200, 409 or 503 (never 412: the retries are replays): ${count(seen)}`,
    )
    t.ok(
      answers.every((a) => a.status === 200 && a.headers.get('etag') === '"2"'),
      `round ${round}: every client ends with 200 and ETag "2"`,
    )
    t.equal(new Set(answers.map((a) => a.body)).size, 1, 'byte-identical bodies')

    // The same storm, but with a second client's key (same stale version "1"): its answer is 412 for all of it.
    const other: number[] = []
    const second = await Promise.all(
      Array.from({ length: 20 }, (_, i) => sendUntilAnswered(url(i), office, { action: 'accept' }, { 'if-match': '"1"', 'idempotency-key': `other-${round}` }, other)),
    )
    t.ok(
      second.every((a) => a.status === 412),
      `a different key with the stale version gets 412 (${count(other)})`,
    )

    const events = await testApp.database.db.selectFrom('case_event').select(['seq', 'type']).where('case_id', '=', created.id).orderBy('seq').execute()
    t.same(
      events,
      [
        { seq: 1, type: 'case.submitted' },
        { seq: 2, type: 'case.accepted' },
      ],
      `round ${round}: accepted exactly once`,
    )
  }
})

t.test(`${CONCURRENCY} concurrent submissions without Idempotency-Key but with one externalReference: one case, the rest 409 naming it`, async (t) => {
  const testApp = await buildTestApp(t, { clock: clockAt() })
  const dispatch = await testApp.key('dispatch')
  const bases = await twoInstances(t, testApp)
  const body = caseBody({ externalReference: 'WO-RETRY-1' })
  const answers = await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => send(`${bases[i % 2]}/v1/cases`, dispatch, body, {})))
  const statuses = answers.map((a) => a.status)
  t.equal(statuses.filter((s) => s === 201).length, 1, `one 201 (${count(statuses)})`)
  const created = JSON.parse(answers.find((a) => a.status === 201)!.body) as { id: string }
  const conflicts = answers.filter((a) => a.status !== 201)
  t.ok(
    conflicts.every((a) => a.status === 409 && JSON.parse(a.body).code === 'duplicate_external_reference' && JSON.parse(a.body).caseId === created.id),
    'every other answer is 409 duplicate_external_reference naming the case that won',
  )
  t.equal(await countRows(testApp, 'case'), 1)
  t.equal(await countRows(testApp, 'case_event'), 1)
})
