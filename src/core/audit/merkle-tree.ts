import { createHash } from 'node:crypto'
import { canonicalJson } from './case-event-hash.ts'

/**
 * The Merkle tree of a checkpoint is the Merkle Tree Hash of RFC 9162 §2.1.1 (Certificate Transparency v2) over
 * one leaf per case, sorted by case id (the lowercase hyphenated UUID, compared as bytes): SHA-256 with the
 * prefix 0x00 for a leaf and 0x01 for an inner node, so no leaf can pass for a node (second-preimage
 * resistance). docs/audit.md specifies it for auditors.
 */
export interface CheckpointLeaf {
  caseId: string
  /** Events in the case's chain when the checkpoint was taken (= the head event's seq). */
  eventCount: number
  /** The hash of event number `eventCount`. */
  headHash: string
}

const LEAF_PREFIX = Buffer.from([0x00])
const NODE_PREFIX = Buffer.from([0x01])

/** SHA-256(0x00 ‖ UTF-8 canonical JSON {caseId, eventCount, headHash}). */
export function leafHash(leaf: CheckpointLeaf): Buffer {
  const data = canonicalJson({ caseId: leaf.caseId, eventCount: leaf.eventCount, headHash: leaf.headHash })
  return createHash('sha256').update(LEAF_PREFIX).update(data, 'utf8').digest()
}

/** SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Buffer, right: Buffer): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest()
}

/** RFC 9162: the hash of an empty tree is SHA-256 of the empty string. */
const EMPTY_ROOT = createHash('sha256').digest()

/**
 * Builds the root of a tree from its leaf hashes in order, keeping only O(log n) hashes: complete subtrees of
 * equal size are merged as soon as they exist, and the remaining ones (sizes decreasing left to right) are
 * merged right to left at the end, which is exactly RFC 9162's split at the largest power of two below n.
 */
export class MerkleRootBuilder {
  readonly #stack: { hash: Buffer; size: number }[] = []
  #count = 0

  get size(): number {
    return this.#count
  }

  add(hash: Buffer): void {
    let entry = { hash, size: 1 }
    for (let top = this.#stack.at(-1); top !== undefined && top.size === entry.size; top = this.#stack.at(-1)) {
      this.#stack.pop()
      entry = { hash: nodeHash(top.hash, entry.hash), size: top.size * 2 }
    }
    this.#stack.push(entry)
    this.#count++
  }

  root(): Buffer {
    let index = this.#stack.length - 1
    if (index < 0) return EMPTY_ROOT
    let hash = (this.#stack[index] as { hash: Buffer }).hash
    for (index--; index >= 0; index--) hash = nodeHash((this.#stack[index] as { hash: Buffer }).hash, hash)
    return hash
  }
}

export function merkleRoot(leafHashes: Iterable<Buffer>): Buffer {
  const builder = new MerkleRootBuilder()
  for (const hash of leafHashes) builder.add(hash)
  return builder.root()
}

function largestPowerOfTwoBelow(n: number): number {
  let k = 1
  while (k * 2 < n) k *= 2
  return k
}

/** One step of an inclusion proof: the sibling's hash and on which side of the running hash it goes. */
export interface ProofStep {
  side: 'left' | 'right'
  hash: string
}

/**
 * The leaf ranges [start, end) whose subtree roots form the inclusion proof of leaf `index` in a tree of `size`
 * leaves (RFC 9162 §2.1.3.1 PATH), from the leaf's sibling up to the root's other child. A caller streams the
 * leaves once and builds each range's root with a MerkleRootBuilder: the proof never needs the whole tree.
 */
export function inclusionProofRanges(index: number, size: number): { start: number; end: number; side: 'left' | 'right' }[] {
  if (!Number.isInteger(index) || !Number.isInteger(size) || index < 0 || index >= size) throw new RangeError(`leaf ${index} is not in a tree of ${size}`)
  const ranges: { start: number; end: number; side: 'left' | 'right' }[] = []
  let start = 0
  let end = size
  while (end - start > 1) {
    const k = largestPowerOfTwoBelow(end - start)
    if (index - start < k) {
      ranges.push({ start: start + k, end, side: 'right' })
      end = start + k
    } else {
      ranges.push({ start, end: start + k, side: 'left' })
      start += k
    }
  }
  return ranges.reverse()
}

/** The root that `leaf` and its proof lead to (hex); the proof is valid when it equals the checkpoint's root. */
export function rootFromProof(leaf: Buffer, steps: readonly ProofStep[]): string {
  let hash = leaf
  for (const step of steps) hash = step.side === 'left' ? nodeHash(Buffer.from(step.hash, 'hex'), hash) : nodeHash(hash, Buffer.from(step.hash, 'hex'))
  return hash.toString('hex')
}

/**
 * RFC 9162 §2.1.3.2: verifies an inclusion proof from the leaf's index and the tree size alone (the sides are
 * implied), so a proof whose `side` fields were altered still fails.
 */
export function verifyInclusion(leaf: Buffer, index: number, size: number, path: readonly string[], root: string): boolean {
  if (index < 0 || index >= size) return false
  let fn = index
  let sn = size - 1
  let hash = leaf
  for (const sibling of path) {
    if (sn === 0) return false
    const p = Buffer.from(sibling, 'hex')
    if (fn % 2 === 1 || fn === sn) {
      hash = nodeHash(p, hash)
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2)
          sn = Math.floor(sn / 2)
        }
      }
    } else {
      hash = nodeHash(hash, p)
    }
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  return sn === 0 && hash.toString('hex') === root
}
