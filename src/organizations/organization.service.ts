import type { Kysely } from 'kysely'
import { confinedOrganizationId, organizationScopeOf, type Principal, type Role } from '../core/access/principal.ts'
import type { Database } from '../platform/database/database.types.ts'
import { ValidationFailedError } from '../platform/errors/domain-errors.ts'
import { findOrganizationByCode } from './organization.repository.ts'

/** The one organization resolver: who a write is for, and which organization a list covers. */
export interface OrganizationRef {
  id: string
  code: string
  jurisdictionCode: string
}

export interface ActingPurpose {
  /** Detail when a dispatch key names another organization, e.g. "A dispatch key submits for its own organization only." */
  ownOnly: string
  /** Detail and field message when a key of another role names none. */
  required: { detail: string; message: (role: Role) => string }
}

/**
 * The organization a write acts for: a dispatch key always its own (naming another is a 422 on `organization`);
 * any other key must name an existing organization by code (it acts on an applicant's behalf).
 */
export async function resolveActingOrganization(db: Kysely<Database>, principal: Principal, requestedCode: string | undefined, purpose: ActingPurpose): Promise<OrganizationRef> {
  const own = confinedOrganizationId(principal)
  if (own !== undefined) {
    if (requestedCode && requestedCode !== principal.organizationCode) {
      throw new ValidationFailedError(purpose.ownOnly, [{ path: 'organization', message: `must be ${principal.organizationCode} or omitted` }])
    }
    // The key's principal carries its organization's jurisdiction (api-key.repository.ts); read it if one does not.
    const jurisdictionCode = principal.jurisdictionCode ?? (await findOrganizationByCode(db, principal.organizationCode as string))?.jurisdictionCode
    if (!jurisdictionCode) throw new Error(`organization ${principal.organizationCode} vanished`)
    return { id: own, code: principal.organizationCode as string, jurisdictionCode }
  }
  if (!requestedCode) throw new ValidationFailedError(purpose.required.detail, [{ path: 'organization', message: purpose.required.message(principal.role) }])
  const organization = await findOrganizationByCode(db, requestedCode)
  if (!organization)
    throw new ValidationFailedError(`No organization has the code ${requestedCode}.`, [{ path: 'organization', message: 'unknown organization code' }]).withParams(
      'unknown_organization',
      { code: requestedCode },
    )
  return { id: organization.id, code: organization.code, jurisdictionCode: organization.jurisdictionCode }
}

/**
 * The organization filter of a list for this principal and an optional `organization` query: undefined for every
 * organization, null when the list is empty by definition (another organization asked for by a dispatch key, or
 * an unknown code), otherwise the organization's id.
 */
export async function resolveListOrganization(db: Kysely<Database>, principal: Principal, requestedCode: string | undefined): Promise<string | null | undefined> {
  const scope = organizationScopeOf(principal, requestedCode)
  switch (scope.kind) {
    case 'all':
      return undefined
    case 'none':
      return null
    case 'id':
      return scope.id
    case 'code':
      return (await findOrganizationByCode(db, scope.code))?.id ?? null
  }
}
