import t from 'tap'
import { createApiKey } from '../../src/api-keys/api-key.service.ts'
import { buildApp } from '../../src/app.ts'
import { testConfig } from '../../src/platform/config/config.ts'
import { createDatabase } from '../../src/platform/database/database.ts'
import { ManualClock } from '../../src/platform/clock.ts'
import { bearer, caseBody, createTestDatabase } from '../helpers/test-app.ts'
import { relayAll, startWebhookReceiver, type WebhookReceiver } from '../helpers/webhooks.ts'

t.test('two instances on one database relay and deliver concurrently: every event exactly once per endpoint, in order per case', async (t) => {
  const { database, connectionString } = await createTestDatabase(t)
  // A second pool, as a second process would have.
  const secondDatabase = createDatabase({ connectionString, poolMax: 10 })
  const clock = new ManualClock('2026-02-12T10:00:00+08:00')
  const one = await buildApp({ config: testConfig(), database, clock })
  const two = await buildApp({ config: testConfig(), database: secondDatabase, clock })
  await one.ready()
  await two.ready()
  t.teardown(async () => {
    await one.close()
    await two.close()
    await secondDatabase.close()
  })

  const dispatchA = (await createApiKey(database.db, { role: 'dispatch', organizationCode: 'ORG-A' })).key
  const dispatchB = (await createApiKey(database.db, { role: 'dispatch', organizationCode: 'ORG-B' })).key
  const office = (await createApiKey(database.db, { role: 'office' })).key

  // Slow receivers widen the window in which both instances are busy at once.
  const slow = () => new Promise<number>((resolve) => setTimeout(() => resolve(200), 5))
  const receivers: Record<string, WebhookReceiver> = {
    allA: await startWebhookReceiver(t, slow),
    acceptedA: await startWebhookReceiver(t, slow),
    allB: await startWebhookReceiver(t, slow),
  }
  const endpoints: Record<string, { id: string; organization: string; eventTypes: string[] }> = {}
  for (const [name, key, eventTypes] of [
    ['allA', dispatchA, ['*']],
    ['acceptedA', dispatchA, ['case.accepted']],
    ['allB', dispatchB, ['*']],
  ] as const) {
    const response = await one.inject({ method: 'POST', url: '/v1/webhooks', headers: bearer(key), payload: { url: receivers[name]!.url, eventTypes } })
    t.equal(response.statusCode, 201)
    endpoints[name] = response.json()
  }

  // Writers on both instances while both instances relay and deliver.
  const submit = async (app: typeof one, key: string) => {
    const response = await app.inject({ method: 'POST', url: '/v1/cases', headers: bearer(key), payload: caseBody() })
    if (response.statusCode !== 201) throw new Error(response.body)
    return response.json() as { id: string }
  }
  const accept = async (app: typeof one, id: string) => {
    const current = await app.inject({ method: 'GET', url: `/v1/cases/${id}`, headers: bearer(office) })
    const response = await app.inject({
      method: 'POST',
      url: `/v1/cases/${id}/transitions`,
      headers: { ...bearer(office), 'if-match': current.headers.etag as string },
      payload: { action: 'accept' },
    })
    if (response.statusCode !== 200) throw new Error(response.body)
  }
  let writing = true
  const cycles = async (app: typeof one) => {
    let runs = 0
    while (writing || runs < 3) {
      await app.webhooks.runCycle({ batchSize: 3 })
      runs++
    }
  }
  const workers = [cycles(one), cycles(two), cycles(one), cycles(two)]
  const writers = Array.from({ length: 6 }, async (_, writer) => {
    const app = writer % 2 === 0 ? one : two
    for (let i = 0; i < 5; i++) {
      const created = await submit(app, writer < 4 ? dispatchA : dispatchB)
      await accept(writer % 3 === 0 ? two : one, created.id)
    }
  })
  await Promise.all(writers)
  writing = false
  await Promise.all(workers)
  // Drain what the concurrent passes left: the relay may lag behind transactions of other test files (the
  // feed waits for every older transaction on the server), so relay until caught up, then deliver on both.
  await relayAll(one, database.db)
  for (let i = 0; i < 5; i++) await Promise.all([one.webhooks.runCycle(), two.webhooks.runCycle()])

  const events = await database.db
    .selectFrom('case_event as e')
    .innerJoin('organization as o', 'o.id', 'e.organization_id')
    .select(['e.case_id', 'e.seq', 'e.type', 'o.code'])
    .execute()
  t.equal(events.length, 60, '30 cases, two events each')
  const expected: Record<string, string[]> = {
    allA: events.filter((e) => e.code === 'ORG-A').map((e) => `${e.case_id}#${e.seq}`),
    acceptedA: events.filter((e) => e.code === 'ORG-A' && e.type === 'case.accepted').map((e) => `${e.case_id}#${e.seq}`),
    allB: events.filter((e) => e.code === 'ORG-B').map((e) => `${e.case_id}#${e.seq}`),
  }
  for (const [name, receiver] of Object.entries(receivers)) {
    const ids = receiver.received.map((r) => r.headers['webhook-id'] as string)
    t.equal(new Set(ids).size, ids.length, `${name}: no webhook-id received twice`)
    t.same(
      receiver.received.map((r) => `${r.json.data.caseId}#${r.json.data.seq}`).sort(),
      [...(expected[name] as string[])].sort(),
      `${name}: every expected event exactly once, nothing else`,
    )
    const lastSeq = new Map<string, number>()
    for (const hit of receiver.received) {
      const previous = lastSeq.get(hit.json.data.caseId) ?? 0
      if (hit.json.data.seq <= previous) t.fail(`${name}: case ${hit.json.data.caseId} seq ${hit.json.data.seq} after ${previous}`)
      lastSeq.set(hit.json.data.caseId, hit.json.data.seq)
    }
  }
  t.equal(receivers.allA!.received.length, 40)
  t.equal(receivers.acceptedA!.received.length, 20)
  t.equal(receivers.allB!.received.length, 20)
  const statuses = await database.db.selectFrom('webhook_delivery').select(['status', 'attempts']).execute()
  t.equal(statuses.length, 80)
  t.ok(
    statuses.every((d) => d.status === 'delivered' && d.attempts === 1),
    'each delivery attempted once',
  )
})
