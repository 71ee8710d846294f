import { createHash, sign, verify, type KeyObject } from 'node:crypto'
import { canonicalJson } from './case-event-hash.ts'

export const CHECKPOINT_FORMAT = 'gc-audit-checkpoint/1'

/**
 * What a checkpoint signs, exactly these keys (docs/audit.md): the canonical JSON of this object is both the
 * Ed25519 signing input and, through SHA-256, the checkpoint's hash that the next checkpoint chains to.
 */
export interface CheckpointPayload {
  format: typeof CHECKPOINT_FORMAT
  /** 1, 2, 3, … without gaps. */
  sequence: number
  /** When it was taken, ISO 8601 in UTC with milliseconds (Date#toISOString). */
  createdAt: string
  /** Leaves of the Merkle tree: cases. */
  caseCount: number
  /** The sum of the leaves' event counts. */
  eventCount: number
  /** Hex Merkle root over the cases (merkle-tree.ts). */
  merkleRoot: string
  /** The previous checkpoint's hash, null for the first. */
  previousHash: string | null
  /** keyIdOf the signing key's public half. */
  keyId: string
}

export interface SignedCheckpoint extends CheckpointPayload {
  /** Hex SHA-256 of the canonical payload. */
  hash: string
  /** Base64 Ed25519 signature over the canonical payload (RFC 8032). */
  signature: string
}

/** The payload alone, whatever else a record carries: the signature covers these keys and no other. */
function checkpointPayloadOf(record: CheckpointPayload): CheckpointPayload {
  return {
    format: record.format,
    sequence: record.sequence,
    createdAt: record.createdAt,
    caseCount: record.caseCount,
    eventCount: record.eventCount,
    merkleRoot: record.merkleRoot,
    previousHash: record.previousHash,
    keyId: record.keyId,
  }
}

function checkpointSigningInput(payload: CheckpointPayload): Buffer {
  return Buffer.from(canonicalJson(checkpointPayloadOf(payload)), 'utf8')
}

export function checkpointHash(payload: CheckpointPayload): string {
  return createHash('sha256').update(checkpointSigningInput(payload)).digest('hex')
}

/** A public key's id: hex SHA-256 of its DER SubjectPublicKeyInfo (RFC 8410). */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
}

export function signCheckpoint(payload: CheckpointPayload, privateKey: KeyObject): SignedCheckpoint {
  const clean = checkpointPayloadOf(payload)
  return { ...clean, hash: checkpointHash(clean), signature: sign(null, checkpointSigningInput(clean), privateKey).toString('base64') }
}

function checkpointSignatureValid(checkpoint: SignedCheckpoint, publicKey: KeyObject): boolean {
  try {
    return verify(null, checkpointSigningInput(checkpoint), publicKey, Buffer.from(checkpoint.signature, 'base64'))
  } catch {
    return false
  }
}

export type CheckpointProblemKind = 'checkpoint_signature_invalid' | 'checkpoint_hash_mismatch' | 'checkpoint_chain_broken' | 'checkpoint_key_unknown'

export interface CheckpointProblem {
  sequence: number
  kind: CheckpointProblemKind
  detail: string
}

/**
 * Checks one checkpoint against its predecessor (null for the first): its hash, its signature under the known
 * key, the sequence without gaps and the hash chain. Called in order over the whole chain, it finds a checkpoint
 * that was changed, removed or re-signed with another key.
 */
export function checkCheckpoint(checkpoint: SignedCheckpoint, previous: SignedCheckpoint | null, publicKey: KeyObject): CheckpointProblem[] {
  const problems: CheckpointProblem[] = []
  const at = checkpoint.sequence
  if (checkpoint.keyId !== keyIdOf(publicKey))
    problems.push({ sequence: at, kind: 'checkpoint_key_unknown', detail: `signed by key ${checkpoint.keyId}, not by the public key given (${keyIdOf(publicKey)})` })
  else if (!checkpointSignatureValid(checkpoint, publicKey))
    problems.push({ sequence: at, kind: 'checkpoint_signature_invalid', detail: `the signature of checkpoint ${at} does not verify` })
  const recomputed = checkpointHash(checkpoint)
  if (recomputed !== checkpoint.hash) problems.push({ sequence: at, kind: 'checkpoint_hash_mismatch', detail: `stored hash ${checkpoint.hash}, recomputed ${recomputed}` })
  const expectedSequence = previous === null ? 1 : previous.sequence + 1
  const expectedPrevious = previous === null ? null : previous.hash
  if (checkpoint.sequence !== expectedSequence)
    problems.push({ sequence: at, kind: 'checkpoint_chain_broken', detail: `sequence ${checkpoint.sequence} follows ${previous?.sequence ?? 'nothing'}` })
  else if (checkpoint.previousHash !== expectedPrevious) {
    problems.push({
      sequence: at,
      kind: 'checkpoint_chain_broken',
      detail: `previousHash ${checkpoint.previousHash} is not the hash of checkpoint ${previous?.sequence ?? '(none)'} (${expectedPrevious})`,
    })
  }
  return problems
}
