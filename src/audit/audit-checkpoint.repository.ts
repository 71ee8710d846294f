import { sql, type Kysely, type Selectable } from 'kysely'
import type { SignedCheckpoint } from '../core/audit/audit-checkpoint.ts'
import type { CHECKPOINT_FORMAT } from '../core/audit/audit-checkpoint.ts'
import type { AuditCheckpointTable, Database } from '../platform/database/database.types.ts'

/** Any fixed 64-bit number: the transaction-level advisory lock that makes one instance take a checkpoint at a time. */
const CHECKPOINT_LOCK_KEY = 7_316_042_911

/** A checkpoint as stored: the signed record and the unsigned count of cases carried forward. */
export interface StoredCheckpoint extends SignedCheckpoint {
  carriedForward: number
}

function toCheckpoint(row: Selectable<AuditCheckpointTable>): StoredCheckpoint {
  return {
    format: row.format as typeof CHECKPOINT_FORMAT,
    sequence: row.sequence,
    createdAt: row.created_at.toISOString(),
    caseCount: Number(row.case_count),
    eventCount: Number(row.event_count),
    merkleRoot: row.merkle_root,
    previousHash: row.previous_hash,
    keyId: row.key_id,
    hash: row.hash,
    signature: row.signature,
    carriedForward: row.carried_forward,
  }
}

/** Takes the checkpoint lock for the rest of the transaction; `wait: false` answers false at once when another holds it. */
export async function lockCheckpointing(trx: Kysely<Database>, wait: boolean): Promise<boolean> {
  if (wait) {
    await sql`select pg_advisory_xact_lock(${CHECKPOINT_LOCK_KEY}::bigint)`.execute(trx)
    return true
  }
  const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(${CHECKPOINT_LOCK_KEY}::bigint) as locked`.execute(trx)
  return rows[0]?.locked === true
}

export async function latestCheckpoint(db: Kysely<Database>): Promise<StoredCheckpoint | undefined> {
  const row = await db.selectFrom('audit_checkpoint').selectAll().orderBy('sequence', 'desc').limit(1).executeTakeFirst()
  return row ? toCheckpoint(row) : undefined
}

export async function findCheckpoint(db: Kysely<Database>, sequence: number): Promise<StoredCheckpoint | undefined> {
  const row = await db.selectFrom('audit_checkpoint').selectAll().where('sequence', '=', sequence).executeTakeFirst()
  return row ? toCheckpoint(row) : undefined
}

/** Newest first, keyset-paginated on sequence. */
export async function listCheckpoints(db: Kysely<Database>, options: { before?: number | undefined; limit: number }): Promise<StoredCheckpoint[]> {
  let query = db.selectFrom('audit_checkpoint').selectAll()
  if (options.before !== undefined) query = query.where('sequence', '<', options.before)
  return (await query.orderBy('sequence', 'desc').limit(options.limit).execute()).map(toCheckpoint)
}

/** Oldest first, after `after`: the chain is walked in pages. */
export async function checkpointsAfter(db: Kysely<Database>, after: number, limit: number): Promise<StoredCheckpoint[]> {
  return (await db.selectFrom('audit_checkpoint').selectAll().where('sequence', '>', after).orderBy('sequence').limit(limit).execute()).map(toCheckpoint)
}

export async function insertCheckpoint(trx: Kysely<Database>, checkpoint: SignedCheckpoint, carriedForward: number): Promise<void> {
  await trx
    .insertInto('audit_checkpoint')
    .values({
      sequence: checkpoint.sequence,
      format: checkpoint.format,
      created_at: checkpoint.createdAt,
      case_count: checkpoint.caseCount,
      event_count: checkpoint.eventCount,
      merkle_root: checkpoint.merkleRoot,
      previous_hash: checkpoint.previousHash,
      key_id: checkpoint.keyId,
      hash: checkpoint.hash,
      signature: checkpoint.signature,
      carried_forward: carriedForward,
    })
    .execute()
}

export interface StoredLeaf {
  caseId: string
  caseNumber: string
  eventCount: number
  headHash: string
}

export async function insertLeaves(trx: Kysely<Database>, sequence: number, leaves: readonly StoredLeaf[]): Promise<void> {
  if (leaves.length === 0) return
  await trx
    .insertInto('audit_checkpoint_leaf')
    .values(leaves.map((leaf) => ({ case_id: leaf.caseId, sequence, case_number: leaf.caseNumber, event_count: leaf.eventCount, head_hash: leaf.headHash })))
    .execute()
}

/**
 * Up to `limit` leaves of checkpoint `sequence` with case ids after `after`, in case id order: per case, its leaf
 * row of the greatest sequence not above it.
 */
export async function leavesAfter(db: Kysely<Database>, sequence: number, after: string | null, limit: number): Promise<StoredLeaf[]> {
  const { rows } = await sql<{ case_id: string; case_number: string; event_count: number; head_hash: string }>`
    select distinct on (case_id) case_id, case_number, event_count, head_hash
    from audit_checkpoint_leaf
    where sequence <= ${sequence} ${after === null ? sql`` : sql`and case_id > ${after}::uuid`}
    order by case_id, sequence desc
    limit ${limit}`.execute(db)
  return rows.map((row) => ({ caseId: row.case_id, caseNumber: row.case_number, eventCount: row.event_count, headHash: row.head_hash }))
}

/** How many leaves of checkpoint `sequence` sort before `caseId`: the case's leaf index. */
export async function leafIndexOf(db: Kysely<Database>, sequence: number, caseId: string): Promise<number> {
  const { rows } = await sql<{ n: string }>`
    select count(distinct case_id) as n from audit_checkpoint_leaf where sequence <= ${sequence} and case_id < ${caseId}::uuid`.execute(db)
  return Number(rows[0]?.n ?? 0)
}

export async function leafOf(db: Kysely<Database>, sequence: number, caseId: string): Promise<StoredLeaf | undefined> {
  const row = await db
    .selectFrom('audit_checkpoint_leaf')
    .selectAll()
    .where('case_id', '=', caseId)
    .where('sequence', '<=', sequence)
    .orderBy('sequence', 'desc')
    .limit(1)
    .executeTakeFirst()
  return row ? { caseId: row.case_id, caseNumber: row.case_number, eventCount: row.event_count, headHash: row.head_hash } : undefined
}

/** Up to `limit` cases after `after` in id order with their chain's last event (cases without events are left out). */
export async function caseHeadsAfter(db: Kysely<Database>, after: string | null, limit: number): Promise<StoredLeaf[]> {
  const { rows } = await sql<{ id: string; number: string; seq: number; hash: string }>`
    select c.id, c.number, e.seq, e.hash
    from "case" c
    cross join lateral (select seq, hash from case_event where case_id = c.id order by seq desc limit 1) e
    ${after === null ? sql`` : sql`where c.id > ${after}::uuid`}
    order by c.id
    limit ${limit}`.execute(db)
  return rows.map((row) => ({ caseId: row.id, caseNumber: row.number, eventCount: row.seq, headHash: row.hash }))
}

/** The hashes of the given (case, seq) events that exist, keyed `${caseId}:${seq}`. */
export async function eventHashesAt(db: Kysely<Database>, at: readonly { caseId: string; seq: number }[]): Promise<Map<string, string>> {
  const found = new Map<string, string>()
  if (at.length === 0) return found
  const { rows } = await sql<{ case_id: string; seq: number; hash: string }>`
    select e.case_id, e.seq, e.hash
    from case_event e
    join (select * from unnest(${at.map((a) => a.caseId)}::uuid[], ${at.map((a) => a.seq)}::int[]) as wanted(case_id, seq)) w
      on w.case_id = e.case_id and w.seq = e.seq`.execute(db)
  for (const row of rows) found.set(`${row.case_id}:${row.seq}`, row.hash)
  return found
}
