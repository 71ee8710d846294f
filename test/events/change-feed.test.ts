import t from 'tap'
import { appendCaseEvent } from '../../src/cases/case-event.repository.ts'
import { ManualClock } from '../../src/platform/clock.ts'
import { lifecycleClient } from '../helpers/lifecycle-client.ts'
import { bearer, buildTestApp } from '../helpers/test-app.ts'

const sh = (local: string) => `${local}+08:00`

interface FeedItem {
  cursor: string
  caseId: string
  seq: number
  type: string
  organizationId: string
}

/**
 * The feed shows a transaction once every transaction older than it on the server has ended, other test files'
 * included (they run beside this one on the same server): read until the page has what the test waits for, bounded.
 */
async function readUntil<T extends { items: unknown[] }>(read: () => Promise<T>, count: number): Promise<T> {
  let page = await read()
  for (let attempt = 0; attempt < 150 && page.items.length < count; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    page = await read()
  }
  return page
}

t.test('a transaction that started earlier but commits later is never skipped: the feed waits for it', async (t) => {
  const testApp = await buildTestApp(t, { clock: new ManualClock(sh('2026-02-12T10:00:00')) })
  const client = lifecycleClient(testApp)
  const dispatch = await testApp.key('dispatch')
  const office = await testApp.key('office')
  const first = await client.submit(dispatch)
  const second = await client.submit(dispatch)
  const read = async (after?: string) => (await testApp.app.inject({ method: 'GET', url: `/v1/events?limit=100${after ? `&after=${after}` : ''}`, headers: bearer(office) })).json()
  const start = await readUntil(() => read(), 2)
  t.equal(start.items.length, 2)

  let releaseSlow!: () => void
  const slowMayCommit = new Promise<void>((resolve) => (releaseSlow = resolve))
  let slowWrote!: () => void
  const slowHasWritten = new Promise<void>((resolve) => (slowWrote = resolve))
  // Transaction A writes first (lower transaction id and lower event id) and stays open.
  const slow = testApp.database.db.transaction().execute(async (trx) => {
    await appendCaseEvent(trx, {
      caseId: first.id,
      organizationId: (await trx.selectFrom('case').select('organization_id').where('id', '=', first.id).executeTakeFirstOrThrow()).organization_id,
      type: 'case.note',
      fromStatus: 'submitted',
      toStatus: 'submitted',
      actor: { keyId: null, role: 'system', organizationId: null },
      requestId: 'slow',
      occurredAt: new Date(),
      payload: { note: 'written first, committed last' },
    })
    slowWrote()
    await slowMayCommit
  })
  await slowHasWritten
  // Transaction B writes later and commits first.
  await client.ok(office, second.id, { action: 'accept' })

  const during = await read(start.nextCursor)
  t.same(during.items, [], 'B is held back while A, which started before it, is still running')
  t.equal(during.nextCursor, start.nextCursor, 'the cursor does not move past anything unseen')

  releaseSlow()
  await slow
  const after = await readUntil(() => read(start.nextCursor), 2)
  t.same(
    after.items.map((e: FeedItem) => e.type),
    ['case.note', 'case.accepted'],
    'both, in transaction order',
  )
})

t.test('concurrent writers and a polling reader: every event exactly once, in a stable order', async (t) => {
  const testApp = await buildTestApp(t, { clock: new ManualClock(sh('2026-02-12T10:00:00')) })
  const dispatchA = await testApp.key('dispatch', 'ORG-A')
  const dispatchB = await testApp.key('dispatch', 'ORG-B')
  const office = await testApp.key('office')
  const auditor = await testApp.key('auditor')
  await testApp.app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = testApp.app.server.address() as { port: number }
  const base = `http://127.0.0.1:${port}`

  const seen: FeedItem[] = []
  let cursor: string | null = null
  let writing = true
  const poll = async () => {
    const url: string = `${base}/v1/events?limit=37${cursor ? `&after=${cursor}` : ''}`
    const page = (await (await fetch(url, { headers: bearer(auditor) })).json()) as { items: FeedItem[]; nextCursor: string | null }
    seen.push(...page.items)
    cursor = page.nextCursor
    return page.items.length
  }
  const reader = (async () => {
    while (writing) await poll()
  })()

  const writer = async (key: string, n: number) => {
    for (let i = 0; i < n; i++) {
      const response = await fetch(`${base}/v1/cases`, {
        method: 'POST',
        headers: { ...bearer(key), 'content-type': 'application/json' },
        body: JSON.stringify({
          voltageVolts: 10000,
          excavationLengthMeters: 20,
          works: { title: 'feed test' },
          location: { district: 'Longwen', roadName: 'R' },
          plannedStartDate: '2026-03-02',
          plannedEndDate: '2026-03-03',
          contact: { name: 'Li', phone: '0596-2345678' },
        }),
      })
      const created = (await response.json()) as { id: string }
      await fetch(`${base}/v1/cases/${created.id}/transitions`, {
        method: 'POST',
        headers: { ...bearer(office), 'content-type': 'application/json', 'if-match': '"1"' },
        body: JSON.stringify({ action: 'accept' }),
      })
    }
  }
  await Promise.all([writer(dispatchA, 15), writer(dispatchB, 15), writer(dispatchA, 15), writer(dispatchB, 15)])
  writing = false
  await reader
  const total = await testApp.database.db
    .selectFrom('case_event')
    .select(({ fn }) => fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow()
  // Drain what committed after the reader's last look. The feed waits for every older transaction on the
  // server (tests in other files included), so keep polling until caught up, with a bound.
  for (let i = 0; i < 600 && seen.length < Number(total.n); i++) {
    if ((await poll()) === 0) await new Promise((resolve) => setTimeout(resolve, 100))
  }

  t.equal(seen.length, Number(total.n), 'as many events seen as were written')
  t.equal(new Set(seen.map((e) => `${e.caseId}:${e.seq}`)).size, seen.length, 'no repeats')
  t.equal(Number(total.n), 120)

  const again: FeedItem[] = []
  let replayCursor: string | null = null
  for (;;) {
    const page: { items: FeedItem[]; nextCursor: string } = (
      await testApp.app.inject({ method: 'GET', url: `/v1/events?limit=50${replayCursor ? `&after=${replayCursor}` : ''}`, headers: bearer(auditor) })
    ).json()
    if (page.items.length === 0) break
    again.push(...page.items)
    replayCursor = page.nextCursor
  }
  t.same(
    again.map((e) => e.cursor),
    seen.map((e) => e.cursor),
    'reading again from the start gives the same order',
  )
  for (const caseId of new Set(seen.map((e) => e.caseId))) {
    const seqs = seen.filter((e) => e.caseId === caseId).map((e) => e.seq)
    t.same(
      seqs,
      [...seqs].sort((a, b) => a - b),
      'per case, events arrive in their order',
    )
  }

  const own = (await testApp.app.inject({ method: 'GET', url: '/v1/events?limit=1000', headers: bearer(dispatchA) })).json()
  const orgA = seen.filter((e) => e.organizationId === own.items[0]?.organizationId).length
  t.equal(own.items.length, orgA, "a dispatch key reads its own organization's events only")
  t.ok(own.items.every((e: FeedItem) => e.organizationId === own.items[0]?.organizationId))
  t.equal(own.items.length, 60)

  const filtered = (await testApp.app.inject({ method: 'GET', url: '/v1/events?limit=1000&types=case.accepted', headers: bearer(office) })).json()
  t.equal(filtered.items.length, 60)
  const bad = await testApp.app.inject({ method: 'GET', url: '/v1/events?after=nonsense', headers: bearer(office) })
  t.equal(bad.statusCode, 400)
  t.equal(bad.json().code, 'invalid_cursor')
  t.equal((await testApp.app.inject({ method: 'GET', url: '/v1/events', headers: bearer(await testApp.key('admin')) })).statusCode, 403)
})

t.test('an empty first page still returns a cursor to poll with; cursors of another list or edited ones are refused', async (t) => {
  const testApp = await buildTestApp(t, { clock: new ManualClock(sh('2026-02-12T10:00:00')) })
  const client = lifecycleClient(testApp)
  const dispatch = await testApp.key('dispatch')
  const office = await testApp.key('office')
  const read = async (query: string) => await testApp.app.inject({ method: 'GET', url: `/v1/events${query}`, headers: bearer(office) })

  const empty = (await read('')).json()
  t.same(empty.items, [], 'nothing has happened yet')
  t.type(empty.nextCursor, 'string', 'but there is a cursor (README: returned for an empty page too)')
  const again = (await read(`?after=${empty.nextCursor}`)).json()
  t.same(again, empty, 'polling an empty feed keeps the cursor')

  const submitted = await client.submit(dispatch)
  const first = await readUntil(async () => (await read(`?after=${empty.nextCursor}`)).json(), 1)
  t.same(
    first.items.map((e: FeedItem) => [e.caseId, e.type]),
    [[submitted.id, 'case.submitted']],
    'the cursor of the empty page sees what came after',
  )
  t.equal(first.nextCursor, first.items[0].cursor)
  t.same((await read(`?after=${first.nextCursor}`)).json().items, [])

  // A position issued in the feed's earlier cursor format (base64url of "<txId>:<id>") is still read.
  const { tx_id: txId } = await testApp.database.db
    .selectFrom('case_event')
    .select((eb) => eb.cast<string>('tx_id', 'text').as('tx_id'))
    .where('case_id', '=', submitted.id)
    .executeTakeFirstOrThrow()
  const earlier = Buffer.from(`${BigInt(txId) - 1n}:0`).toString('base64url')
  t.same(
    (await readUntil(async () => (await read(`?after=${earlier}`)).json(), 1)).items.map((e: FeedItem) => e.caseId),
    [submitted.id],
  )

  await client.submit(dispatch)
  const page = (await testApp.app.inject({ method: 'GET', url: '/v1/cases?limit=1', headers: bearer(office) })).json()
  t.type(page.nextCursor, 'string')
  for (const [what, cursor] of [
    ['a cursor of the case list', page.nextCursor as string],
    ['an edited cursor', `${(first.nextCursor as string).slice(0, -2)}AA`],
  ] as const) {
    const refused = await read(`?after=${cursor}`)
    t.equal(refused.statusCode, 400, what)
    t.equal(refused.json().code, 'invalid_cursor')
    t.same(refused.json().errors, [{ path: 'query.after', message: 'invalid cursor' }])
  }
  const feedCursorOnCases = await testApp.app.inject({ method: 'GET', url: `/v1/cases?cursor=${first.nextCursor}`, headers: bearer(office) })
  t.equal(feedCursorOnCases.statusCode, 400, 'a feed cursor on the case list')
  t.same(feedCursorOnCases.json().errors, [{ path: 'query.cursor', message: 'invalid cursor' }])
})
