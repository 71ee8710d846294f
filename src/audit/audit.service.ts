import type { KeyObject } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { FastifyBaseLogger } from 'fastify'
import { CHECKPOINT_FORMAT, checkCheckpoint, signCheckpoint, type SignedCheckpoint } from '../core/audit/audit-checkpoint.ts'
import { canonicalJson, sealedCaseEvent, verifyCaseEventChain, type ChainBreak } from '../core/audit/case-event-hash.ts'
import { compareWithReplay, replayCaseEvents } from '../core/audit/case-replay.ts'
import { inclusionProofRanges, leafHash, MerkleRootBuilder, type ProofStep } from '../core/audit/merkle-tree.ts'
import type { Principal } from '../core/access/principal.ts'
import type { WorkingDayCalendar } from '../core/calendar/working-day-calendar.ts'
import type { CaseEvent } from '../cases/case-event.repository.ts'
import { getCaseForPrincipal } from '../cases/case.service.ts'
import type { Clock } from '../platform/clock.ts'
import type { Database } from '../platform/database/database.types.ts'
import { NotFoundError } from '../platform/errors/domain-errors.ts'
import { cursorValues, keysetCursor, pageOf } from '../platform/http/keyset-pagination.ts'
import { appendMissingCheckpoints, type CheckpointLogEntry } from './audit-checkpoint-log.ts'
import {
  caseHeadsAfter,
  checkpointsAfter,
  eventHashesAt,
  findCheckpoint,
  insertCheckpoint,
  insertLeaves,
  latestCheckpoint,
  leafIndexOf,
  leafOf,
  leavesAfter,
  listCheckpoints,
  lockCheckpointing,
  type StoredCheckpoint,
  type StoredLeaf,
} from './audit-checkpoint.repository.ts'
import { casesAfter, eventsOfCases, type AuditedCase } from './audit-history.repository.ts'
import type { AuditSigningKey } from './audit-signing-key.ts'
import { chunked, mergeByCaseId, nothing, paged } from './audit-streams.ts'

export interface AuditDeps {
  db: Kysely<Database>
  clock: Clock
  signingKey: AuditSigningKey
  /** AUDIT_CHECKPOINT_LOG. */
  checkpointLog: string
  log?: FastifyBaseLogger
}

const PAGE = 1000
const CHUNK = 200
const PROOF_PAGE = 10_000

// ---------------------------------------------------------------------------------------------------
// Taking a checkpoint
// ---------------------------------------------------------------------------------------------------

/**
 * Takes and signs a checkpoint of every case's head, in one transaction under a transaction-level advisory lock,
 * so instances take checkpoints one at a time. `dueAfterMs` (the periodic run) takes one only when the latest is
 * at least that old: every instance ticks, the first to get the lock takes it, the others find it taken and
 * return null. A case whose chain no longer extends its previous leaf (cut, rewritten, deleted) keeps that leaf:
 * a checkpoint never launders tampering into the signed history, and `audit/verify` keeps naming the case.
 */
export async function takeCheckpoint(deps: AuditDeps, options: { wait: boolean; dueAfterMs?: number }): Promise<StoredCheckpoint | null> {
  // The key is read (or generated) before a connection is held.
  const key = await deps.signingKey.keyPair()
  const created = await deps.db.transaction().execute(async (trx) => {
    if (!(await lockCheckpointing(trx, options.wait))) return null
    const now = deps.clock.now()
    const previous = await latestCheckpoint(trx)
    if (options.dueAfterMs !== undefined && previous && now.getTime() - Date.parse(previous.createdAt) < options.dueAfterMs) return null
    const sequence = (previous?.sequence ?? 0) + 1
    const heads = paged<StoredLeaf>((after) => caseHeadsAfter(trx, after?.caseId ?? null, PAGE), PAGE)
    const earlier = previous ? paged<StoredLeaf>((after) => leavesAfter(trx, previous.sequence, after?.caseId ?? null, PAGE), PAGE) : nothing<StoredLeaf>()
    const root = new MerkleRootBuilder()
    let eventCount = 0
    let carriedForward = 0
    for await (const chunk of chunked(mergeByCaseId(heads, earlier), CHUNK)) {
      // A moved head must extend the earlier leaf: the event at the earlier count still has the earlier hash.
      const moved = chunk.filter((m) => m.current && m.checkpointed && m.current.eventCount > m.checkpointed.eventCount)
      const hashes = await eventHashesAt(
        trx,
        moved.map((m) => ({ caseId: m.caseId, seq: (m.checkpointed as StoredLeaf).eventCount })),
      )
      const changed: StoredLeaf[] = []
      for (const { current, checkpointed } of chunk) {
        let leaf: StoredLeaf
        if (current && !checkpointed) {
          leaf = current
          changed.push(current)
        } else if (current && checkpointed) {
          const same = current.eventCount === checkpointed.eventCount && current.headHash === checkpointed.headHash
          const extends_ = current.eventCount > checkpointed.eventCount && hashes.get(`${current.caseId}:${checkpointed.eventCount}`) === checkpointed.headHash
          if (same) leaf = checkpointed
          else if (extends_) {
            leaf = current
            changed.push(current)
          } else {
            leaf = checkpointed
            carriedForward++
          }
        } else {
          leaf = checkpointed as StoredLeaf
          carriedForward++
        }
        root.add(leafHash(leaf))
        eventCount += leaf.eventCount
      }
      await insertLeaves(trx, sequence, changed)
    }
    const signed = signCheckpoint(
      {
        format: CHECKPOINT_FORMAT,
        sequence,
        createdAt: now.toISOString(),
        caseCount: root.size,
        eventCount,
        merkleRoot: root.root().toString('hex'),
        previousHash: previous?.hash ?? null,
        keyId: key.keyId,
      },
      key.privateKey,
    )
    await insertCheckpoint(trx, signed, carriedForward)
    return { ...signed, carriedForward }
  })
  if (created === null) return null
  if (created.carriedForward > 0) {
    deps.log?.warn({ sequence: created.sequence, carriedForward: created.carriedForward }, 'audit checkpoint: cases no longer extend their checkpointed history; run audit verify')
  }
  deps.log?.info({ sequence: created.sequence, caseCount: created.caseCount, eventCount: created.eventCount, hash: created.hash }, 'audit checkpoint signed')
  await writeCheckpointLog(deps)
  return created
}

/** Brings the JSON-lines log up to date with the database (also after a crash between commit and write). */
async function writeCheckpointLog(deps: AuditDeps): Promise<void> {
  try {
    await appendMissingCheckpoints(deps.checkpointLog, (after) => checkpointsAfter(deps.db, after, PAGE))
  } catch (error) {
    // The checkpoint is committed and signed; the log catches up on the next one.
    deps.log?.error({ err: error, file: deps.checkpointLog }, 'audit checkpoint log could not be written')
  }
}

// ---------------------------------------------------------------------------------------------------
// Reading checkpoints
// ---------------------------------------------------------------------------------------------------

/** The signed record only: exactly what the signature and the checkpoint log cover. */
function presentCheckpoint(checkpoint: SignedCheckpoint): SignedCheckpoint {
  const { format, sequence, createdAt, caseCount, eventCount, merkleRoot, previousHash, keyId, hash, signature } = checkpoint
  return { format, sequence, createdAt, caseCount, eventCount, merkleRoot, previousHash, keyId, hash, signature }
}

const checkpointCursor = keysetCursor<{ sequence: number }>('audit-checkpoints', {
  toValues: (key) => [key.sequence],
  fromValues: ([sequence]) => (cursorValues.safeInteger(sequence) ? { sequence } : undefined),
})

export async function checkpointPage(db: Kysely<Database>, query: { cursor?: string | undefined; limit: number }) {
  const after = query.cursor ? checkpointCursor.decode(query.cursor) : undefined
  const rows = await listCheckpoints(db, { before: after?.sequence, limit: query.limit + 1 })
  const page = pageOf(rows, query.limit, checkpointCursor, (row) => ({ sequence: row.sequence }))
  return { items: page.items.map(presentCheckpoint), nextCursor: page.nextCursor }
}

export async function checkpointBySequence(db: Kysely<Database>, sequence: number): Promise<SignedCheckpoint> {
  const found = await findCheckpoint(db, sequence)
  if (!found) throw new NotFoundError(`There is no audit checkpoint ${sequence}.`, 'checkpoint_not_found').withParams('sequence', { sequence })
  return presentCheckpoint(found)
}

export async function publicKeyOf(deps: Pick<AuditDeps, 'signingKey'>) {
  const key = await deps.signingKey.keyPair()
  return { keyId: key.keyId, algorithm: 'Ed25519' as const, publicKeyPem: key.publicKeyPem }
}

// ---------------------------------------------------------------------------------------------------
// Verifying
// ---------------------------------------------------------------------------------------------------

export const problemKinds = [
  'chain_broken',
  'replay_failed',
  'state_mismatch',
  'truncated',
  'rewritten',
  'deleted',
  'checkpoint_signature_invalid',
  'checkpoint_hash_mismatch',
  'checkpoint_chain_broken',
  'checkpoint_key_unknown',
  'checkpoint_leaves_mismatch',
  'checkpoint_log_invalid',
  'checkpoint_log_mismatch',
] as const
export type ProblemKind = (typeof problemKinds)[number]

export interface AuditProblem {
  caseId: string | null
  caseNumber: string | null
  kind: ProblemKind
  detail: string
}

interface CaseFindings {
  chainBreak: ChainBreak | null
  stateDifferences: string[]
  problems: AuditProblem[]
}

/** Everything that can be checked about one case: its chain, its state against the replay, its checkpointed leaf. */
function checkCase(record: AuditedCase, events: readonly CaseEvent[], leaf: StoredLeaf | undefined, checkpointSequence: number | null, calendar: WorkingDayCalendar): CaseFindings {
  const problems: AuditProblem[] = []
  const problem = (kind: ProblemKind, detail: string) => problems.push({ caseId: record.id, caseNumber: record.number, kind, detail })
  const chainBreak = events.length === 0 ? null : verifyCaseEventChain(events)
  if (events.length === 0) problem('chain_broken', 'the case has no events')
  if (chainBreak) problem('chain_broken', `event ${chainBreak.seq}: ${chainBreak.reason} (expected ${chainBreak.expected}, found ${chainBreak.found})`)
  let stateDifferences: string[] = []
  if (events.length > 0) {
    const replay = replayCaseEvents(events, calendar)
    if (!replay.ok) problem('replay_failed', replay.detail)
    else {
      stateDifferences = compareWithReplay(record, replay.state, events.length, calendar)
      const number = (events[0]?.payload as { number?: unknown } | undefined)?.number
      if (number !== undefined && number !== record.number) stateDifferences.push(`number is ${record.number}, the submission event says ${String(number)}`)
      if (stateDifferences.length > 0) problem('state_mismatch', stateDifferences.join('; '))
    }
  }
  if (leaf) {
    const at = `checkpoint ${checkpointSequence}`
    if (events.length < leaf.eventCount) problem('truncated', `${at} has ${leaf.eventCount} events (head ${leaf.headHash}); the case now has ${events.length}`)
    else if (events[leaf.eventCount - 1]?.hash !== leaf.headHash) {
      problem('rewritten', `event ${leaf.eventCount} has hash ${events[leaf.eventCount - 1]?.hash}; ${at} signed ${leaf.headHash}`)
    }
  }
  return { chainBreak, stateDifferences, problems }
}

export type CheckpointSource = { kind: 'database' } | { kind: 'log'; entries: CheckpointLogEntry[] }

export interface VerificationReport {
  valid: boolean
  checkedCases: number
  checkedEvents: number
  checkpoint: SignedCheckpoint | null
  problems: AuditProblem[]
}

const checkpointProblem = (kind: ProblemKind, detail: string): AuditProblem => ({ caseId: null, caseNumber: null, kind, detail })

/** The checkpoint chain (from the database or from a log), checked link by link; returns the latest. */
async function checkCheckpointChain(db: Kysely<Database>, source: CheckpointSource, publicKey: KeyObject, problems: AuditProblem[]): Promise<SignedCheckpoint | null> {
  let previous: SignedCheckpoint | null = null
  const check = (checkpoint: SignedCheckpoint) => {
    for (const p of checkCheckpoint(checkpoint, previous, publicKey)) problems.push(checkpointProblem(p.kind, p.detail))
    previous = checkpoint
  }
  if (source.kind === 'database') {
    for await (const checkpoint of paged<StoredCheckpoint>((after) => checkpointsAfter(db, after?.sequence ?? 0, PAGE), PAGE)) check(checkpoint)
    return previous
  }
  const seen = new Map<number, string>()
  for (const entry of source.entries) {
    if (!entry.checkpoint) {
      problems.push(checkpointProblem('checkpoint_log_invalid', `line ${entry.line}: ${entry.error}`))
      continue
    }
    const checkpoint = entry.checkpoint
    const twin = seen.get(checkpoint.sequence)
    if (twin !== undefined) {
      // The same checkpoint written twice (two instances sharing the file) is harmless; two different ones are not.
      if (twin !== checkpoint.hash) problems.push(checkpointProblem('checkpoint_log_invalid', `line ${entry.line}: a second, different checkpoint ${checkpoint.sequence}`))
      continue
    }
    seen.set(checkpoint.sequence, checkpoint.hash)
    check(checkpoint)
    const stored = await findCheckpoint(db, checkpoint.sequence)
    if (!stored) problems.push(checkpointProblem('checkpoint_log_mismatch', `checkpoint ${checkpoint.sequence} of the log is not in the database`))
    else if (canonicalJson(presentCheckpoint(stored)) !== canonicalJson(presentCheckpoint(checkpoint))) {
      problems.push(
        checkpointProblem('checkpoint_log_mismatch', `checkpoint ${checkpoint.sequence} in the database differs from the log (hash ${stored.hash}, log ${checkpoint.hash})`),
      )
    }
  }
  return previous
}

/**
 * The whole history: the checkpoint chain and its signatures, then every case in id order merged with the
 * latest checkpoint's leaves (a leaf without a case is a deleted case), in chunks: memory stays flat at a million
 * cases. The leaves are also hashed again into the root, which must be the one the checkpoint signed.
 */
export async function verifyHistory(input: { db: Kysely<Database>; calendar: WorkingDayCalendar; publicKey: KeyObject; source: CheckpointSource }): Promise<VerificationReport> {
  const { db, calendar } = input
  const problems: AuditProblem[] = []
  const checkpoint = await checkCheckpointChain(db, input.source, input.publicKey, problems)
  const cases = paged<AuditedCase>((after) => casesAfter(db, after?.id ?? null, CHUNK), CHUNK)
  const casesById = (async function* () {
    for await (const record of cases) yield { caseId: record.id, record }
  })()
  const leaves = checkpoint ? paged<StoredLeaf>((after) => leavesAfter(db, checkpoint.sequence, after?.caseId ?? null, PAGE), PAGE) : nothing<StoredLeaf>()
  const root = new MerkleRootBuilder()
  let checkedCases = 0
  let checkedEvents = 0
  for await (const chunk of chunked(mergeByCaseId(casesById, leaves), CHUNK)) {
    const events = await eventsOfCases(
      db,
      chunk.flatMap((m) => (m.current ? [m.caseId] : [])),
    )
    for (const { caseId, current, checkpointed } of chunk) {
      if (checkpointed) root.add(leafHash(checkpointed))
      if (!current) {
        problems.push({
          caseId,
          caseNumber: (checkpointed as StoredLeaf).caseNumber,
          kind: 'deleted',
          detail: `checkpoint ${checkpoint?.sequence} has the case with ${checkpointed?.eventCount} events; it is no longer in the database`,
        })
        continue
      }
      const caseEvents = events.get(caseId) ?? []
      problems.push(...checkCase(current.record, caseEvents, checkpointed, checkpoint?.sequence ?? null, calendar).problems)
      checkedCases++
      checkedEvents += caseEvents.length
    }
  }
  if (checkpoint) {
    const recomputed = root.root().toString('hex')
    if (recomputed !== checkpoint.merkleRoot || root.size !== checkpoint.caseCount) {
      problems.push(
        checkpointProblem(
          'checkpoint_leaves_mismatch',
          `the stored leaves of checkpoint ${checkpoint.sequence} (${root.size} cases, root ${recomputed}) are not the signed ones (${checkpoint.caseCount} cases, root ${checkpoint.merkleRoot})`,
        ),
      )
    }
  }
  return { valid: problems.length === 0, checkedCases, checkedEvents, checkpoint: checkpoint ? presentCheckpoint(checkpoint) : null, problems }
}

/** GET /v1/cases/{id}/events/verify: the chain (as before), plus the state against the replay and the latest checkpoint. */
export async function verifyCaseHistory(db: Kysely<Database>, principal: Principal, caseId: string, calendar: WorkingDayCalendar) {
  const found = await getCaseForPrincipal(db, principal, caseId)
  const record: AuditedCase = { id: found.id, number: found.number, status: found.status, version: found.version, lifecycle: found.lifecycle }
  const events = (await eventsOfCases(db, [found.id])).get(found.id) ?? []
  const latest = await latestCheckpoint(db)
  const leaf = latest ? await leafOf(db, latest.sequence, found.id) : undefined
  const findings = checkCase(record, events, leaf, latest?.sequence ?? null, calendar)
  return {
    caseId: found.id,
    valid: findings.problems.length === 0,
    events: events.length,
    lastHash: events.at(-1)?.hash ?? null,
    firstBreak: findings.chainBreak,
    stateMatchesReplay: !findings.problems.some((p) => p.kind === 'state_mismatch' || p.kind === 'replay_failed'),
    checkpoint: latest
      ? {
          sequence: latest.sequence,
          createdAt: latest.createdAt,
          included: leaf !== undefined,
          eventCount: leaf?.eventCount ?? null,
          headHash: leaf?.headHash ?? null,
          extended: leaf === undefined ? null : !findings.problems.some((p) => p.kind === 'truncated' || p.kind === 'rewritten'),
        }
      : null,
    problems: findings.problems,
  }
}

// ---------------------------------------------------------------------------------------------------
// Proof of one case
// ---------------------------------------------------------------------------------------------------

/**
 * A case's Merkle inclusion proof in a checkpoint, or undefined when the case is not in it (submitted later): the
 * leaf's index is counted in SQL, then the leaves are streamed once and the subtree roots of the proof built on the
 * way, so no tree is held in memory.
 */
async function inclusionProofOf(db: Kysely<Database>, checkpoint: StoredCheckpoint, caseId: string) {
  const leaf = await leafOf(db, checkpoint.sequence, caseId)
  if (!leaf) return undefined
  const index = await leafIndexOf(db, checkpoint.sequence, caseId)
  const ranges = inclusionProofRanges(index, checkpoint.caseCount).map((range) => ({ ...range, builder: new MerkleRootBuilder() }))
  let position = 0
  // Large pages: the proof reads every leaf, and at a million cases the round trips dominate.
  for await (const each of paged<StoredLeaf>((after) => leavesAfter(db, checkpoint.sequence, after?.caseId ?? null, PROOF_PAGE), PROOF_PAGE)) {
    const range = ranges.find((r) => position >= r.start && position < r.end)
    if (range) range.builder.add(leafHash(each))
    position++
  }
  const path: ProofStep[] = ranges.map((range) => ({ side: range.side, hash: range.builder.root().toString('hex') }))
  return { leaf: { caseId: leaf.caseId, eventCount: leaf.eventCount, headHash: leaf.headHash }, leafIndex: index, treeSize: checkpoint.caseCount, path }
}

/**
 * The latest signed checkpoint and, when the case is in it, its inclusion proof (leaf, index, path): what a public
 * permit verification shows (src/permits), without the case's events. Null before the first checkpoint.
 */
export async function latestCheckpointWithProof(db: Kysely<Database>, caseId: string) {
  const checkpoint = await latestCheckpoint(db)
  if (!checkpoint) return null
  const proof = await inclusionProofOf(db, checkpoint, caseId)
  return { checkpoint: presentCheckpoint(checkpoint), inclusion: proof ? { leafIndex: proof.leafIndex, treeSize: proof.treeSize, leaf: proof.leaf, path: proof.path } : null }
}

/**
 * A case's events in their sealed form and its Merkle inclusion proof against a checkpoint (the latest unless
 * one is named): the leaf's index is counted in SQL, then the leaves are streamed once and the subtree roots of
 * the proof built on the way, so no tree is held in memory.
 */
export async function caseAuditProof(deps: Pick<AuditDeps, 'db'>, principal: Principal, caseId: string, sequence: number | undefined) {
  const { db } = deps
  const found = await getCaseForPrincipal(db, principal, caseId)
  const checkpoint = sequence === undefined ? await latestCheckpoint(db) : await findCheckpoint(db, sequence)
  if (!checkpoint) {
    throw new NotFoundError(
      sequence === undefined ? 'No audit checkpoint has been taken yet: POST /v1/audit/checkpoints (admin) takes one.' : `There is no audit checkpoint ${sequence}.`,
      'checkpoint_not_found',
    ).withParams(sequence === undefined ? 'none' : 'sequence', sequence === undefined ? {} : { sequence })
  }
  const proof = await inclusionProofOf(db, checkpoint, found.id)
  if (!proof)
    throw new NotFoundError(`Case ${found.number} was submitted after checkpoint ${checkpoint.sequence}: ask for a later checkpoint.`, 'case_not_in_checkpoint').withParams(
      'checkpoint',
      { caseNumber: found.number, sequence: checkpoint.sequence },
    )
  const { leaf, leafIndex: index, path } = proof
  const events = (await eventsOfCases(db, [found.id])).get(found.id) ?? []
  return {
    caseId: found.id,
    caseNumber: found.number,
    events: events.map((event) => ({ sealed: sealedCaseEvent(event), hash: event.hash })),
    leaf: { caseId: leaf.caseId, eventCount: leaf.eventCount, headHash: leaf.headHash },
    leafIndex: index,
    treeSize: checkpoint.caseCount,
    path,
    checkpoint: presentCheckpoint(checkpoint),
    keyId: checkpoint.keyId,
  }
}
