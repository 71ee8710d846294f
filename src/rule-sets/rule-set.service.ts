import type { Kysely } from 'kysely'
import { shanghaiDateOf, type CivilDate } from '../core/calendar/civil-date.ts'
import type { Database } from '../platform/database/database.types.ts'
import { ConflictError, NotFoundError, ValidationFailedError } from '../platform/errors/domain-errors.ts'
import { DEFAULT_RULE_SET } from '../core/rules/default-rule-set.ts'
import { CITY_RULE_SETS } from '../core/rules/city-rule-sets.ts'
import { selectRuleSet } from '../core/rules/route-decision.ts'
import type { RuleSet } from '../core/rules/rule-set.schema.ts'
import { validateRuleSetParameters } from '../core/rules/rule-set.validation.ts'
import { isFresh, type Clock } from '../platform/clock.ts'
import { insertRuleSet, listRuleSets, type StoredRuleSet } from './rule-set.repository.ts'

/**
 * The rule sets, cached per instance (they are few and change rarely). A version published through
 * another instance is picked up within `refreshMs` on the injected clock; it can only take effect on a future date anyway.
 */
export class RuleSetService {
  #ruleSets: StoredRuleSet[] = []
  /** When the copy was read, on the injected clock (ms); null before the first read. */
  #loadedAt: number | null = null
  #loading: Promise<StoredRuleSet[]> | undefined

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly refreshMs = 10_000,
  ) {}

  /**
   * The 2019 notice's rule set is a historical fact: stored once, never changed; so are the first versions of the
   * other shipped jurisdictions' rule sets (core/rules/city-rule-sets.ts, migration 2026-12-01T0600).
   */
  async seedDefault(): Promise<void> {
    await insertRuleSet(this.db, DEFAULT_RULE_SET, null)
    for (const ruleSet of CITY_RULE_SETS) await insertRuleSet(this.db, ruleSet, null)
  }

  async all(): Promise<StoredRuleSet[]> {
    if (isFresh(this.#loadedAt, this.clock.now().getTime(), this.refreshMs)) return this.#ruleSets
    this.#loading ??= this.#reload().finally(() => {
      this.#loading = undefined
    })
    return await this.#loading
  }

  async #reload(): Promise<StoredRuleSet[]> {
    this.#ruleSets = await listRuleSets(this.db)
    this.#loadedAt = this.clock.now().getTime()
    return this.#ruleSets
  }

  /** The version in force on a date (Asia/Shanghai) for a rule-set id. */
  async inForce(onDate: CivilDate, id = DEFAULT_RULE_SET.id): Promise<StoredRuleSet> {
    const candidates = (await this.all()).filter((r) => r.id === id)
    const selected = selectRuleSet(candidates, onDate) as StoredRuleSet | undefined
    if (!selected) throw new NotFoundError(`No version of rule set ${id} is in force on ${onDate}.`, 'rule_set_not_in_force').withParams('date', { id, date: onDate })
    return selected
  }

  async find(id: string, version: number): Promise<StoredRuleSet | undefined> {
    return (await this.all()).find((r) => r.id === id && r.version === version)
  }

  /**
   * Publishes a new version. It must take effect in the future (today's cases keep the rules they were
   * decided under) and pass the band and stage-plan checks.
   */
  async publish(input: Omit<RuleSet, 'version'> & { version?: number | undefined }, createdByKeyId: string): Promise<StoredRuleSet> {
    const today = shanghaiDateOf(this.clock.now())
    const issues = validateRuleSetParameters(input.parameters)
    if (input.effectiveFrom <= today) {
      issues.unshift({ path: 'effectiveFrom', message: `must be after today (${today}, Asia/Shanghai): a new version only takes effect in the future` })
    }
    if (issues.length > 0) {
      throw new ValidationFailedError(`The rule set is not valid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues, 'invalid_rule_set')
    }
    const existing = (await this.#reload()).filter((r) => r.id === input.id)
    const latest = existing.reduce((max, r) => Math.max(max, r.version), 0)
    const version = input.version ?? latest + 1
    if (version <= latest) {
      throw new ConflictError(`Rule set ${input.id} already has version ${latest}; a new version must be greater.`, 'rule_set_version_exists', {
        latestVersion: latest,
      }).withParams('latest', {
        id: input.id,
        latestVersion: latest,
      })
    }
    const ruleSet: RuleSet = { ...input, version }
    if (!(await insertRuleSet(this.db, ruleSet, createdByKeyId))) {
      throw new ConflictError(`Rule set ${input.id} version ${version} was published concurrently.`, 'rule_set_version_exists')
    }
    const stored = (await this.#reload()).find((r) => r.id === input.id && r.version === version)
    if (!stored) throw new Error('rule set vanished after insert')
    return stored
  }
}
