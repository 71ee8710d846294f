import type { Kysely } from 'kysely'
import type { Database } from '../platform/database/database.types.ts'
import { ValidationFailedError } from '../platform/errors/domain-errors.ts'
import { ensureOrganization } from '../organizations/organization.repository.ts'
import type { Role } from '../core/access/principal.ts'
import { generateApiKey } from './api-key.ts'
import { findApiKey, insertApiKey, type ApiKeyRecord } from './api-key.repository.ts'

export const ORGANIZATION_CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{1,31}$/

export interface CreateApiKeyInput {
  role: Role
  organizationCode?: string | undefined
  name?: string | undefined
  createdByKeyId?: string | null
}

/** Creates a key; the secret is returned once and only its hash is stored. */
export async function createApiKey(db: Kysely<Database>, input: CreateApiKeyInput): Promise<{ key: string; record: ApiKeyRecord }> {
  if (input.role === 'dispatch' && !input.organizationCode) {
    throw new ValidationFailedError('A dispatch key belongs to one organization: give its code.', [
      { path: 'organization', message: 'required for the dispatch role' },
    ])
  }
  if (input.organizationCode !== undefined && !ORGANIZATION_CODE_PATTERN.test(input.organizationCode)) {
    throw new ValidationFailedError('An organization code is 2 to 32 letters, digits, "-" or "_".', [
      { path: 'organization', message: 'must match ^[A-Za-z0-9][A-Za-z0-9_-]{1,31}$' },
    ])
  }
  return await db.transaction().execute(async (trx) => {
    const organization = input.organizationCode ? await ensureOrganization(trx, input.organizationCode) : undefined
    const generated = generateApiKey()
    const id = await insertApiKey(trx, {
      prefix: generated.prefix,
      hash: generated.hash,
      role: input.role,
      organizationId: organization?.id ?? null,
      name: input.name ?? null,
      createdByKeyId: input.createdByKeyId ?? null,
    })
    const record = await findApiKey(trx, id)
    if (!record) throw new Error('api key vanished after insert')
    return { key: generated.key, record }
  })
}
