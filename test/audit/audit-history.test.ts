import { execFile } from 'node:child_process'
import { createPublicKey, verify } from 'node:crypto'
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { sql } from 'kysely'
import t from 'tap'
import { computeCaseEventHash } from '../../src/core/audit/case-event-hash.ts'
import { canonicalJson } from '../../src/core/audit/case-event-hash.ts'
import { approval, lifecycleClient } from '../helpers/lifecycle-client.ts'
import { bearer, buildTestApp, type TestApp } from '../helpers/test-app.ts'

const run = promisify(execFile)
const root = new URL('../..', import.meta.url).pathname

/** `npm run cli -- audit verify` against the test's database, with only the public key file and a checkpoint log. */
async function offlineVerify(testApp: TestApp, checkpointLog = testApp.app.audit.checkpointLog): Promise<{ code: number; stdout: string }> {
  const { DATABASE_URL: _unset, ...inherited } = process.env
  const env = { ...inherited, DATABASE_URL: testApp.connectionString, LOG_LEVEL: 'silent' }
  const args = ['--import', 'tsx', 'src/cli.ts', 'audit', 'verify', '--public-key', `${testApp.app.audit.signingKey.file}.pub`, '--checkpoint-log', checkpointLog]
  return await run('node', args, { env, cwd: root }).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
  )
}

async function get(testApp: TestApp, key: string, url: string) {
  const response = await testApp.app.inject({ method: 'GET', url, headers: bearer(key) })
  return { status: response.statusCode, body: response.json() }
}

async function checkpoint(testApp: TestApp, admin: string) {
  const response = await testApp.app.inject({ method: 'POST', url: '/v1/audit/checkpoints', headers: bearer(admin) })
  if (response.statusCode !== 201) throw new Error(`checkpoint failed: ${response.statusCode} ${response.body}`)
  return response.json()
}

/** Four cases in different states, so replay covers several routes and actions. */
async function seedCases(testApp: TestApp) {
  const client = lifecycleClient(testApp)
  const dispatch = await testApp.key('dispatch')
  const office = await testApp.key('office')
  const made: { id: string; number: string }[] = []
  for (let index = 0; index < 5; index++) {
    const submitted = await client.submit(dispatch, { externalReference: `AUDIT-${index}` })
    await client.ok(office, submitted.id, { action: 'accept', note: `complete application ${index}` })
    if (index % 2 === 0) await client.ok(office, submitted.id, approval)
    if (index === 0) await client.ok(dispatch, submitted.id, { action: 'start_works' })
    made.push({ id: submitted.id, number: submitted.number })
  }
  return { made, dispatch, office }
}

t.test('checkpoints: signed, chained, listed, logged; verify is valid on an untouched history', async (t) => {
  const testApp = await buildTestApp(t)
  const admin = await testApp.key('admin')
  const auditor = await testApp.key('auditor')
  const { made, office } = await seedCases(testApp)

  const first = await checkpoint(testApp, admin)
  t.match(first, { format: 'gc-audit-checkpoint/1', sequence: 1, caseCount: 5, eventCount: 5 * 2 + 3 + 1, previousHash: null })
  const second = await checkpoint(testApp, admin)
  t.equal(second.sequence, 2)
  t.equal(second.previousHash, first.hash, 'each checkpoint chains to the hash of the one before')
  t.equal(second.merkleRoot, first.merkleRoot, 'nothing changed in between: the same root')

  const key = await get(testApp, auditor, '/v1/audit/public-key')
  t.equal(key.status, 200)
  t.equal(key.body.algorithm, 'Ed25519')
  t.equal(second.keyId, key.body.keyId)
  const { hash, signature, ...payload } = second
  t.ok(verify(null, Buffer.from(canonicalJson(payload)), createPublicKey(key.body.publicKeyPem), Buffer.from(signature, 'base64')), 'the signature verifies with the public key')
  t.notOk(
    verify(null, Buffer.from(canonicalJson({ ...payload, caseCount: 4 })), createPublicKey(key.body.publicKeyPem), Buffer.from(signature, 'base64')),
    'and not for another payload',
  )
  t.ok(hash)

  const page1 = await get(testApp, office, '/v1/audit/checkpoints?limit=1')
  t.same(
    page1.body.items.map((c: { sequence: number }) => c.sequence),
    [2],
  )
  const page2 = await get(testApp, office, `/v1/audit/checkpoints?limit=1&cursor=${encodeURIComponent(page1.body.nextCursor)}`)
  t.same(
    page2.body.items.map((c: { sequence: number }) => c.sequence),
    [1],
  )
  t.equal(page2.body.nextCursor, null)
  t.same((await get(testApp, admin, '/v1/audit/checkpoints/1')).body, first)
  t.equal((await get(testApp, admin, '/v1/audit/checkpoints/9')).status, 404)
  t.equal((await get(testApp, admin, '/v1/audit/verify')).status, 403, 'verify is for auditors and the office')

  const config = testApp.app.audit
  const lines = readFileSync(config.checkpointLog, 'utf8').trim().split('\n')
  t.same(
    lines.map((line) => JSON.parse(line)),
    [first, second],
    'the checkpoint log has both, as signed',
  )
  t.equal(statSync(config.signingKey.file).mode & 0o777, 0o600, 'the private key file is readable by its owner only')
  const stored = JSON.stringify(await sql`select * from audit_checkpoint`.execute(testApp.database.db))
  t.notOk(stored.includes('PRIVATE'), 'no key material in the database')

  const report = await get(testApp, auditor, '/v1/audit/verify')
  t.same(report.body, { valid: true, checkedCases: 5, checkedEvents: first.eventCount, checkpoint: second, problems: [] })

  const offline = await offlineVerify(testApp)
  t.equal(offline.code, 0, 'the offline verification agrees: exit 0')
  t.match(offline.stdout, /^VALID: 5 cases, 14 events checked against checkpoint 2 /m)
  // A log whose checkpoint was altered after signing: named, exit 1.
  const forged = path.join(path.dirname(config.checkpointLog), 'forged.jsonl')
  writeFileSync(forged, `${lines[0]}\n${lines[1]?.replace('"caseCount":5', '"caseCount":4')}\n`)
  const refused = await offlineVerify(testApp, forged)
  t.equal(refused.code, 1)
  t.match(refused.stdout, /^checkpoint_signature_invalid\t-\t-\t/m)
  t.match(refused.stdout, /^checkpoint_log_mismatch\t/m)

  const one = await get(testApp, auditor, `/v1/cases/${made[0]?.id}/events/verify`)
  t.match(one.body, {
    valid: true,
    events: 4,
    firstBreak: null,
    stateMatchesReplay: true,
    checkpoint: { sequence: 2, included: true, eventCount: 4, extended: true },
    problems: [],
  })
})

t.test('tampering as a superuser is named per case and kind, by audit/verify and by the offline CLI', async (t) => {
  const testApp = await buildTestApp(t)
  const admin = await testApp.key('admin')
  const auditor = await testApp.key('auditor')
  const { made } = await seedCases(testApp)
  await checkpoint(testApp, admin)
  const db = testApp.database.db
  const [rewritten, truncated, edited, deleted, untouched] = made as [
    { id: string; number: string },
    { id: string; number: string },
    { id: string; number: string },
    { id: string; number: string },
    { id: string; number: string },
  ]

  await sql`alter table case_event disable trigger all`.execute(db)
  // (1) Rewrite the acceptance and recompute every later hash with the project's own function: the chain is intact.
  const rows = await db.selectFrom('case_event').selectAll().where('case_id', '=', rewritten.id).orderBy('seq').execute()
  let prevHash: string | null = null
  for (const row of rows) {
    const payload = row.seq === 2 ? { ...(row.payload as Record<string, unknown>), input: { note: 'backdated' } } : row.payload
    const event = {
      caseId: row.case_id,
      seq: row.seq,
      type: row.type,
      fromStatus: row.from_status,
      toStatus: row.to_status,
      actorKeyId: row.actor_key_id,
      actorRole: row.actor_role,
      actorOrganizationId: row.actor_organization_id,
      requestId: row.request_id,
      occurredAt: row.occurred_at,
      payload,
      prevHash,
    }
    const hash = computeCaseEventHash(event)
    await sql`update case_event set payload = ${JSON.stringify(payload)}::jsonb, prev_hash = ${prevHash}, hash = ${hash} where id = ${row.id}`.execute(db)
    prevHash = hash
  }
  // (2) Cut the last event (the approval).
  await sql`delete from case_event where case_id = ${truncated.id} and seq = (select max(seq) from case_event where case_id = ${truncated.id})`.execute(db)
  // (4) Remove a whole case with its events.
  await sql`delete from case_event where case_id = ${deleted.id}`.execute(db)
  await sql`alter table case_event enable trigger all`.execute(db)
  await sql`delete from "case" where id = ${deleted.id}`.execute(db)
  // (3) Edit the case row itself.
  await sql`update "case" set status = 'refused' where id = ${edited.id}`.execute(db)

  const chain = await get(testApp, auditor, `/v1/cases/${rewritten.id}/events/verify`)
  t.equal(chain.body.firstBreak, null, 'the rewritten chain is internally consistent')
  t.equal(chain.body.valid, false, 'but the case no longer extends its checkpointed head')
  t.match(chain.body.checkpoint, { included: true, extended: false })

  const report = (await get(testApp, auditor, '/v1/audit/verify')).body
  t.equal(report.valid, false)
  const kinds = (id: string) => report.problems.filter((p: { caseId: string }) => p.caseId === id).map((p: { kind: string }) => p.kind)
  t.ok(kinds(rewritten.id).includes('rewritten'), `rewrite found: ${kinds(rewritten.id)}`)
  t.ok(kinds(truncated.id).includes('truncated'), `truncation found: ${kinds(truncated.id)}`)
  t.ok(kinds(edited.id).includes('state_mismatch'), `case-row edit found: ${kinds(edited.id)}`)
  t.same(kinds(deleted.id), ['deleted'], 'deletion found')
  t.same(kinds(untouched.id), [], 'the untouched case has no problem')
  const deletedProblem = report.problems.find((p: { caseId: string }) => p.caseId === deleted.id)
  t.equal(deletedProblem.caseNumber, deleted.number, 'named by its number too')
  t.equal(report.checkedCases, 4)
  t.equal(report.problems.filter((p: { caseId: string | null }) => p.caseId === null).length, 0, 'the checkpoints themselves are intact')

  // A later checkpoint does not launder the tampering: the damaged cases keep their earlier leaves.
  await checkpoint(testApp, admin)
  const after = (await get(testApp, auditor, '/v1/audit/verify')).body
  t.ok(
    after.problems.some((p: { caseId: string; kind: string }) => p.caseId === deleted.id && p.kind === 'deleted'),
    'still deleted after the next checkpoint',
  )
  t.ok(
    after.problems.some((p: { caseId: string; kind: string }) => p.caseId === truncated.id && p.kind === 'truncated'),
    'still truncated after the next checkpoint',
  )

  // Offline, with only the public key file and the log: the same findings, exit code 1.
  const outcome = await offlineVerify(testApp)
  t.equal(outcome.code, 1, 'problems: exit code 1')
  t.match(outcome.stdout, new RegExp(`^deleted\\t${deleted.number}\\t${deleted.id}\\t`, 'm'))
  t.match(outcome.stdout, new RegExp(`^truncated\\t${truncated.number}\\t`, 'm'))
  t.match(outcome.stdout, new RegExp(`^rewritten\\t${rewritten.number}\\t`, 'm'))
  t.match(outcome.stdout, new RegExp(`^state_mismatch\\t${edited.number}\\t`, 'm'))
  t.match(outcome.stdout, /^INVALID: 4 cases/m)

  const { DATABASE_URL: _unset, ...env } = process.env
  const usage = await run('node', ['--import', 'tsx', 'src/cli.ts', 'audit', 'prove'], { env, cwd: root }).then(
    () => 0,
    (error: { code: number }) => error.code,
  )
  t.equal(usage, 64, 'a wrong command line: 64')
})
