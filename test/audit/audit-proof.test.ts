import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { leafHash, verifyInclusion } from '../../src/core/audit/merkle-tree.ts'
import { approval, lifecycleClient } from '../helpers/lifecycle-client.ts'
import { bearer, buildTestApp } from '../helpers/test-app.ts'

const run = promisify(execFile)
const root = new URL('../..', import.meta.url).pathname

/** The auditor's script exactly as the README shows it (the code block after the "check-case.mjs" line). */
function readmeScript(): string {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8')
  const match = /```js\n(\/\/ check-case\.mjs[\s\S]*?)```/.exec(readme)
  if (!match) throw new Error('README.md has no check-case.mjs block')
  return match[1] as string
}

t.test("the README's node:crypto script checks a case's audit proof, and refuses an altered one", async (t) => {
  const testApp = await buildTestApp(t)
  const { app } = testApp
  const client = lifecycleClient(testApp)
  const dispatch = await testApp.key('dispatch')
  const office = await testApp.key('office')
  const auditor = await testApp.key('auditor')
  const admin = await testApp.key('admin')
  const ids: string[] = []
  for (let index = 0; index < 6; index++) {
    const submitted = await client.submit(dispatch, { externalReference: `PROOF-${index}`, works: { title: `供电工程 ${index} — 新建 10 kV 电缆` } })
    await client.ok(office, submitted.id, { action: 'accept' })
    ids.push(submitted.id)
  }
  t.equal((await app.inject({ method: 'GET', url: `/v1/cases/${ids[0]}/audit-proof`, headers: bearer(auditor) })).statusCode, 404, 'no checkpoint yet: 404')
  t.equal((await app.inject({ method: 'POST', url: '/v1/audit/checkpoints', headers: bearer(admin) })).statusCode, 201)
  await client.ok(office, ids[2] as string, approval)
  t.equal((await app.inject({ method: 'POST', url: '/v1/audit/checkpoints', headers: bearer(admin) })).statusCode, 201)

  const directory = mkdtempSync(path.join(tmpdir(), 'gc-audit-proof-'))
  t.teardown(() => rmSync(directory, { recursive: true, force: true }))
  const script = path.join(directory, 'check-case.mjs')
  writeFileSync(script, readmeScript())
  const publicKey = (await app.inject({ method: 'GET', url: '/v1/audit/public-key', headers: bearer(auditor) })).json()
  const keyFile = path.join(directory, 'public-key.pem')
  writeFileSync(keyFile, publicKey.publicKeyPem)
  const check = async (proof: unknown) => {
    const file = path.join(directory, 'proof.json')
    writeFileSync(file, JSON.stringify(proof))
    return await run('node', [script, file, keyFile]).then(
      ({ stdout }) => ({ code: 0, out: stdout }),
      (error: { code: number; stderr: string }) => ({ code: error.code, out: error.stderr }),
    )
  }

  for (const [id, checkpoint] of [...ids.map((id) => [id, undefined] as const), [ids[2] as string, 1] as const]) {
    const response = await app.inject({ method: 'GET', url: `/v1/cases/${id}/audit-proof${checkpoint ? `?checkpoint=${checkpoint}` : ''}`, headers: bearer(auditor) })
    t.equal(response.statusCode, 200, `audit-proof of ${id}${checkpoint ? ` at checkpoint ${checkpoint}` : ''}`)
    const proof = response.json()
    t.equal(proof.checkpoint.sequence, checkpoint ?? 2)
    t.equal(proof.treeSize, 6)
    t.ok(
      verifyInclusion(
        leafHash(proof.leaf),
        proof.leafIndex,
        proof.treeSize,
        proof.path.map((s: { hash: string }) => s.hash),
        proof.checkpoint.merkleRoot,
      ),
      'RFC 9162 verification agrees',
    )
    const outcome = await check(proof)
    t.equal(outcome.code, 0, `the script accepts case ${proof.caseNumber} at checkpoint ${proof.checkpoint.sequence}: ${outcome.out}`)
    t.match(outcome.out, /^VALID: case /)
  }
  const older = (await app.inject({ method: 'GET', url: `/v1/cases/${ids[2]}/audit-proof?checkpoint=1`, headers: bearer(auditor) })).json()
  t.equal(older.leaf.eventCount, 2, 'checkpoint 1 holds the case before its approval')
  t.equal(older.events.length, 3, 'with the events since, which extend it')

  const proof = (await app.inject({ method: 'GET', url: `/v1/cases/${ids[3]}/audit-proof`, headers: bearer(auditor) })).json()
  const altered = structuredClone(proof)
  altered.events[0].sealed.payload.input.excavationLengthMeters = 20
  t.equal((await check(altered)).code, 1, 'an altered event is refused')
  const moved = structuredClone(proof)
  moved.path[0].hash = moved.path[0].hash.replace(/^./, (c: string) => (c === '0' ? '1' : '0'))
  t.match((await check(moved)).out, /not in the checkpoint/, 'a wrong proof is refused')
  const resigned = structuredClone(proof)
  resigned.checkpoint.caseCount = 7
  t.match((await check(resigned)).out, /INVALID/, 'an altered checkpoint is refused')

  t.equal((await app.inject({ method: 'GET', url: `/v1/cases/${ids[0]}/audit-proof?checkpoint=9`, headers: bearer(auditor) })).statusCode, 404)
  const other = await testApp.key('dispatch', 'ORG-B')
  t.equal((await app.inject({ method: 'GET', url: `/v1/cases/${ids[0]}/audit-proof`, headers: bearer(other) })).statusCode, 404, "another organization's case is not found")
})
