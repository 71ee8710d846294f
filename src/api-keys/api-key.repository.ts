import { sql, type Kysely } from 'kysely'
import type { Database } from '../platform/database/database.types.ts'
import type { Principal, Role } from '../core/access/principal.ts'

export interface ApiKeyRecord {
  id: string
  prefix: string
  role: Role
  organizationCode: string | null
  /** null: spans every jurisdiction. */
  jurisdictionCode: string | null
  name: string | null
  createdAt: Date
  revokedAt: Date | null
}

const columns = [
  'api_key.id',
  'api_key.prefix',
  'api_key.role',
  'organization.code as organizationCode',
  sql<string | null>`coalesce(api_key.jurisdiction_code, case when api_key.role = 'dispatch' then organization.jurisdiction_code end)`.as('jurisdictionCode'),
  'api_key.name',
  'api_key.created_at as createdAt',
  'api_key.revoked_at as revokedAt',
] as const

export async function insertApiKey(
  db: Kysely<Database>,
  values: { prefix: string; hash: string; role: Role; organizationId: string | null; jurisdictionCode: string | null; name: string | null; createdByKeyId: string | null },
): Promise<string> {
  const row = await db
    .insertInto('api_key')
    .values({
      prefix: values.prefix,
      key_hash: values.hash,
      role: values.role,
      organization_id: values.organizationId,
      jurisdiction_code: values.jurisdictionCode,
      name: values.name,
      created_by_key_id: values.createdByKeyId,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

export async function findPrincipalByHash(db: Kysely<Database>, hash: string): Promise<Principal | undefined> {
  const row = await db
    .selectFrom('api_key')
    .leftJoin('organization', 'organization.id', 'api_key.organization_id')
    .select([
      'api_key.id',
      'api_key.role',
      'api_key.organization_id',
      'organization.code',
      'api_key.jurisdiction_code',
      'organization.jurisdiction_code as organization_jurisdiction_code',
    ])
    .where('api_key.key_hash', '=', hash)
    .where('api_key.revoked_at', 'is', null)
    .executeTakeFirst()
  if (!row) return undefined
  // A dispatch key's jurisdiction is its organization's.
  const jurisdictionCode = row.role === 'dispatch' ? row.organization_jurisdiction_code : row.jurisdiction_code
  return { keyId: row.id, role: row.role, organizationId: row.organization_id, organizationCode: row.code, jurisdictionCode }
}

export async function findApiKey(db: Kysely<Database>, id: string): Promise<ApiKeyRecord | undefined> {
  return await db.selectFrom('api_key').leftJoin('organization', 'organization.id', 'api_key.organization_id').select(columns).where('api_key.id', '=', id).executeTakeFirst()
}

export async function listApiKeys(db: Kysely<Database>): Promise<ApiKeyRecord[]> {
  return await db
    .selectFrom('api_key')
    .leftJoin('organization', 'organization.id', 'api_key.organization_id')
    .select(columns)
    .orderBy('api_key.created_at', 'desc')
    .orderBy('api_key.id')
    .execute()
}

export async function revokeApiKey(db: Kysely<Database>, id: string, at: Date): Promise<boolean> {
  const result = await db.updateTable('api_key').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}
