/**
 * Semantic checks of a rule set, on top of its zod shape (rule-set.schema.ts). A rule set that passes
 * these checks decides every valid application exactly once: every voltage falls in exactly one tier,
 * every length in exactly one band of that tier, every route reached has its terms, and the joint-review
 * stages add up to the joint-review time limit ("4+2+1+1" = 8 working days). It also runs: every plan it
 * gives a case is one the lifecycle (src/core/lifecycle) can take from submission to its end — a joint
 * review has a decision and an issuance stage, the emergency formalities are counted in hours, the
 * statutory clock of the other routes in working days, and an extension adds at least one working day.
 *
 * Issues carry a dotted path into the rule set (`parameters.voltageTiers.1.min`) and a message a person
 * editing the rule set can act on.
 */
import { checkSupervisionAndReasonCodes } from './supervision.validation.ts'
import { behaviourOf, ROUTE_BEHAVIOURS, type RouteBehaviour } from './route-behaviour.ts'
import {
  formatQuantity,
  isExactQuantity,
  ruleSetSchema,
  toComparable,
  type Bound,
  type Dimension,
  type Route,
  type RuleSet,
  type RuleSetParameters,
  type RouteTerms,
  MIN_JOINT_REVIEW_STAGES,
} from './rule-set.schema.ts'
import { fieldIssuesOf, type FieldIssue } from '../validation/field-issue.ts'

interface Interval {
  min: Bound
  max: Bound | null
}

function inclusivity(bound: Bound): string {
  return bound.inclusive ? 'inclusive' : 'exclusive'
}

/**
 * Checks that `intervals` (in the order given) cover (0, ∞) exactly: the first starts at 0 exclusive,
 * each next one starts where the previous ends with the complementary inclusivity, the last is unbounded.
 */
function checkCoverage(dimension: Dimension, intervals: readonly Interval[], basePath: string, collection: string, nameOf: (index: number) => string): FieldIssue[] {
  const issues: FieldIssue[] = []
  const fmt = (x: number) => formatQuantity(dimension, x)
  const cmp = (x: number) => toComparable(dimension, x)
  const unit = dimension === 'voltage' ? 'whole volts' : 'metres with at most two decimals'

  intervals.forEach(({ min, max }, i) => {
    for (const [end, bound] of [
      ['min', min],
      ['max', max],
    ] as const) {
      if (bound !== null && !isExactQuantity(dimension, bound.value)) {
        issues.push({
          path: `${basePath}.${i}.${end}.value`,
          message: `${nameOf(i)}: ${bound.value} cannot be compared exactly; use ${unit}`,
        })
      }
    }
    if (max !== null) {
      const lo = cmp(min.value)
      const hi = cmp(max.value)
      if (lo > hi || (lo === hi && !(min.inclusive && max.inclusive))) {
        issues.push({
          path: `${basePath}.${i}.max`,
          message: `${nameOf(i)} is empty: it starts at ${fmt(min.value)} (${inclusivity(min)}) and ends at ${fmt(max.value)} (${inclusivity(max)})`,
        })
      }
    }
  })

  const first = intervals[0]
  if (first !== undefined && (first.min.value !== 0 || first.min.inclusive)) {
    issues.push({
      path: `${basePath}.0.min`,
      message:
        first.min.value > 0
          ? `${collection} leave a gap between ${fmt(0)} (exclusive) and ${fmt(first.min.value)} (${first.min.inclusive ? 'exclusive' : 'inclusive'}): start ${nameOf(0)} at 0, exclusive`
          : `${nameOf(0)} must start at 0, exclusive (only positive values are accepted); it starts at 0, inclusive`,
    })
  }

  for (let i = 1; i < intervals.length; i++) {
    const prev = intervals[i - 1]!
    const next = intervals[i]!
    const path = `${basePath}.${i}.min`
    if (prev.max === null) {
      issues.push({
        path: `${basePath}.${i - 1}.max`,
        message: `${nameOf(i - 1)} is unbounded above, so it overlaps ${nameOf(i)} and everything after it; only the last of the ${collection} may have max: null`,
      })
      continue
    }
    const end = prev.max
    const start = next.min
    const fix = `start ${nameOf(i)} where ${nameOf(i - 1)} ends: min ${fmt(end.value)}, ${end.inclusive ? 'exclusive' : 'inclusive'}`
    const a = cmp(end.value)
    const b = cmp(start.value)
    if (a < b) {
      issues.push({
        path,
        message: `${collection} leave a gap between ${fmt(end.value)} (${end.inclusive ? 'exclusive' : 'inclusive'}) and ${fmt(start.value)} (${start.inclusive ? 'exclusive' : 'inclusive'}): nothing covers these values; ${fix}`,
      })
    } else if (a > b) {
      const order = b < cmp(prev.min.value) ? `; ${nameOf(i)} starts below ${nameOf(i - 1)}: list the ${collection} in ascending order` : ''
      issues.push({
        path,
        message: `${collection} overlap between ${fmt(start.value)} and ${fmt(end.value)}: both ${nameOf(i - 1)} and ${nameOf(i)} cover these values; ${fix}${order}`,
      })
    } else if (end.inclusive && start.inclusive) {
      issues.push({
        path,
        message: `${collection} overlap at exactly ${fmt(end.value)}: ${nameOf(i - 1)} includes it (max inclusive) and so does ${nameOf(i)} (min inclusive); make one of the two bounds exclusive`,
      })
    } else if (!end.inclusive && !start.inclusive) {
      issues.push({
        path,
        message: `${collection} leave a gap at exactly ${fmt(end.value)}: ${nameOf(i - 1)} excludes it (max exclusive) and so does ${nameOf(i)} (min exclusive); make one of the two bounds inclusive`,
      })
    }
  }

  const lastIndex = intervals.length - 1
  const last = intervals[lastIndex]
  if (last !== undefined && last.max !== null) {
    issues.push({
      path: `${basePath}.${lastIndex}.max`,
      message: `${collection} leave everything over ${fmt(last.max.value)} uncovered: the last one, ${nameOf(lastIndex)}, must be unbounded above (max: null)`,
    })
  }
  return issues
}

/** Each key used a second time, named at the later item: keys name tiers and stages in decisions and actions. */
function duplicateKeys(items: ReadonlyArray<{ key: string }>, path: string, noun: 'tier' | 'stage'): FieldIssue[] {
  const firstIndex = new Map<string, number>()
  const issues: FieldIssue[] = []
  items.forEach((item, i) => {
    const seen = firstIndex.get(item.key)
    if (seen === undefined) firstIndex.set(item.key, i)
    else issues.push({ path: `${path}.${i}.key`, message: `${noun} key "${item.key}" is used by ${noun}s ${seen} and ${i}; ${noun} keys must be unique` })
  })
  return issues
}

function checkTiers(p: RuleSetParameters): FieldIssue[] {
  const issues: FieldIssue[] = []
  const tierName = (i: number) => `tier "${p.voltageTiers[i]?.key}"`
  issues.push(...checkCoverage('voltage', p.voltageTiers, 'parameters.voltageTiers', 'voltage tiers', tierName))

  issues.push(...duplicateKeys(p.voltageTiers, 'parameters.voltageTiers', 'tier'))
  // The first tier of each key, for naming the tier a fall-through cycle passes.
  const indexByKey = new Map<string, number>()
  p.voltageTiers.forEach((tier, i) => {
    if (!indexByKey.has(tier.key)) indexByKey.set(tier.key, i)
  })
  p.voltageTiers.forEach((tier, i) => {
    const bandsPath = `parameters.voltageTiers.${i}.lengthBands`
    issues.push(...checkCoverage('length', tier.lengthBands, bandsPath, `length bands of tier "${tier.key}"`, (b) => `band ${b} of tier "${tier.key}"`))
    tier.lengthBands.forEach((band, b) => {
      if (band.outcome.kind !== 'fall_through') return
      const target = band.outcome.tier
      if (target === tier.key) {
        issues.push({
          path: `${bandsPath}.${b}.outcome.tier`,
          message: `band ${b} of tier "${tier.key}" falls through to its own tier; it would never reach a route`,
        })
      } else if (!p.voltageTiers.some((t) => t.key === target)) {
        issues.push({
          path: `${bandsPath}.${b}.outcome.tier`,
          message: `band ${b} of tier "${tier.key}" falls through to tier "${target}", which does not exist; use one of ${p.voltageTiers.map((t) => `"${t.key}"`).join(', ')}`,
        })
      }
    })
  })

  // A fall-through chain that comes back to where it started would never reach a route.
  const targets = new Map<string, string[]>(p.voltageTiers.map((t) => [t.key, t.lengthBands.flatMap((band) => (band.outcome.kind === 'fall_through' ? [band.outcome.tier] : []))]))
  const reported = new Set<string>()
  const walk = (key: string, trail: string[]): void => {
    for (const next of targets.get(key) ?? []) {
      if (next === key) continue // reported above
      const at = trail.indexOf(next)
      if (at >= 0) {
        const cycle = [...trail.slice(at), next]
        const id = cycle.slice(0, -1).sort().join('>')
        if (!reported.has(id)) {
          reported.add(id)
          issues.push({
            path: `parameters.voltageTiers.${indexByKey.get(next)}.lengthBands`,
            message: `length bands fall through in a cycle (${cycle.map((k) => `"${k}"`).join(' → ')}); such an application would never reach a route`,
          })
        }
        continue
      }
      walk(next, [...trail, next])
    }
  }
  for (const tier of p.voltageTiers) walk(tier.key, [tier.key])
  return issues
}

function checkRoutes(p: RuleSetParameters): FieldIssue[] {
  const issues: FieldIssue[] = []

  const conditionRoutes = new Set<Route>()
  p.conditionRules.forEach((rule, i) => {
    if (conditionRoutes.has(rule.route)) {
      issues.push({
        path: `parameters.conditionRules.${i}.route`,
        message: `route "${rule.route}" has more than one condition rule; keep one`,
      })
    }
    conditionRoutes.add(rule.route)
  })
  const bandRoutes = new Set<Route>()
  p.voltageTiers.forEach((tier, t) => {
    tier.lengthBands.forEach((band, b) => {
      if (band.outcome.kind !== 'route') return
      bandRoutes.add(band.outcome.route)
      // A route that is both a condition route and a band route would match for two different reasons.
      if (conditionRoutes.has(band.outcome.route)) {
        issues.push({
          path: `parameters.voltageTiers.${t}.lengthBands.${b}.outcome.route`,
          message: `route "${band.outcome.route}" is already decided by a condition rule; a length band must lead to a different route`,
        })
      }
    })
  })

  const orderIndex = new Map<Route, number>()
  p.routeOrder.forEach((route, i) => {
    if (orderIndex.has(route)) {
      issues.push({
        path: `parameters.routeOrder.${i}`,
        message: `route "${route}" appears twice in routeOrder (positions ${orderIndex.get(route)} and ${i}); keep one`,
      })
      return
    }
    orderIndex.set(route, i)
    if (!conditionRoutes.has(route) && !bandRoutes.has(route)) {
      issues.push({
        path: `parameters.routeOrder.${i}`,
        message: `route "${route}" is in routeOrder but no condition rule or length band leads to it; remove it or add the rule`,
      })
    }
  })
  for (const route of [...conditionRoutes, ...bandRoutes]) {
    if (!orderIndex.has(route)) {
      issues.push({
        path: 'parameters.routeOrder',
        message: `route "${route}" has a rule but is missing from routeOrder, so it would never be evaluated; add it`,
      })
    }
  }
  // Every application reaches some band route (the bands cover everything), so a condition rule ordered
  // after all of them could never win.
  const lastBandPosition = Math.max(-1, ...[...bandRoutes].map((r) => orderIndex.get(r) ?? -1))
  p.conditionRules.forEach((rule, i) => {
    const position = orderIndex.get(rule.route)
    if (position !== undefined && lastBandPosition >= 0 && position > lastBandPosition) {
      issues.push({
        path: `parameters.conditionRules.${i}`,
        message: `route "${rule.route}" comes after every length-band route in routeOrder, so it can never match; move it earlier`,
      })
    }
  })

  const termsIndex = new Map<Route, number>()
  p.routeTerms.forEach((terms, i) => {
    const seen = termsIndex.get(terms.route)
    if (seen !== undefined) {
      issues.push({
        path: `parameters.routeTerms.${i}.route`,
        message: `route "${terms.route}" has two entries in routeTerms (${seen} and ${i}); keep one`,
      })
    } else {
      termsIndex.set(terms.route, i)
    }
  })
  const referenced = new Set<Route>([...p.routeOrder, ...conditionRoutes, ...bandRoutes])
  for (const route of referenced) {
    if (!termsIndex.has(route)) {
      issues.push({
        path: 'parameters.routeTerms',
        message: `route "${route}" has no time limit entry: add { route: "${route}", timeLimit, ... } to routeTerms (timeLimit: null if the service promises none)`,
      })
    }
  }
  return issues
}

function checkTimeLimits(p: RuleSetParameters): FieldIssue[] {
  const issues: FieldIssue[] = []

  issues.push(...duplicateKeys(p.jointReviewStages, 'parameters.jointReviewStages', 'stage'))
  const stageDays = p.jointReviewStages.reduce((sum, s) => sum + s.workingDays, 0)
  const stagePlan = p.jointReviewStages.map((s) => s.workingDays).join('+')

  p.routeTerms.forEach((terms, i) => {
    const path = `parameters.routeTerms.${i}`
    const { timeLimit, extension } = terms
    if (extension !== null) {
      if (timeLimit === null) {
        issues.push({
          path: `${path}.extension`,
          message: `route "${terms.route}" has an extension but no time limit to extend; set a time limit or remove the extension`,
        })
      } else if (extension.unit !== timeLimit.unit) {
        issues.push({
          path: `${path}.extension.unit`,
          message: `route "${terms.route}" counts its time limit in ${timeLimit.unit} but its extension in ${extension.unit}; use the same unit`,
        })
      }
    }
    if (!terms.requiresJointReview) return
    if (isNeverReviewed(terms)) return // refused by checkLifecycle
    if (timeLimit === null) {
      issues.push({
        path: `${path}.timeLimit`,
        message: `route "${terms.route}" requires joint review but has no time limit; set it to the sum of the stages (${stageDays} working days)`,
      })
    } else if (timeLimit.unit !== 'working_days') {
      issues.push({
        path: `${path}.timeLimit.unit`,
        message: `route "${terms.route}" requires joint review, whose stages are counted in working days, but its time limit is in ${timeLimit.unit}; use working_days`,
      })
    } else if (p.jointReviewStages.length === 0) {
      issues.push({
        path: 'parameters.jointReviewStages',
        message: `route "${terms.route}" requires joint review but there are no joint-review stages; add stages adding up to ${timeLimit.amount} working days`,
      })
    } else if (stageDays !== timeLimit.amount) {
      issues.push({
        path: 'parameters.jointReviewStages',
        message: `the joint-review stages add up to ${stageDays} working days (${stagePlan}) but route "${terms.route}" has a time limit of ${timeLimit.amount} working days; make them equal`,
      })
    }
  })
  return issues
}

/**
 * Routes whose cases are never accepted for review: a commitment filing is filed at once, an emergency
 * repair digs first and completes its formalities afterwards (case-state-machine.ts). Their stages and
 * an extension could never be reached.
 */
const NEVER_REVIEWED: readonly RouteBehaviour[] = ['commitment_filing', 'emergency']

function isNeverReviewed(terms: RouteTerms): boolean {
  const behaviour = behaviourOf(terms)
  return behaviour !== undefined && NEVER_REVIEWED.includes(behaviour)
}

/**
 * Every route has a behaviour (route-behaviour.ts), and a declared behaviour agrees with the route's flags: a route
 * named by a new rule set must say what the lifecycle does with it. The first rule set's route names may leave it
 * out (they keep the behaviour they always had, with the flags they always had).
 */
function checkBehaviours(p: RuleSetParameters): FieldIssue[] {
  const issues: FieldIssue[] = []
  p.routeTerms.forEach((terms, i) => {
    const path = `parameters.routeTerms.${i}`
    const behaviour = behaviourOf(terms)
    if (behaviour === undefined) {
      issues.push({ path: `${path}.behaviour`, message: `route "${terms.route}" needs a behaviour, one of ${ROUTE_BEHAVIOURS.join(', ')}` })
      return
    }
    if (terms.behaviour !== undefined) {
      if ((behaviour === 'staged_joint_review') !== terms.requiresJointReview) {
        issues.push({
          path: `${path}.requiresJointReview`,
          message: `a route with behaviour ${behaviour} must set requiresJointReview to ${behaviour === 'staged_joint_review'} (only a staged joint review runs through stages)`,
        })
      }
      if ((behaviour === 'commitment_filing') === terms.requiresApproval) {
        issues.push({
          path: `${path}.requiresApproval`,
          message: `a route with behaviour ${behaviour} must set requiresApproval to ${behaviour !== 'commitment_filing'} (only a filing needs no approval)`,
        })
      }
    }
    if (terms.requiresCommitment !== undefined && behaviour !== 'commitment_filing') {
      issues.push({ path: `${path}.requiresCommitment`, message: `only a commitment_filing route takes a commitment; remove requiresCommitment` })
    }
    if (behaviour === 'parallel_approval') {
      if ((terms.parallelDepartments?.length ?? 0) < 2) {
        issues.push({ path: `${path}.parallelDepartments`, message: 'a parallel approval names the departments that approve at the same time: at least two' })
      }
    } else if (terms.parallelDepartments !== undefined) {
      issues.push({ path: `${path}.parallelDepartments`, message: `only a parallel_approval route has parallel departments; remove parallelDepartments` })
    }
  })
  return issues
}

/** What the lifecycle assumes of the plan it is given (case-state-machine.ts, lifecycle-state.ts). */
function checkLifecycle(p: RuleSetParameters): FieldIssue[] {
  const issues: FieldIssue[] = []
  const neverReviewed = isNeverReviewed
  const reviewed = p.routeTerms.filter((terms) => terms.requiresJointReview && !neverReviewed(terms))
  const stages = p.jointReviewStages.length
  if (reviewed.length > 0 && stages > 0 && stages < MIN_JOINT_REVIEW_STAGES) {
    issues.push({
      path: 'parameters.jointReviewStages',
      message:
        `a joint review needs at least ${MIN_JOINT_REVIEW_STAGES} stages, it has ${stages}: the last stage is the permit issuance, ` +
        'the one before it the decision (approve or refuse), any earlier ones review stages; split the plan, e.g. review 6 + decision 1 + issuance 1',
    })
  }
  p.routeTerms.forEach((terms, i) => {
    const path = `parameters.routeTerms.${i}`
    const { route, timeLimit, extension } = terms
    const behaviour = behaviourOf(terms)
    if (neverReviewed(terms)) {
      if (terms.requiresJointReview) {
        issues.push({
          path: `${path}.requiresJointReview`,
          message: `a case on the ${route} route is never accepted for review, so it cannot run through joint-review stages; set requiresJointReview to false`,
        })
      }
      if (extension !== null) {
        issues.push({ path: `${path}.extension`, message: `a case on the ${route} route has no review clock to extend; set extension to null` })
      }
    }
    if (behaviour === 'emergency') {
      // 城市道路管理条例 art. 34: the formalities are due a number of clock hours after notification.
      if (timeLimit === null) {
        issues.push({ path: `${path}.timeLimit`, message: 'emergency repair formalities need a time limit in hours (24 under 城市道路管理条例 art. 34)' })
      } else if (timeLimit.unit !== 'hours') {
        issues.push({ path: `${path}.timeLimit.unit`, message: `emergency repair formalities are counted in clock hours, not ${timeLimit.unit}; use hours` })
      }
    } else if (behaviour !== 'commitment_filing' && timeLimit !== null && timeLimit.unit !== 'working_days' && !terms.requiresJointReview) {
      issues.push({
        path: `${path}.timeLimit.unit`,
        message: `the statutory clock of route "${route}" counts working days (行政许可法 art. 82), not ${timeLimit.unit}; use working_days`,
      })
    }
    if (extension !== null && extension.amount === 0) {
      issues.push({
        path: `${path}.extension.amount`,
        message: `an extension of route "${route}" must add at least one ${extension.unit === 'hours' ? 'hour' : 'working day'}; use null for none`,
      })
    }
  })
  return issues
}

/**
 * All semantic issues of a rule set's parameters; an empty array means the rule set is sound: it decides
 * every application and the lifecycle can run every case it decides.
 */
export function validateRuleSetParameters(p: RuleSetParameters): FieldIssue[] {
  return [...checkTiers(p), ...checkRoutes(p), ...checkTimeLimits(p), ...checkLifecycle(p), ...checkBehaviours(p), ...checkSupervisionAndReasonCodes(p), ...checkGeography(p)]
}

/** The geography section (rule-set.schema.ts): a real box, and every route or tier it names exists, so a decision can never fail on it. */
function checkGeography(p: RuleSetParameters): FieldIssue[] {
  const g = p.geography
  if (g === undefined) return []
  const issues: FieldIssue[] = []
  const [minLon, minLat, maxLon, maxLat] = g.jurisdiction.bbox
  if (!(minLon < maxLon && minLat < maxLat)) issues.push({ path: 'parameters.geography.jurisdiction.bbox', message: 'must be [minLon, minLat, maxLon, maxLat] with min < max' })
  const hasTerms = (route: string) => p.routeTerms.some((t) => t.route === route)
  if (g.restrictionOutcome.kind === 'route' && !hasTerms(g.restrictionOutcome.route)) {
    issues.push({ path: 'parameters.geography.restrictionOutcome.route', message: `route "${g.restrictionOutcome.route}" has no entry in routeTerms` })
  }
  g.roadClassRules.forEach((rule, i) => {
    const { outcome } = rule
    if (outcome.kind === 'route' && !hasTerms(outcome.route))
      issues.push({ path: `parameters.geography.roadClassRules.${i}.outcome.route`, message: `route "${outcome.route}" has no entry in routeTerms` })
    if (outcome.kind === 'route' && !p.routeOrder.includes(outcome.route))
      issues.push({ path: `parameters.geography.roadClassRules.${i}.outcome.route`, message: `route "${outcome.route}" is not in routeOrder` })
    if (outcome.kind === 'fall_through' && !p.voltageTiers.some((t) => t.key === outcome.tier)) {
      issues.push({ path: `parameters.geography.roadClassRules.${i}.outcome.tier`, message: `no voltage tier has the key "${outcome.tier}"` })
    }
  })
  return issues
}

export type RuleSetParseResult = { ok: true; ruleSet: RuleSet } | { ok: false; issues: FieldIssue[] }

/**
 * Parses untrusted input into a rule set in one call: the zod shape first, then the semantic checks that
 * publishing runs (validateRuleSetParameters), with the issues of both in the same `{ path, message }` form.
 * The property tests use it as "what the validator accepts".
 */
export function parseRuleSet(input: unknown): RuleSetParseResult {
  const parsed = ruleSetSchema.safeParse(input)
  if (!parsed.success) return { ok: false, issues: fieldIssuesOf(parsed.error) }
  const issues = validateRuleSetParameters(parsed.data.parameters)
  return issues.length === 0 ? { ok: true, ruleSet: parsed.data } : { ok: false, issues }
}
