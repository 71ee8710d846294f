import type { Kysely, Selectable } from 'kysely'
import type { Database, JurisdictionTable } from '../platform/database/database.types.ts'

/** A city's green channel: who it is, how its case numbers start, where it is, and which rule set it uses. */
export interface Jurisdiction {
  code: string
  name: { zh: string; en: string }
  caseNumberPrefix: string
  /** WGS 84 degrees [west, south, east, north] (RFC 7946 §5). */
  bbox: [number, number, number, number]
  timeZone: string
  ruleSetId: string
  isDefault: boolean
  updatedAt: Date
}

function toJurisdiction(row: Selectable<JurisdictionTable>): Jurisdiction {
  return {
    code: row.code,
    name: { zh: row.name_zh, en: row.name_en },
    caseNumberPrefix: row.case_number_prefix,
    bbox: [row.bbox_west, row.bbox_south, row.bbox_east, row.bbox_north],
    timeZone: row.time_zone,
    ruleSetId: row.rule_set_id,
    isDefault: row.is_default,
    updatedAt: row.updated_at,
  }
}

export async function listJurisdictions(db: Kysely<Database>): Promise<Jurisdiction[]> {
  return (await db.selectFrom('jurisdiction').selectAll().orderBy('code').execute()).map(toJurisdiction)
}

export type JurisdictionValues = Omit<Jurisdiction, 'code' | 'updatedAt'>

/**
 * Creates or replaces a jurisdiction; making it the default takes the flag from the previous default in the same
 * transaction (a partial unique index keeps one). Undefined when the case-number prefix is another jurisdiction's.
 */
export async function upsertJurisdiction(
  db: Kysely<Database>,
  code: string,
  values: JurisdictionValues,
  at: Date,
  keyId: string,
): Promise<{ jurisdiction: Jurisdiction; created: boolean } | undefined> {
  return await db.transaction().execute(async (trx) => {
    const prefixOwner = await trx.selectFrom('jurisdiction').select('code').where('case_number_prefix', '=', values.caseNumberPrefix).where('code', '<>', code).executeTakeFirst()
    if (prefixOwner) return undefined
    if (values.isDefault) await trx.updateTable('jurisdiction').set({ is_default: false }).where('is_default', '=', true).where('code', '<>', code).execute()
    const columns = {
      name_zh: values.name.zh,
      name_en: values.name.en,
      case_number_prefix: values.caseNumberPrefix,
      bbox_west: values.bbox[0],
      bbox_south: values.bbox[1],
      bbox_east: values.bbox[2],
      bbox_north: values.bbox[3],
      time_zone: values.timeZone,
      rule_set_id: values.ruleSetId,
      is_default: values.isDefault,
      updated_at: at,
      updated_by_key_id: keyId,
    }
    const existed = await trx.selectFrom('jurisdiction').select('code').where('code', '=', code).forUpdate().executeTakeFirst()
    const row = await trx
      .insertInto('jurisdiction')
      .values({ code, ...columns })
      .onConflict((oc) => oc.column('code').doUpdateSet(columns))
      .returningAll()
      .executeTakeFirstOrThrow()
    return { jurisdiction: toJurisdiction(row), created: existed === undefined }
  })
}
