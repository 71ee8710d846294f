import { createHash, generateKeyPairSync } from 'node:crypto'
import t from 'tap'
import { CHECKPOINT_FORMAT, checkCheckpoint, checkpointHash, keyIdOf, signCheckpoint, type CheckpointPayload } from '../../../src/core/audit/audit-checkpoint.ts'
import { inclusionProofRanges, leafHash, MerkleRootBuilder, merkleRoot, nodeHash, rootFromProof, verifyInclusion } from '../../../src/core/audit/merkle-tree.ts'

const sha = (...parts: (Buffer | string)[]) => parts.reduce((h, p) => h.update(p), createHash('sha256')).digest()
const leaves = (n: number) =>
  Array.from({ length: n }, (_, i) => leafHash({ caseId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, eventCount: i + 1, headHash: 'ab'.repeat(32) }))

/** RFC 9162 §2.1.1 written out recursively, as the reference the streaming builder must agree with. */
function referenceRoot(hashes: Buffer[]): Buffer {
  if (hashes.length === 0) return sha('')
  if (hashes.length === 1) return hashes[0] as Buffer
  let k = 1
  while (k * 2 < hashes.length) k *= 2
  return nodeHash(referenceRoot(hashes.slice(0, k)), referenceRoot(hashes.slice(k)))
}

t.test('leaf and node hashes are domain-separated SHA-256', async (t) => {
  const leaf = { caseId: '0b6c3c9e-4f5a-4c1e-9d47-2f1a8e6b5c3d', eventCount: 3, headHash: 'cd'.repeat(32) }
  t.same(leafHash(leaf), sha(Buffer.from([0]), `{"caseId":"${leaf.caseId}","eventCount":3,"headHash":"${leaf.headHash}"}`))
  const [a, b] = leaves(2) as [Buffer, Buffer]
  t.same(nodeHash(a, b), sha(Buffer.from([1]), a, b))
  t.not(nodeHash(a, b).toString('hex'), nodeHash(b, a).toString('hex'), 'order matters')
})

t.test('the streaming root equals the RFC 9162 recursion for every size up to 70', async (t) => {
  for (let n = 0; n <= 70; n++) {
    const hashes = leaves(n)
    t.equal(merkleRoot(hashes).toString('hex'), referenceRoot(hashes).toString('hex'), `n = ${n}`)
  }
  t.equal(merkleRoot([]).toString('hex'), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'empty tree: SHA-256 of nothing')
})

t.test('inclusion proofs built from ranges verify, by sides and by index (RFC 9162 §2.1.3.2)', async (t) => {
  for (const n of [1, 2, 3, 5, 7, 8, 13, 31, 33]) {
    const hashes = leaves(n)
    const root = merkleRoot(hashes).toString('hex')
    for (let m = 0; m < n; m++) {
      const path = inclusionProofRanges(m, n).map((range) => {
        const builder = new MerkleRootBuilder()
        for (const hash of hashes.slice(range.start, range.end)) builder.add(hash)
        return { side: range.side, hash: builder.root().toString('hex') }
      })
      const leaf = hashes[m] as Buffer
      t.equal(rootFromProof(leaf, path), root, `n ${n} m ${m} by sides`)
      t.ok(
        verifyInclusion(
          leaf,
          m,
          n,
          path.map((s) => s.hash),
          root,
        ),
        `n ${n} m ${m} by index`,
      )
      if (n > 1)
        t.notOk(
          verifyInclusion(
            leaf,
            (m + 1) % n,
            n,
            path.map((s) => s.hash),
            root,
          ),
          `n ${n} m ${m}: not at another index`,
        )
    }
  }
  t.throws(() => inclusionProofRanges(3, 3), RangeError)
})

t.test('checkpoints: canonical payload, hash, signature, chain', async (t) => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  const other = generateKeyPairSync('ed25519')
  const payload = (sequence: number, previousHash: string | null): CheckpointPayload => ({
    format: CHECKPOINT_FORMAT,
    sequence,
    createdAt: '2026-02-12T02:00:00.000Z',
    caseCount: 2,
    eventCount: 5,
    merkleRoot: 'ef'.repeat(32),
    previousHash,
    keyId: keyIdOf(publicKey),
  })
  const first = signCheckpoint(payload(1, null), privateKey)
  const second = signCheckpoint(payload(2, first.hash), privateKey)
  t.equal(
    first.hash,
    sha(
      `{"caseCount":2,"createdAt":"2026-02-12T02:00:00.000Z","eventCount":5,"format":"${CHECKPOINT_FORMAT}","keyId":"${keyIdOf(publicKey)}","merkleRoot":"${'ef'.repeat(32)}","previousHash":null,"sequence":1}`,
    ).toString('hex'),
    'the hash is SHA-256 of the canonical JSON, keys sorted',
  )
  const cases: [string, Parameters<typeof checkCheckpoint>, string[]][] = [
    ['the first', [first, null, publicKey], []],
    ['the second', [second, first, publicKey], []],
    ['altered content', [{ ...second, caseCount: 3 }, first, publicKey], ['checkpoint_signature_invalid', 'checkpoint_hash_mismatch']],
    ['a wrong previous hash', [signCheckpoint(payload(2, '00'.repeat(32)), privateKey), first, publicKey], ['checkpoint_chain_broken']],
    ['a gap', [signCheckpoint(payload(3, first.hash), privateKey), first, publicKey], ['checkpoint_chain_broken']],
    ['another key', [second, first, other.publicKey], ['checkpoint_key_unknown']],
    ['a forged signature', [{ ...second, signature: first.signature }, first, publicKey], ['checkpoint_signature_invalid']],
  ]
  for (const [label, args, kinds] of cases) {
    t.same(
      checkCheckpoint(...args).map((p) => p.kind),
      kinds,
      label,
    )
  }
  t.equal(checkpointHash({ ...first, extra: 1 } as CheckpointPayload), first.hash, 'only the payload keys count')
})
