import type { Kysely } from 'kysely'
import type { Database } from '../platform/database/database.types.ts'

export interface Organization {
  id: string
  code: string
  name: string
  jurisdictionCode: string
}

export async function findOrganizationByCode(db: Kysely<Database>, code: string): Promise<Organization | undefined> {
  return await db.selectFrom('organization').select(['id', 'code', 'name', 'jurisdiction_code as jurisdictionCode']).where('code', '=', code).executeTakeFirst()
}

/** The deployment's default jurisdiction (GET /v1/jurisdictions: isDefault), for writes that name none. */
export async function defaultJurisdictionCode(db: Kysely<Database>): Promise<string> {
  const row = await db.selectFrom('jurisdiction').select('code').orderBy('is_default', 'desc').orderBy('code').executeTakeFirstOrThrow()
  return row.code
}

export async function jurisdictionExists(db: Kysely<Database>, code: string): Promise<boolean> {
  return (await db.selectFrom('jurisdiction').select('code').where('code', '=', code).executeTakeFirst()) !== undefined
}

/** Organizations are created on first use (an API key for a new organization code creates it): an insert that tolerates a concurrent twin. */
export async function ensureOrganization(db: Kysely<Database>, code: string, jurisdictionCode: string, name?: string): Promise<Organization> {
  await db
    .insertInto('organization')
    .values({ code, name: name ?? code, jurisdiction_code: jurisdictionCode })
    .onConflict((oc) => oc.column('code').doNothing())
    .execute()
  const organization = await findOrganizationByCode(db, code)
  if (!organization) throw new Error(`organization ${code} vanished after insert`)
  return organization
}
