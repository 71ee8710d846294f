import type { Kysely } from 'kysely'
import { compareCivilDates, shanghaiDateOf } from '../core/calendar/civil-date.ts'
import { latestCheckpointWithProof, publicKeyOf, type AuditDeps } from '../audit/audit.service.ts'
import type { Clock } from '../platform/clock.ts'
import type { Database } from '../platform/database/database.types.ts'
import { NotFoundError } from '../platform/errors/domain-errors.ts'
import { findPermitCase, type PermitCase } from './permit.repository.ts'
import type { PermitVerification } from './permit.schema.ts'

export interface PermitDeps {
  db: Kysely<Database>
  clock: Clock
  audit: Pick<AuditDeps, 'signingKey'>
}

/** Whether the permit is in force today, and why (docs: valid only while issued, approved or digging, within its period). */
function validityOf(found: PermitCase, today: string): Pick<PermitVerification, 'valid' | 'validity'> {
  const decision = found.decision
  switch (found.status) {
    case 'approved':
    case 'works_started': {
      if (!decision?.permitIssuedAt) return { valid: false, validity: 'not_yet_issued' }
      const period = decision.approvedPeriod
      if (period && compareCivilDates(today, period.to) > 0) return { valid: false, validity: 'period_ended' }
      return { valid: true, validity: 'in_force' }
    }
    case 'works_completed':
    case 'reinstatement_failed':
    case 'reinstatement_passed':
      return { valid: false, validity: 'works_completed' }
    case 'closed':
      return { valid: false, validity: 'closed' }
    default:
      return { valid: false, validity: 'not_in_force' }
  }
}

/**
 * Public verification of a printed permit (its QR code): the number, status, approved position and period, and the
 * case's hash chain head with the latest signed checkpoint and inclusion proof. Nothing personal. A case that was
 * never approved, or does not exist, is the same 404: the answer never tells that an unapproved case exists.
 */
export async function verifyPermit(deps: PermitDeps, caseNumber: string): Promise<PermitVerification> {
  const found = await findPermitCase(deps.db, caseNumber)
  const decision = found?.decision
  if (found === undefined || decision?.outcome !== 'approved') {
    throw new NotFoundError(
      `No approved permit has the number ${caseNumber}. Check the number printed on the permit (e.g. ZZ-2026-000123), or ask the issuing road authority.`,
      'permit_not_found',
    ).withParams('number', { caseNumber })
  }
  const today = shanghaiDateOf(deps.clock.now())
  const proof = await latestCheckpointWithProof(deps.db, found.id)
  let publicKey: NonNullable<PermitVerification['checkpoint']>['publicKey'] = null
  if (proof) {
    const current = await publicKeyOf(deps.audit)
    publicKey = current.keyId === proof.checkpoint.keyId ? current : null
  }
  return {
    caseNumber: found.number,
    status: found.status,
    ...validityOf(found, today),
    approvedPosition: { district: found.district, roadName: found.roadName, roads: found.roads, position: decision.approvedPosition },
    approvedPeriod: decision.approvedPeriod ? { startDate: decision.approvedPeriod.from, endDate: decision.approvedPeriod.to } : null,
    approvingAuthority: decision.authority,
    permitIssuedAt: decision.permitIssuedAt,
    history: { headHash: found.headHash, eventCount: found.eventCount },
    checkpoint: proof ? { signed: proof.checkpoint, publicKey, inclusion: proof.inclusion } : null,
  }
}
