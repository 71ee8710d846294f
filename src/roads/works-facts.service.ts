/**
 * The facts about where works are that the service establishes itself, before a route is decided: the
 * geometry is usable (core/geo/geometry-validation.ts), its measured length, and the register roads it runs
 * along or crosses. Read through the pool BEFORE the intake transaction opens (team rule: a transaction
 * waiting for a second pool connection can deadlock).
 */
import type { Geometry } from '../core/geo/geometry.schema.ts'
import { geometryIssuesAt } from '../core/geo/geometry-validation.ts'
import { geographyOf, geometryLimitsOf } from '../core/rules/geography.ts'
import type { RuleSet } from '../core/rules/rule-set.schema.ts'
import { ValidationFailedError } from '../platform/errors/domain-errors.ts'

/**
 * Throws a 422 `invalid_geometry` naming each fault's path (`location.geometry.coordinates.3`) when the
 * geometry breaks the rule set's limits; the shape (types, ranges, closed rings) is the schema's 400.
 */
export function assertUsableWorksGeometry(ruleSet: Pick<RuleSet, 'parameters'>, geometry: Geometry | undefined, path = 'location.geometry'): void {
  if (geometry === undefined) return
  const issues = geometryIssuesAt(path, geometry, geometryLimitsOf(geographyOf(ruleSet)))
  if (issues.length === 0) return
  throw new ValidationFailedError(`The works geometry cannot be used: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`, issues, 'invalid_geometry')
}
