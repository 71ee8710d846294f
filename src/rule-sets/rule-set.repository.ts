import type { Kysely } from 'kysely'
import type { Database } from '../platform/database/database.types.ts'
import type { RuleSet } from '../core/rules/rule-set.schema.ts'

export interface StoredRuleSet extends RuleSet {
  createdAt: Date
  createdByKeyId: string | null
}

export async function listRuleSets(db: Kysely<Database>): Promise<StoredRuleSet[]> {
  const rows = await db.selectFrom('rule_set').selectAll().orderBy('id').orderBy('version').execute()
  return rows.map((row) => ({
    id: row.id,
    version: row.version,
    effectiveFrom: row.effective_from,
    name: row.name,
    ...(row.description === null ? {} : { description: row.description }),
    parameters: row.parameters as unknown as RuleSet['parameters'],
    createdAt: row.created_at,
    createdByKeyId: row.created_by_key_id,
  }))
}

/** Inserts a version; returns false when that (id, version) exists already (the caller decides whether that is an error). */
export async function insertRuleSet(db: Kysely<Database>, ruleSet: RuleSet, createdByKeyId: string | null): Promise<boolean> {
  const inserted = await db
    .insertInto('rule_set')
    .values({
      id: ruleSet.id,
      version: ruleSet.version,
      effective_from: ruleSet.effectiveFrom,
      name: ruleSet.name,
      description: ruleSet.description ?? null,
      parameters: JSON.stringify(ruleSet.parameters),
      created_by_key_id: createdByKeyId,
    })
    .onConflict((oc) => oc.columns(['id', 'version']).doNothing())
    .returning('version')
    .executeTakeFirst()
  return inserted !== undefined
}
