import type { Kysely } from 'kysely'
import type { Database } from '../platform/database/database.types.ts'

export interface Organization {
  id: string
  code: string
  name: string
}

export async function findOrganizationByCode(db: Kysely<Database>, code: string): Promise<Organization | undefined> {
  return await db.selectFrom('organization').select(['id', 'code', 'name']).where('code', '=', code).executeTakeFirst()
}

/** Organizations are created on first use (an API key for a new organization code creates it): an insert that tolerates a concurrent twin. */
export async function ensureOrganization(db: Kysely<Database>, code: string, name?: string): Promise<Organization> {
  await db
    .insertInto('organization')
    .values({ code, name: name ?? code })
    .onConflict((oc) => oc.column('code').doNothing())
    .execute()
  const organization = await findOrganizationByCode(db, code)
  if (!organization) throw new Error(`organization ${code} vanished after insert`)
  return organization
}
