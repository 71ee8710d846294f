import type { Kysely } from 'kysely'
import type { Principal } from '../core/access/principal.ts'
import type { Database } from '../platform/database/database.types.ts'
import { listCaseEvents, type CaseEvent } from './case-event.repository.ts'
import { getCaseForPrincipal } from './case.service.ts'

/** A case's history, oldest first, if the principal may see the case. */
export async function caseHistoryFor(db: Kysely<Database>, principal: Principal, caseId: string): Promise<CaseEvent[]> {
  const found = await getCaseForPrincipal(db, principal, caseId)
  return await listCaseEvents(db, found.id)
}
