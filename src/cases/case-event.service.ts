import type { Kysely } from 'kysely'
import { verifyCaseEventChain, type ChainBreak } from '../core/audit/case-event-hash.ts'
import type { Principal } from '../core/access/principal.ts'
import type { Database } from '../platform/database/database.types.ts'
import { listCaseEvents, type CaseEvent } from './case-event.repository.ts'
import { getCaseForPrincipal } from './case.service.ts'

/** A case's history, oldest first, if the principal may see the case. */
export async function caseHistoryFor(db: Kysely<Database>, principal: Principal, caseId: string): Promise<CaseEvent[]> {
  const found = await getCaseForPrincipal(db, principal, caseId)
  return await listCaseEvents(db, found.id)
}

/** Recomputes the case's hash chain and reports the first break. */
export async function verifyCaseHistory(db: Kysely<Database>, principal: Principal, caseId: string) {
  const found = await getCaseForPrincipal(db, principal, caseId)
  const events = await listCaseEvents(db, found.id)
  const firstBreak: ChainBreak | null = verifyCaseEventChain(events)
  return { caseId: found.id, valid: firstBreak === null, events: events.length, lastHash: events.at(-1)?.hash ?? null, firstBreak }
}
