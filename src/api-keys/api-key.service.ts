import { ROLE_ZH } from '../core/lifecycle/terms-zh.ts'
import type { Kysely } from 'kysely'
import type { Database } from '../platform/database/database.types.ts'
import { NotFoundError, ValidationFailedError } from '../platform/errors/domain-errors.ts'
import { defaultJurisdictionCode, ensureOrganization, jurisdictionExists } from '../organizations/organization.repository.ts'
import type { Principal, Role } from '../core/access/principal.ts'
import { generateApiKey } from './api-key.ts'
import { findApiKey, findPrincipalByHash, insertApiKey, listApiKeys, revokeApiKey, type ApiKeyRecord } from './api-key.repository.ts'

export const ORGANIZATION_CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{1,31}$/

export interface CreateApiKeyInput {
  role: Role
  organizationCode?: string | undefined
  /**
   * The jurisdiction an office or auditor key is scoped to (an office key defaults to the deployment's default, an
   * auditor key spans all without one); for a dispatch key, the jurisdiction of an organization created on first use
   * (an existing organization keeps its own; naming another is an error).
   */
  jurisdictionCode?: string | undefined
  name?: string | undefined
  createdByKeyId?: string | null
}

/** Creates a key; the secret is returned once and only its hash is stored. */
export async function createApiKey(db: Kysely<Database>, input: CreateApiKeyInput): Promise<{ key: string; record: ApiKeyRecord }> {
  if (input.role === 'dispatch' && !input.organizationCode) {
    throw new ValidationFailedError('A dispatch key belongs to one organization: give its code.', [{ path: 'organization', message: 'required for the dispatch role' }]).withParams(
      'dispatch_organization_required',
    )
  }
  // Only a dispatch key is confined to an organization (core/access): on any other role an organization would be
  // stored and shown but mean nothing, so a caller who thinks it limits the key is told instead.
  if (input.role !== 'dispatch' && input.organizationCode !== undefined) {
    throw new ValidationFailedError(`Only a dispatch key belongs to an organization; an ${input.role} key sees every organization: leave organization out.`, [
      { path: 'organization', message: `not allowed for the ${input.role} role (only dispatch keys belong to an organization)` },
    ]).withParams('organization_not_allowed', { role: input.role, roleZh: ROLE_ZH[input.role] })
  }
  if (input.organizationCode !== undefined && !ORGANIZATION_CODE_PATTERN.test(input.organizationCode)) {
    throw new ValidationFailedError('An organization code is 2 to 32 letters, digits, "-" or "_".', [
      { path: 'organization', message: 'must match ^[A-Za-z0-9][A-Za-z0-9_-]{1,31}$' },
    ]).withParams('organization_code_format')
  }
  if (input.role === 'admin' && input.jurisdictionCode !== undefined) {
    throw new ValidationFailedError('An admin key spans every jurisdiction.', [{ path: 'jurisdiction', message: 'not allowed for the admin role' }]).withParams(
      'admin_jurisdiction',
    )
  }
  return await db.transaction().execute(async (trx) => {
    if (input.jurisdictionCode !== undefined && !(await jurisdictionExists(trx, input.jurisdictionCode))) {
      throw new ValidationFailedError(`No jurisdiction has the code ${input.jurisdictionCode} (GET /v1/jurisdictions).`, [
        { path: 'jurisdiction', message: 'unknown jurisdiction code' },
      ]).withParams('unknown_jurisdiction', { code: input.jurisdictionCode })
    }
    const defaultCode = await defaultJurisdictionCode(trx)
    const organization = input.organizationCode ? await ensureOrganization(trx, input.organizationCode, input.jurisdictionCode ?? defaultCode) : undefined
    if (organization && input.jurisdictionCode !== undefined && organization.jurisdictionCode !== input.jurisdictionCode) {
      throw new ValidationFailedError(`Organization ${organization.code} belongs to ${organization.jurisdictionCode}.`, [
        { path: 'jurisdiction', message: `must be ${organization.jurisdictionCode} (the organization's) or omitted` },
      ]).withParams('organization_jurisdiction', { organization: organization.code, jurisdiction: organization.jurisdictionCode })
    }
    // A dispatch key's jurisdiction is its organization's (read through it); an office key always has one.
    const jurisdictionCode = input.role === 'office' ? (input.jurisdictionCode ?? defaultCode) : input.role === 'auditor' ? (input.jurisdictionCode ?? null) : null
    const generated = generateApiKey()
    const id = await insertApiKey(trx, {
      prefix: generated.prefix,
      hash: generated.hash,
      role: input.role,
      organizationId: organization?.id ?? null,
      jurisdictionCode,
      name: input.name ?? null,
      createdByKeyId: input.createdByKeyId ?? null,
    })
    const record = await findApiKey(trx, id)
    if (!record) throw new Error('api key vanished after insert')
    return { key: generated.key, record }
  })
}

export async function listApiKeyRecords(db: Kysely<Database>): Promise<ApiKeyRecord[]> {
  return await listApiKeys(db)
}

/** Revokes a key at `at`; the key as it is now (revoking a revoked key changes nothing). 404 for an unknown id. */
export async function revokeApiKeyById(db: Kysely<Database>, id: string, at: Date): Promise<ApiKeyRecord> {
  const existing = await findApiKey(db, id)
  if (!existing) throw new NotFoundError(`No API key ${id}.`).withParams('api_key', { id })
  if (await revokeApiKey(db, existing.id, at)) return { ...existing, revokedAt: at }
  return existing
}

/** The principal the API key with this hash (hashApiKey) stands for, or null for an unknown or revoked key. */
export async function principalByKeyHash(db: Kysely<Database>, hash: string): Promise<Principal | null> {
  return (await findPrincipalByHash(db, hash)) ?? null
}
