import t from 'tap'
import { leafHash, rootFromProof } from '../../src/core/audit/merkle-tree.ts'
import { ManualClock } from '../../src/platform/clock.ts'
import { bearer, buildTestApp } from '../helpers/test-app.ts'
import { approval, lifecycleClient } from '../helpers/lifecycle-client.ts'

const sh = (local: string) => `${local}+08:00`
const ALLOWED_KEYS = ['approvedPeriod', 'approvedPosition', 'approvingAuthority', 'caseNumber', 'checkpoint', 'history', 'permitIssuedAt', 'status', 'valid', 'validity']

t.test('an approved permit verifies without a key; nothing personal; unapproved and unknown are the same 404', async (t) => {
  const clock = new ManualClock(sh('2026-02-12T09:00:00'))
  const testApp = await buildTestApp(t, { clock })
  const { app } = testApp
  const client = lifecycleClient(testApp)
  const dispatch = await testApp.key('dispatch')
  const office = await testApp.key('office')
  const admin = await testApp.key('admin')
  const approved = await client.submit(dispatch, { excavationLengthMeters: 30, contact: { name: 'Wang Fang', phone: '13800000000' } })
  const pending = await client.submit(dispatch, { excavationLengthMeters: 30 })
  await client.ok(office, approved.id, { action: 'accept' })
  await client.ok(office, approved.id, approval)

  const verify = (number: string) => app.inject({ method: 'GET', url: `/v1/permits/${encodeURIComponent(number)}/verification` })

  const before = await verify(approved.number)
  t.equal(before.statusCode, 200, before.body)
  const body = before.json()
  t.same(Object.keys(body).sort(), ALLOWED_KEYS, 'exactly the allowed fields')
  t.match(body, {
    caseNumber: approved.number,
    status: 'approved',
    valid: true,
    validity: 'in_force',
    approvedPosition: { district: 'Longwen', roadName: 'Shuixian Avenue', position: approval.approvedPosition },
    approvedPeriod: { startDate: '2026-03-02', endDate: '2026-03-10' },
    history: { eventCount: 3 },
    checkpoint: null,
  })
  t.same(Object.keys(body.approvedPosition).sort(), ['district', 'position', 'roadName', 'roads'])
  t.same(Object.keys(body.history).sort(), ['eventCount', 'headHash'])
  for (const secret of ['Wang Fang', '13800000000', 'Jinfeng', 'ORG-A', approved.id]) t.notOk(before.body.includes(secret), `does not show ${secret}`)
  const events = (await app.inject({ method: 'GET', url: `/v1/cases/${approved.id}/events`, headers: bearer(office) })).json().items
  t.equal(body.history.headHash, events.at(-1).hash, "the case's head hash")

  // After a checkpoint: the signed checkpoint and the case's inclusion proof, which leads to its Merkle root.
  t.equal((await app.inject({ method: 'POST', url: '/v1/audit/checkpoints', headers: bearer(admin) })).statusCode, 201)
  const after = (await verify(approved.number)).json()
  t.match(after.checkpoint, { signed: { sequence: 1, format: 'gc-audit-checkpoint/1' }, publicKey: { algorithm: 'Ed25519' }, inclusion: { treeSize: 2 } })
  t.equal(after.checkpoint.publicKey.keyId, after.checkpoint.signed.keyId)
  const { leaf, path } = after.checkpoint.inclusion
  t.same(leaf, { caseId: approved.id, eventCount: 3, headHash: body.history.headHash })
  t.equal(rootFromProof(leafHash(leaf), path), after.checkpoint.signed.merkleRoot, 'the proof leads to the signed root')

  // Status over time: period ended, works done.
  clock.set(sh('2026-03-11T09:00:00'))
  t.match((await verify(approved.number)).json(), { valid: false, validity: 'period_ended' })

  for (const number of [pending.number, 'ZZ-2026-999999']) {
    const missing = await verify(number)
    t.equal(missing.statusCode, 404)
    t.match(missing.headers['content-type'], /application\/problem\+json/)
    t.match(missing.json(), { code: 'permit_not_found', detail: /No approved permit has the number/ })
  }
  t.same(
    { ...(await verify(pending.number)).json(), requestId: null, detail: null, instance: null },
    { ...(await verify('ZZ-2026-999999')).json(), requestId: null, detail: null, instance: null },
    'an unapproved case is answered exactly like an unknown number',
  )

  for (const garbage of ['hello', 'zz-2026-000001', 'ZZ-2026-1', "ZZ-2026-000001' or 1=1"]) {
    const bad = await verify(garbage)
    t.equal(bad.statusCode, 400, garbage)
    t.match(bad.json(), { code: 'validation_failed', errors: [{ path: 'path.caseNumber' }] })
  }
})

t.test('permit verification is rate-limited per address when RATE_LIMIT_PUBLIC_PER_MINUTE is set', async (t) => {
  const testApp = await buildTestApp(t, { config: { RATE_LIMIT_PUBLIC_PER_MINUTE: 3 } })
  const statuses: number[] = []
  let last: Awaited<ReturnType<typeof testApp.app.inject>> | undefined
  for (let i = 0; i < 4; i++) {
    last = await testApp.app.inject({ method: 'GET', url: '/v1/permits/ZZ-2026-000001/verification' })
    statuses.push(last.statusCode)
  }
  t.same(statuses, [404, 404, 404, 429])
  t.match(last?.json(), { code: 'rate_limited' })
  t.ok(Number(last?.headers['retry-after']) >= 1, 'Retry-After')
  const other = await testApp.app.inject({ method: 'GET', url: '/v1/permits/ZZ-2026-000001/verification', remoteAddress: '127.0.0.2' })
  t.equal(other.statusCode, 404, 'another address has its own budget')
})
