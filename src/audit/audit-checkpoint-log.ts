import { appendFile, mkdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { canonicalJson } from '../core/audit/case-event-hash.ts'
import { CHECKPOINT_FORMAT, type SignedCheckpoint } from '../core/audit/audit-checkpoint.ts'

/**
 * The checkpoint log (AUDIT_CHECKPOINT_LOG): one signed checkpoint per line, canonical JSON, oldest first, only
 * ever appended to. Operators ship it elsewhere (a WORM bucket, another site); with the public key it is what
 * `npm run cli -- audit verify` trusts instead of the database.
 */
function checkpointLogLine(checkpoint: SignedCheckpoint): string {
  const { format, sequence, createdAt, caseCount, eventCount, merkleRoot, previousHash, keyId, hash, signature } = checkpoint
  return `${canonicalJson({ format, sequence, createdAt, caseCount, eventCount, merkleRoot, previousHash, keyId, hash, signature })}\n`
}

export interface CheckpointLogEntry {
  line: number
  checkpoint: SignedCheckpoint | null
  /** Why the line is not a checkpoint. */
  error?: string
}

function parseLine(text: string): SignedCheckpoint | string {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return 'not JSON'
  }
  const record = value as Record<string, unknown>
  const ok =
    typeof value === 'object' &&
    value !== null &&
    record.format === CHECKPOINT_FORMAT &&
    Number.isSafeInteger(record.sequence) &&
    typeof record.createdAt === 'string' &&
    Number.isSafeInteger(record.caseCount) &&
    Number.isSafeInteger(record.eventCount) &&
    typeof record.merkleRoot === 'string' &&
    (record.previousHash === null || typeof record.previousHash === 'string') &&
    typeof record.keyId === 'string' &&
    typeof record.hash === 'string' &&
    typeof record.signature === 'string'
  return ok ? (value as SignedCheckpoint) : `not a ${CHECKPOINT_FORMAT} record`
}

/** Every line of the log; a missing file is an empty log. */
export async function readCheckpointLog(file: string): Promise<CheckpointLogEntry[]> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
  const entries: CheckpointLogEntry[] = []
  text.split('\n').forEach((raw, index) => {
    if (raw.trim() === '') return
    const parsed = parseLine(raw)
    entries.push(typeof parsed === 'string' ? { line: index + 1, checkpoint: null, error: parsed } : { line: index + 1, checkpoint: parsed })
  })
  return entries
}

/**
 * Appends the checkpoints the log does not have yet (sequence above its last line), so a line lost to a crash
 * between the commit and the write is written by the next checkpoint. One write call per batch (O_APPEND).
 */
export async function appendMissingCheckpoints(file: string, fetchAfter: (sequence: number) => Promise<SignedCheckpoint[]>): Promise<number> {
  const entries = await readCheckpointLog(file)
  let last = 0
  for (const entry of entries) if (entry.checkpoint && entry.checkpoint.sequence > last) last = entry.checkpoint.sequence
  let written = 0
  await mkdir(path.dirname(file), { recursive: true })
  for (;;) {
    const missing = await fetchAfter(last)
    if (missing.length === 0) return written
    await appendFile(file, missing.map(checkpointLogLine).join(''), { mode: 0o644 })
    written += missing.length
    last = (missing.at(-1) as SignedCheckpoint).sequence
  }
}
