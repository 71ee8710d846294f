/**
 * The shape of a green-channel rule set (docs/domain.md §2): every threshold, boundary reading, time limit,
 * stage and approving authority is data here, so a new notice (say, fast track under 80 m) is a new
 * rule-set version with an effective date, not a code change.
 *
 * Units are fixed by where a number sits: voltage tier bounds are volts (integers), length band bounds
 * are metres (at most two decimals). Everything is plain JSON, camelCase keys.
 *
 * This file gives the *shape*; the semantic checks (tiers and bands cover (0, ∞) with no gaps or
 * overlaps, stage days add up, every route has terms, ...) live in rule-set.validation.ts.
 * Objects are strict: in legal data a misspelt key ("maxInclusve") must be an error, not silently dropped.
 */
import { z } from 'zod'
import { civilDateSchema, MAX_WORKING_DAYS } from '../calendar/date.schema.ts'
import { hundredthsOf } from './quantity.schema.ts'

/** The longest key: a stage key must fit the `stage` of a complete_stage request (transition.schema.ts). */
const MAX_KEY_LENGTH = 64

/** Snake-case keys: tier keys, stage keys, route names. */
export const keySchema = z
  .string()
  .max(MAX_KEY_LENGTH, `must be at most ${MAX_KEY_LENGTH} characters`)
  .regex(/^[a-z][a-z0-9_]*$/, 'must be a lower-case key like "joint_survey"')

/**
 * A route is named by its rule set (Zhangzhou's: emergency_repair, special_approval, commitment_filing, fast_track,
 * joint_review, standard); what the lifecycle does with it is the route's `behaviour` (route-behaviour.ts).
 */
export const routeSchema = keySchema.meta({ description: 'A route named by the rule set, e.g. fast_track (Zhangzhou) or parallel_approval (Zhongshan)' })
export type Route = z.infer<typeof routeSchema>

// Where a rule comes from (its own file so that the supervision and reason-code schemas can use it too).
import { legalBasisSchema } from './legal-basis.schema.ts'
import { reasonCodesSchema } from './reason-codes.schema.ts'
import { supervisionTermsSchema } from './supervision.schema.ts'
import { routeBehaviourSchema } from './route-behaviour.ts'
export type { LegalBasis } from './legal-basis.schema.ts'

/**
 * One end of an interval. `inclusive` says whether the value itself belongs to the interval.
 * `wording` is the phrase of the source text that sets the bound (e.g. "400伏以下") and `reading` why it is
 * inclusive or exclusive (以下 / 以上 / 以内 include the number; 小于 / 大于 / 超过 exclude it).
 * `decidedBy: 'boundary_rule'` marks a bound the source text leaves open (exactly 50 m is in neither
 * "小于50米" nor "大于50米"), so that a decision on it says the rule set's boundary rule decided it.
 * Absent `decidedBy` means the source text decides.
 */
export const boundSchema = z.strictObject({
  value: z.number().finite().nonnegative(),
  inclusive: z.boolean(),
  wording: z.string().min(1).optional(),
  reading: z.string().min(1).optional(),
  decidedBy: z.enum(['source_text', 'boundary_rule']).optional(),
})
export type Bound = z.infer<typeof boundSchema>

/**
 * What a length band leads to: a route, or (low voltage over 200 m) on to the length bands of another
 * voltage tier, evaluated with the same length.
 */
const bandOutcomeSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('route'), route: routeSchema }),
  z.strictObject({ kind: z.literal('fall_through'), tier: keySchema }),
])

/** A band of excavation lengths in metres: `min` < length < `max` with the stated inclusivity; `max: null` is unbounded. */
export const lengthBandSchema = z.strictObject({
  min: boundSchema,
  max: boundSchema.nullable(),
  outcome: bandOutcomeSchema,
  description: z.string().min(1),
  basis: legalBasisSchema,
})
export type LengthBand = z.infer<typeof lengthBandSchema>

/** A band of voltages in volts with its own length bands; `max: null` is unbounded. */
export const voltageTierSchema = z.strictObject({
  key: keySchema,
  name: z.string().min(1),
  min: boundSchema,
  max: boundSchema.nullable(),
  lengthBands: z.array(lengthBandSchema).min(1),
  basis: legalBasisSchema,
})
export type VoltageTier = z.infer<typeof voltageTierSchema>

/**
 * A rule decided by a yes/no fact of the application rather than by voltage and length:
 * `emergency` (emergency repair of a failed buried line) or `roadProtected` (road in its protection period).
 */
export const conditionRuleSchema = z.strictObject({
  route: routeSchema,
  when: z.enum(['emergency', 'roadProtected']),
  description: z.string().min(1),
  basis: legalBasisSchema,
})
export type ConditionRule = z.infer<typeof conditionRuleSchema>

const timeUnitSchema = z.enum(['working_days', 'hours'])

/**
 * A time limit. `amount: 0` means "at once" (commitment filing: the receipt is issued on acceptance), which
 * is different from a `null` time limit (special approval: no limit is promised by this service).
 */
export const timeLimitSchema = z.strictObject({
  // Bounded so that every deadline a rule set can set is a date the calendar can compute (date.schema.ts).
  amount: z.number().int().nonnegative().max(MAX_WORKING_DAYS, `must be at most ${MAX_WORKING_DAYS}`),
  unit: timeUnitSchema,
})
export type TimeLimit = z.infer<typeof timeLimitSchema>

/** What a route entails once chosen: approval, joint review, time limit, who approves, and why. */
export const routeTermsSchema = z.strictObject({
  route: routeSchema,
  name: z.string().min(1),
  requiresApproval: z.boolean(),
  /** The route runs through `jointReviewStages`; its time limit must equal their sum. */
  requiresJointReview: z.boolean(),
  timeLimit: timeLimitSchema.nullable(),
  /** An extension that may be granted once (行政许可法 art. 42: 20 working days + 10 once). */
  extension: timeLimitSchema.nullable(),
  timeLimitBasis: legalBasisSchema,
  approvingAuthority: z.string().min(1).nullable(),
  approvingAuthorityBasis: legalBasisSchema,
  /**
   * Which of the lifecycle's fixed behaviours the route has (route-behaviour.ts); may be absent only on the route
   * names of the first rule set, which keep the behaviour they always had.
   */
  behaviour: routeBehaviourSchema.optional(),
  /** commitment_filing behaviour: whether the filing must carry a signed commitment (承诺); absent: true. */
  requiresCommitment: z.boolean().optional(),
  /** parallel_approval behaviour: the departments that approve at the same time (并联审批), at least two. */
  parallelDepartments: z.array(z.string().min(1)).optional(),
  /** Warning thresholds and timeout effect (supervision.schema.ts); absent: yellow 50 %, red 90 %, flag. */
  supervision: supervisionTermsSchema.optional(),
})
export type RouteTerms = z.infer<typeof routeTermsSchema>

/**
 * One stage of the joint review; each stage's deadline runs from the end of the previous one. A stage's
 * role follows from its position (the lifecycle, case-state-machine.ts): the last stage is the issuance of
 * the permit, the one before it the decision (taken by approve or refuse), every earlier one a review
 * stage in which department opinions are recorded. So a joint review has at least MIN_JOINT_REVIEW_STAGES.
 */
const jointReviewStageSchema = z.strictObject({
  key: keySchema,
  workingDays: z.number().int().positive(),
  name: z.string().min(1),
  description: z.string().min(1),
})

/** A decision stage and an issuance stage (see jointReviewStageSchema). */
export const MIN_JOINT_REVIEW_STAGES = 2

/** Road classes of the register (src/roads): 主干路, 次干路, 支路, other. */
export const roadClassSchema = z.enum(['arterial', 'secondary', 'branch', 'other'])
export type RoadClass = z.infer<typeof roadClassSchema>

const longitudeSchema = z.number().min(-180).max(180)
const latitudeSchema = z.number().min(-90).max(90)

/**
 * A protection period (城市道路管理条例 art. 33): a road may not be dug for `years` after the latest of the
 * register dates named in `from`. The period is counted as 民法典 art. 201–202 count years: from the day
 * after the date, ending on the anniversary (the corresponding day; 29 February → 28 February when the
 * year has none), which is the last protected day (`lastDay: 'anniversary'`); `day_before_anniversary`
 * ends one day earlier for a rule set that reads "within 5 years" as excluding the anniversary.
 */
export const protectionPeriodSchema = z.strictObject({
  key: keySchema,
  from: z.array(z.enum(['builtOn', 'reconstructedOn', 'overhauledOn'])).min(1),
  years: z.number().int().positive().max(50),
  lastDay: z.enum(['anniversary', 'day_before_anniversary']),
  description: z.string().min(1),
  basis: legalBasisSchema,
})
export type ProtectionPeriod = z.infer<typeof protectionPeriodSchema>

/**
 * A band route a road class excludes (some cities bar arterial roads from commitment schemes): when the length
 * bands lead to `route` and the works are on a road of one of `roadClasses`, the band's outcome is `outcome`
 * instead (a route, or falling through to another tier's length bands).
 */
export const roadClassRuleSchema = z.strictObject({
  route: routeSchema,
  roadClasses: z.array(roadClassSchema).min(1),
  outcome: z.discriminatedUnion('kind', [z.strictObject({ kind: z.literal('route'), route: routeSchema }), z.strictObject({ kind: z.literal('fall_through'), tier: keySchema })]),
  description: z.string().min(1),
  basis: legalBasisSchema,
})
export type RoadClassRule = z.infer<typeof roadClassRuleSchema>

/**
 * What the service checks about where the works are (src/core/geo, src/roads). Absent in a rule set: the
 * defaults of core/rules/geography.ts apply (Zhangzhou's extent, art. 33's periods).
 */
export const geographySchema = z.strictObject({
  /** [minLon, minLat, maxLon, maxLat], WGS84, edges included. */
  jurisdiction: z.strictObject({ name: z.string().min(1), bbox: z.tuple([longitudeSchema, latitudeSchema, longitudeSchema, latitudeSchema]) }),
  maxVertices: z.number().int().min(2).max(10_000),
  maxSideMeters: z.number().positive().max(100_000),
  /** A measured length within max(minMeters, percent % of the declared length) of the declared one agrees with it. */
  lengthTolerance: z.strictObject({ minMeters: z.number().nonnegative().max(1000), percent: z.number().nonnegative().max(100) }),
  /** Works within this distance of a register road run along or cross it. */
  roadMatchToleranceMeters: z.number().nonnegative().max(1000),
  protectionPeriods: z.array(protectionPeriodSchema),
  /** Works whose planned period overlaps a road's restriction (no-dig period): refused at intake, or routed. */
  restrictionOutcome: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('refuse'), basis: legalBasisSchema }),
    z.strictObject({ kind: z.literal('route'), route: routeSchema, basis: legalBasisSchema }),
  ]),
  roadClassRules: z.array(roadClassRuleSchema),
})
export type Geography = z.infer<typeof geographySchema>

/** How works are coordinated (src/coordination): works within `clashBufferMeters` of each other over a shared day clash. */
const coordinationSchema = z.strictObject({ clashBufferMeters: z.number().nonnegative().max(1000) })
export type Coordination = z.infer<typeof coordinationSchema>

export const ruleSetParametersSchema = z.strictObject({
  /**
   * Evaluation order; the first route whose rule matches wins. A condition route matches when its fact is
   * true; a band route matches when the voltage tiers and length bands lead the application to it.
   */
  routeOrder: z.array(routeSchema).min(1),
  conditionRules: z.array(conditionRuleSchema),
  /** In ascending order of voltage; together they cover (0 V, ∞). */
  voltageTiers: z.array(voltageTierSchema).min(1),
  routeTerms: z.array(routeTermsSchema).min(1),
  jointReviewStages: z.array(jointReviewStageSchema),
  /** Versioned code lists of reasons and supplement items (reason-codes.schema.ts); absent: the default rule set's. */
  reasonCodes: reasonCodesSchema.optional(),
  /** Works geometry, road register and protection periods; the defaults of core/rules/geography.ts when absent. */
  geography: geographySchema.optional(),
  /** Clash detection; the defaults of core/rules/coordination.ts when absent. */
  coordination: coordinationSchema.optional(),
})
export type RuleSetParameters = z.infer<typeof ruleSetParametersSchema>

export const ruleSetSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a slug like "zz-green-channel"'),
  version: z.number().int().positive(),
  /** First day (Asia/Shanghai) on which the rule set applies. */
  effectiveFrom: civilDateSchema,
  name: z.string().min(1),
  description: z.string().min(1).optional(),
  parameters: ruleSetParametersSchema,
})
export type RuleSet = z.infer<typeof ruleSetSchema>

// ---------------------------------------------------------------------------------------------------
// What a bound means. Shared by the validation and the decision so both read a bound the same way.
// ---------------------------------------------------------------------------------------------------

/** Voltage tiers are in volts, length bands in metres. */
export type Dimension = 'voltage' | 'length'

/**
 * The exact integer a quantity is compared as: volts as they are (integers), metres as whole centimetres
 * (quantity.schema.ts), so 49.99 < 50 and 200.00 ≤ 200 hold without floating-point surprises (49.99 * 100
 * is 4998.999…). Exact for the quantities isExactQuantity accepts, which are the only ones validated rule
 * sets and requests carry.
 */
export function toComparable(dimension: Dimension, x: number): number {
  return dimension === 'voltage' ? x : Math.round(x * 100)
}

/** True when x is expressible in the dimension's unit: whole volts, or metres with at most two decimals (exactly). */
export function isExactQuantity(dimension: Dimension, x: number): boolean {
  if (dimension === 'voltage') return Number.isSafeInteger(x)
  return hundredthsOf(x) !== null
}

/** "49.99 m", "400 V", "10 kV" (whole kilovolts read as the notice writes them: 10千伏). */
export function formatQuantity(dimension: Dimension, x: number): string {
  if (dimension === 'length') return `${x} m`
  return x >= 1000 && x % 1000 === 0 ? `${x / 1000} kV` : `${x} V`
}

/** Is x inside the interval from `min` to `max` (null: unbounded above)? */
export function intervalContains(dimension: Dimension, min: Bound, max: Bound | null, x: number): boolean {
  const v = toComparable(dimension, x)
  const lo = toComparable(dimension, min.value)
  const aboveMin = min.inclusive ? v >= lo : v > lo
  if (!aboveMin || max === null) return aboveMin
  const hi = toComparable(dimension, max.value)
  return max.inclusive ? v <= hi : v < hi
}

/** Is x exactly on the bound's value (compared exactly, see toComparable)? */
export function isOnBound(dimension: Dimension, bound: Bound, x: number): boolean {
  return toComparable(dimension, bound.value) === toComparable(dimension, x)
}

/**
 * Plain-language interval, e.g. "at most 400 V", "over 400 V and at most 10 kV", "at least 50 m", "any length".
 * A lower bound of 0, exclusive, is the edge of the domain (quantities are positive) and goes unsaid.
 */
export function describeInterval(dimension: Dimension, min: Bound, max: Bound | null): string {
  const parts: string[] = []
  if (!(min.value === 0 && !min.inclusive)) {
    parts.push(`${min.inclusive ? 'at least' : 'over'} ${formatQuantity(dimension, min.value)}`)
  }
  if (max !== null) parts.push(`${max.inclusive ? 'at most' : 'under'} ${formatQuantity(dimension, max.value)}`)
  return parts.length === 0 ? `any ${dimension}` : parts.join(' and ')
}
