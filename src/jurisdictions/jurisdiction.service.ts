import type { Kysely } from 'kysely'
import type { Database } from '../platform/database/database.types.ts'
import { ConflictError, NotFoundError, ValidationFailedError } from '../platform/errors/domain-errors.ts'
import { type Jurisdiction, type JurisdictionValues, listJurisdictions, upsertJurisdiction } from './jurisdiction.repository.ts'
import { type Clock, isFresh } from '../platform/clock.ts'

/**
 * The jurisdictions, cached per instance like the rule sets (a handful of rows read on every intake); a change made
 * through another instance is seen within `refreshMs`. Read before any transaction opens (team rule: pool data first).
 */
export class JurisdictionService {
  #all: Jurisdiction[] = []
  #loadedAt: number | null = null

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly refreshMs = 10_000,
  ) {}

  async all(): Promise<Jurisdiction[]> {
    if (isFresh(this.#loadedAt, this.clock.now().getTime(), this.refreshMs)) return this.#all
    this.#all = await listJurisdictions(this.db)
    this.#loadedAt = this.clock.now().getTime()
    return this.#all
  }

  async find(code: string): Promise<Jurisdiction> {
    const found = (await this.all()).find((j) => j.code === code)
    if (!found) throw new NotFoundError(`No jurisdiction ${code}.`, 'jurisdiction_not_found').withParams('code', { code })
    return found
  }

  /** The deployment's default jurisdiction (Zhangzhou unless an admin made another the default). */
  async defaultJurisdiction(): Promise<Jurisdiction> {
    const found = (await this.all()).find((j) => j.isDefault) ?? (await this.all())[0]
    if (!found) throw new Error('no jurisdiction is configured')
    return found
  }

  /**
   * The jurisdiction a request names (`path` is the field it came in), or else `fallback`; an unknown code is a 422
   * on that field, never a 404 of the whole request.
   */
  async resolve(code: string | undefined, path: string, fallback?: string | null): Promise<Jurisdiction> {
    const wanted = code ?? fallback ?? undefined
    if (wanted === undefined) return await this.defaultJurisdiction()
    const found = (await this.all()).find((j) => j.code === wanted)
    if (!found)
      throw new ValidationFailedError(`No jurisdiction has the code ${wanted}.`, [{ path, message: 'unknown jurisdiction code' }], 'unknown_jurisdiction').withParams('code', {
        code: wanted,
      })
    return found
  }

  async put(code: string, values: JurisdictionValues, knownRuleSetIds: ReadonlySet<string>, keyId: string): Promise<{ jurisdiction: Jurisdiction; created: boolean }> {
    if (!knownRuleSetIds.has(values.ruleSetId)) {
      throw new ValidationFailedError(
        `No rule set ${values.ruleSetId}: publish it first (POST /v1/rule-sets).`,
        [{ path: 'ruleSetId', message: 'unknown rule set' }],
        'unknown_rule_set',
      ).withParams('id', { id: values.ruleSetId })
    }
    const current = (await listJurisdictions(this.db)).find((j) => j.code === code)
    if (current?.isDefault && !values.isDefault) {
      throw new ConflictError(`${code} is the deployment's default jurisdiction: make another one the default instead.`, 'default_jurisdiction_required').withParams('code', {
        code,
      })
    }
    const result = await upsertJurisdiction(this.db, code, values, this.clock.now(), keyId)
    if (!result)
      throw new ConflictError(`The case-number prefix ${values.caseNumberPrefix} belongs to another jurisdiction.`, 'case_number_prefix_taken').withParams('prefix', {
        prefix: values.caseNumberPrefix,
      })
    this.#loadedAt = null
    return result
  }
}
