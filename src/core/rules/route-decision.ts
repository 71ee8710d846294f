/**
 * Which route an excavation takes (docs/domain.md §2), as a pure function of a rule set and the application.
 *
 * The rule set is data; nothing here knows 400 V, 200 m, 10 kV or 50 m. Routes are evaluated in the rule
 * set's `routeOrder` and the first that matches wins: a condition route (emergency repair, protected road)
 * matches when its fact is true; a band route matches when the voltage tiers and length bands lead the
 * application to it. The explanation says which rule matched and why every earlier one did not, which
 * boundary reading decided a value lying exactly on a threshold, and cites the basis of each step.
 */
import { z } from 'zod'
import { isCivilDate, type CivilDate } from '../calendar/civil-date.ts'
import { fieldIssuesOf } from '../validation/field-issue.ts'
import { geographyOf } from './geography.ts'
import type { LengthCheck } from './length-check.ts'
import type { Protection } from './protection-period.ts'
import { excavationLengthMetersSchema, voltageVoltsSchema } from './quantity.schema.ts'
import { requireBehaviour, type RouteBehaviour } from './route-behaviour.ts'
import type { Locale } from '../i18n/locale.ts'
import { chinesePart, FACTS_ZH, FIRST_MATCH_ZH, intervalZh, quantityZh, routeZh, tierNameZh, withoutEnglishGloss } from './explanation-zh.ts'
import {
  describeInterval,
  formatQuantity,
  intervalContains,
  isOnBound,
  type Bound,
  type ConditionRule,
  type Dimension,
  type LengthBand,
  type RoadClass,
  type RoadClassRule,
  type Route,
  type RouteTerms,
  type RuleSet,
  type TimeLimit,
  type VoltageTier,
} from './rule-set.schema.ts'

export interface RouteInput {
  /** Nominal voltage of the works, whole volts. */
  voltageVolts: number
  /** Excavation length in metres, at most two decimals. */
  excavationLengthMeters: number
  /** Emergency repair of a failed buried line. */
  emergency: boolean
  /** The road is in its protection period (城市道路管理条例 art. 33). */
  roadProtected: boolean
}

/** The same constraints as data, with the quantity schemas the HTTP layer uses: nothing else is accepted (docs/domain.md §2). */
const routeInputSchema = z.strictObject({
  voltageVolts: voltageVoltsSchema,
  excavationLengthMeters: excavationLengthMetersSchema,
  emergency: z.boolean(),
  roadProtected: z.boolean(),
})

/** A register road the works run along or cross, with the protection in force on the planned start date. */
export interface MatchedRoad {
  code: string
  name: string
  class: RoadClass
  protection: Protection | undefined
}

/**
 * A matched road as the case keeps it: what the decision used, as the register had it then (its version
 * names the road_history entry), so the decision can be traced even after the register changes.
 */
export interface CaseRoad {
  code: string
  name: string
  class: RoadClass
  protectedUntil: CivilDate | null
  restrictions: Array<{ from: CivilDate; to: CivilDate; reason: string }>
  /** The protection in force on the planned start date, or null. */
  protection: Protection | null
  distanceMeters: number
  builtOn: CivilDate | null
  reconstructedOn: CivilDate | null
  overhauledOn: CivilDate | null
  registerVersion: number
}

/** A road restriction (no-dig period) the planned period overlaps, dates inclusive. */
export interface RestrictionHit {
  road: string
  from: CivilDate
  to: CivilDate
  reason: string
}

/**
 * What the service established itself (src/roads/works-facts.service.ts). Without it (an old caller) the
 * decision rests on the declared facts alone, as before the register existed.
 */
export interface WorksFacts {
  plannedStartDate: CivilDate
  /** null: no geometry, the declared length was not checked. */
  lengthCheck: LengthCheck | null
  roads: MatchedRoad[]
  restrictions: RestrictionHit[]
}

export interface ExplanationItem {
  /** Stable, machine-readable; see EXPLANATION_CODES. */
  code: string
  text: string
  /** The citation this step rests on. */
  basis: string
}

export interface RouteDecision {
  route: Route
  /** What the lifecycle does on the route (route-behaviour.ts); decisions stored before behaviours were data lack it. */
  behaviour: RouteBehaviour
  /** commitment_filing: false when the filing needs no signed commitment (备案 rather than 承诺报备). */
  requiresCommitment?: boolean
  /** parallel_approval: the departments that approve at the same time. */
  parallelDepartments?: string[]
  requiresApproval: boolean
  requiresJointReview: boolean
  timeLimit: TimeLimit | null
  /** Granted at most once, on top of timeLimit. */
  extension: TimeLimit | null
  stages: Array<{ key: string; workingDays: number; name: string }>
  approvingAuthority: string | null
  explanation: ExplanationItem[]
}

export const EXPLANATION_CODES = {
  matched: 'route.matched',
  /** Followed by the route: `route.not_matched.fast_track`. */
  notMatchedPrefix: 'route.not_matched.',
  fellThrough: 'route.fell_through',
  voltageAtThreshold: 'boundary.voltage.exactly_at_threshold',
  lengthAtThreshold: 'boundary.length.exactly_at_threshold',
  timeLimit: 'outcome.time_limit',
  approvingAuthority: 'outcome.approving_authority',
  jointReviewStages: 'outcome.joint_review_stages',
  parallelApproval: 'outcome.parallel_approval',
  lengthMeasured: 'length.measured',
  lengthNotChecked: 'length.not_checked',
  roadProtected: 'road.protected',
  roadRestricted: 'road.restricted',
  roadClassRule: 'road.class_rule',
} as const

export function notMatchedCode(route: Route): string {
  return `${EXPLANATION_CODES.notMatchedPrefix}${route}`
}

/** One step through the band table: the tier the application is in and the length band it falls into. */
interface BandStep {
  tier: VoltageTier
  band: LengthBand
  /** A road-class rule that replaced the band's route (rule-set.schema.ts roadClassRules). */
  classRule?: { rule: RoadClassRule; roads: MatchedRoad[] }
}

const FACTS: Record<ConditionRule['when'], { yes: string; no: string }> = {
  emergency: {
    yes: 'the works are an emergency repair (emergency: true)',
    no: 'the works are not an emergency repair (emergency: false)',
  },
  roadProtected: {
    yes: 'the road is in its protection period (roadProtected: true)',
    no: 'the road is not in its protection period (roadProtected: false)',
  },
}

function invalidRuleSet(ruleSet: RuleSet, problem: string): Error {
  return new Error(`rule set ${ruleSet.id} v${ruleSet.version} cannot decide this application: ${problem}; validate it with validateRuleSetParameters`)
}

function assertValidInput(input: RouteInput): void {
  const parsed = routeInputSchema.safeParse(input)
  if (!parsed.success) {
    const detail = fieldIssuesOf(parsed.error)
      .map((i) => `${i.path}: ${i.message}`)
      .join('; ')
    throw new RangeError(`invalid route input: ${detail}`)
  }
}

/** Follows the voltage tiers and length bands (through fall-throughs) to a route. */
function walkBands(ruleSet: RuleSet, input: RouteInput, roads: readonly MatchedRoad[]): { steps: BandStep[]; route: Route } {
  const { voltageTiers } = ruleSet.parameters
  const length = input.excavationLengthMeters
  let tier = voltageTiers.find((t) => intervalContains('voltage', t.min, t.max, input.voltageVolts))
  if (tier === undefined) throw invalidRuleSet(ruleSet, `no voltage tier contains ${input.voltageVolts} V`)

  const steps: BandStep[] = []
  for (;;) {
    const current: VoltageTier = tier
    const band = current.lengthBands.find((b) => intervalContains('length', b.min, b.max, length))
    if (band === undefined) throw invalidRuleSet(ruleSet, `no length band of tier "${current.key}" contains ${length} m`)
    const step: BandStep = { tier: current, band }
    steps.push(step)
    let outcome = band.outcome
    if (outcome.kind === 'route') {
      const route = outcome.route
      // Applied once per route, so a rule cannot chain into another route's rule.
      const rule = geographyOf(ruleSet).roadClassRules.find((r) => r.route === route && !steps.some((s) => s.classRule?.rule.route === route))
      const onClass = rule === undefined ? [] : roads.filter((road) => rule.roadClasses.includes(road.class))
      if (rule !== undefined && onClass.length > 0) {
        step.classRule = { rule, roads: onClass }
        outcome = rule.outcome
      }
    }
    if (outcome.kind === 'route') return { steps, route: outcome.route }
    const targetKey = outcome.tier
    if (steps.some((s) => s.tier.key === targetKey)) {
      throw invalidRuleSet(ruleSet, `length bands fall through in a cycle back to tier "${targetKey}"`)
    }
    tier = voltageTiers.find((t) => t.key === targetKey)
    if (tier === undefined) throw invalidRuleSet(ruleSet, `tier "${current.key}" falls through to unknown tier "${targetKey}"`)
  }
}

function quote(text: string): string {
  return `「${text}」`
}

function uniqueCitations(citations: string[]): string {
  return [...new Set(citations)].join('; ')
}

function tierPhrase(tier: VoltageTier, zh = false): string {
  if (zh) return `${tierNameZh(tier.name)}电压档（${intervalZh('voltage', tier.min, tier.max)}）`
  return `the ${tier.name} tier (${describeInterval('voltage', tier.min, tier.max)})`
}

function bandPhrase(band: LengthBand, tier: VoltageTier, zh = false): string {
  if (zh) return `${tierNameZh(tier.name)}电压档的长度区间“${intervalZh('length', band.min, band.max)}”`
  return `the length band "${describeInterval('length', band.min, band.max)}" of the ${tier.name} tier`
}

/** The route's name in Chinese with its key (zh), or the key (en). */
function routeName(ruleSet: RuleSet, route: Route, zh: boolean): string {
  return zh ? routeZh(route, ruleSet.parameters.routeTerms.find((t) => t.route === route)?.name) : route
}

/** A quantity as the language writes it. */
function quantity(dimension: Dimension, x: number, zh: boolean): string {
  return zh ? quantityZh(dimension, x) : formatQuantity(dimension, x)
}

/** A band with no bounds (0 m exclusive to ∞) says nothing about length. */
function coversAnyLength(band: LengthBand): boolean {
  return band.min.value === 0 && !band.min.inclusive && band.max === null
}

/** When a value misses an interval only because it sits on an exclusive bound, the reading of that bound. */
function exclusionNote(dimension: Dimension, x: number, interval: { min: Bound; max: Bound | null }, zh = false): string {
  const bound = [interval.min, interval.max].find((b): b is Bound => b !== null && isOnBound(dimension, b, x))
  if (bound === undefined || bound.reading === undefined) return ''
  if (zh) return `（恰好位于界限值上，不在该区间内${bound.wording === undefined ? '' : `：${quote(bound.wording)}`}）`
  return ` (${bound.reading}${bound.wording === undefined ? '' : `: ${quote(bound.wording)}`})`
}

/** Why a band route did not match: for each band leading to it, the voltage or the length that misses. */
function bandMismatch(ruleSet: RuleSet, route: Route, input: RouteInput, steps: BandStep[], zh: boolean): ExplanationItem {
  const reasons: string[] = []
  const citations: string[] = []
  const volts = quantity('voltage', input.voltageVolts, zh)
  const length = quantity('length', input.excavationLengthMeters, zh)
  for (const tier of ruleSet.parameters.voltageTiers) {
    for (const band of tier.lengthBands) {
      if (band.outcome.kind !== 'route' || band.outcome.route !== route) continue
      // The application reached this tier (directly or by falling through), so it is the length that misses.
      const reached = steps.some((s) => s.tier.key === tier.key)
      reasons.push(
        zh
          ? reached
            ? `长度${length}不在${bandPhrase(band, tier, true)}内${exclusionNote('length', input.excavationLengthMeters, band, true)}`
            : `电压${volts}不在${tierPhrase(tier, true)}内${exclusionNote('voltage', input.voltageVolts, tier, true)}`
          : reached
            ? `${length} is outside ${bandPhrase(band, tier)}${exclusionNote('length', input.excavationLengthMeters, band)}`
            : `${volts} is outside ${tierPhrase(tier)}${exclusionNote('voltage', input.voltageVolts, tier)}`,
      )
      citations.push(reached ? band.basis.citation : tier.basis.citation)
    }
  }
  return {
    code: notMatchedCode(route),
    text: zh
      ? `不适用${routeName(ruleSet, route, true)}：${reasons.length > 0 ? reasons.join('；') : '没有长度区间指向该办理路径'}。`
      : `${route} does not apply: ${reasons.length > 0 ? reasons.join('; ') : 'no length band leads to it'}.`,
    basis: uniqueCitations(citations),
  }
}

/** An explanation item when the value lies exactly on a bound of the interval it was found in. */
function boundaryItem(
  ruleSet: RuleSet,
  dimension: Dimension,
  x: number,
  interval: { min: Bound; max: Bound | null },
  subject: string,
  citation: string,
  zh = false,
): ExplanationItem | undefined {
  const bound = [interval.min, interval.max].find((b): b is Bound => b !== null && isOnBound(dimension, b, x))
  if (bound === undefined) return undefined
  const value = quantity(dimension, x, zh)
  const code = dimension === 'voltage' ? EXPLANATION_CODES.voltageAtThreshold : EXPLANATION_CODES.lengthAtThreshold
  const wording = bound.wording === undefined ? '' : zh ? `（${quote(bound.wording)}）` : ` (${quote(bound.wording)})`
  if (bound.decidedBy === 'boundary_rule') {
    return {
      code,
      text: zh
        ? `${value}恰好位于依据文件未予明确的界限值上${wording}；依本规则集的界限规则，归入${subject}。`
        : `${value} lies exactly on a threshold the source text does not settle${wording}; the boundary rule of this ` +
          `rule set decided it and put it in ${subject}: ${bound.reading ?? 'see the rule set'}.`,
      basis: `${citation}; boundary rule of rule set ${ruleSet.id} v${ruleSet.version}`,
    }
  }
  return {
    code,
    text: zh
      ? `${value}恰好位于界限值上，依据文件规定归入${subject}${wording}。`
      : `${value} lies exactly on the threshold and is included in ${subject}${bound.reading === undefined ? '' : `: ${bound.reading}`}${wording}.`,
    basis: citation,
  }
}

function describeTimeLimitZh(terms: RouteTerms, name: string): string {
  const { timeLimit, extension } = terms
  if (timeLimit === null) return `${name}不设办理时限：案件予以跟踪，但不承诺办结期限。`
  const unit = timeLimit.unit === 'hours' ? '小时' : '个工作日'
  const limit = timeLimit.amount === 0 ? `${name}即时办结，当场出具回执。` : `${name}应在${timeLimit.amount}${unit}内办结。`
  if (extension === null) return limit
  return `${limit}经批准可延长一次，延长期限为${extension.amount}${extension.unit === 'hours' ? '小时' : '个工作日'}。`
}

function describeTimeLimit(terms: RouteTerms): string {
  const { route, timeLimit, extension } = terms
  if (timeLimit === null) return `${route} has no time limit: the case is tracked but no deadline is promised.`
  const unit = timeLimit.unit === 'hours' ? 'hours' : 'working days'
  const limit = timeLimit.amount === 0 ? `${route} is immediate (0 ${unit}): it is acknowledged at once.` : `${route} must be completed within ${timeLimit.amount} ${unit}.`
  if (extension === null) return limit
  const extensionUnit = extension.unit === 'hours' ? 'hours' : 'working days'
  return `${limit} It may be extended once by ${extension.amount} ${extensionUnit}.`
}

function termsFor(ruleSet: RuleSet, route: Route): RouteTerms {
  const terms = ruleSet.parameters.routeTerms.find((t) => t.route === route)
  if (terms === undefined) throw invalidRuleSet(ruleSet, `route "${route}" has no entry in routeTerms`)
  return terms
}

/** The decision for the route that matched: its terms, plus the explanation items that cite them. */
function decisionFor(ruleSet: RuleSet, route: Route, explanation: ExplanationItem[], zh = false): RouteDecision {
  const terms = termsFor(ruleSet, route)
  const stages = terms.requiresJointReview ? ruleSet.parameters.jointReviewStages.map(({ key, workingDays, name }) => ({ key, workingDays, name })) : []
  const named = routeName(ruleSet, route, zh)
  explanation.push({ code: EXPLANATION_CODES.timeLimit, text: zh ? describeTimeLimitZh(terms, named) : describeTimeLimit(terms), basis: terms.timeLimitBasis.citation })
  if (stages.length > 0) {
    const plan = stages.map((s) => `${s.key} ${s.workingDays}`).join(' + ')
    const total = stages.reduce((sum, s) => sum + s.workingDays, 0)
    const planZh = stages.map((s) => `${chinesePart(s.name) ?? s.key}${s.workingDays}个工作日`).join('、')
    explanation.push({
      code: EXPLANATION_CODES.jointReviewStages,
      text: zh
        ? `审查分阶段进行，各阶段自上一阶段届满之日起计算：${planZh}，合计${total}个工作日。`
        : `The review runs in stages, each due at the end of the previous one: ${plan} = ${total} working days.`,
      basis: terms.timeLimitBasis.citation,
    })
  }
  const behaviour = requireBehaviour(terms)
  const parallelDepartments = behaviour === 'parallel_approval' ? [...(terms.parallelDepartments ?? [])] : undefined
  if (parallelDepartments !== undefined) {
    explanation.push({
      code: EXPLANATION_CODES.parallelApproval,
      text: zh
        ? `由${parallelDepartments.length}个部门在同一时限内并联审批：${parallelDepartments.join('；')}。各部门均作出答复后记录审批决定。`
        : `${parallelDepartments.length} departments approve at the same time (并联审批), within the one time limit: ${parallelDepartments.join('; ')}. The decision is recorded once all have answered.`,
      basis: terms.approvingAuthorityBasis.citation,
    })
  }
  explanation.push({
    code: EXPLANATION_CODES.approvingAuthority,
    text: zh
      ? terms.approvingAuthority === null
        ? `${named}无需审批${terms.requiresApproval ? '' : '，报备后即出具回执'}。`
        : `审批机关：${withoutEnglishGloss(terms.approvingAuthority)}。`
      : terms.approvingAuthority === null
        ? `${route} needs no approval${terms.requiresApproval ? '' : '; the filing is acknowledged with a receipt'}.`
        : `Approval rests with ${terms.approvingAuthority}.`,
    basis: terms.approvingAuthorityBasis.citation,
  })
  return {
    route,
    behaviour,
    ...(parallelDepartments === undefined ? {} : { parallelDepartments }),
    ...(behaviour === 'commitment_filing' ? { requiresCommitment: terms.requiresCommitment ?? true } : {}),
    requiresApproval: terms.requiresApproval,
    requiresJointReview: terms.requiresJointReview,
    timeLimit: terms.timeLimit === null ? null : { ...terms.timeLimit },
    extension: terms.extension === null ? null : { ...terms.extension },
    stages,
    approvingAuthority: terms.approvingAuthority,
    explanation,
  }
}

/** How the band table led to the matched route: fall-throughs, the match, and values on a threshold. */
function explainBandMatch(ruleSet: RuleSet, route: Route, input: RouteInput, steps: BandStep[], zh = false): ExplanationItem[] {
  const items: ExplanationItem[] = []
  const first = steps[0]!
  const last = steps[steps.length - 1]!
  const volts = quantity('voltage', input.voltageVolts, zh)
  const length = quantity('length', input.excavationLengthMeters, zh)
  // Every step but the last fell through; the tier it fell into is the next step's tier.
  steps.slice(0, -1).forEach((step, i) => {
    const target = steps[i + 1]!.tier
    if (step.classRule !== undefined) {
      items.push(classRuleItem(ruleSet, step, zh ? `转入${tierPhrase(target, true)}的长度区间` : `falls through to the length bands of ${tierPhrase(target)}`, zh))
      return
    }
    items.push({
      code: EXPLANATION_CODES.fellThrough,
      text: zh
        ? `长度${length}位于${bandPhrase(step.band, step.tier, true)}内，该区间转入${tierPhrase(target, true)}的长度区间判定。${quote(step.band.basis.text)}`
        : `${length} is in ${bandPhrase(step.band, step.tier)}, which falls through to the length bands of ${tierPhrase(target)}: ${step.band.description}.`,
      basis: step.band.basis.citation,
    })
  })
  if (last.classRule !== undefined) items.push(classRuleItem(ruleSet, last, zh ? `改按${routeName(ruleSet, route, true)}办理` : `takes ${route} instead`, zh))
  const lengthClause = coversAnyLength(last.band) ? '' : `${steps.length > 1 ? ' and, having fallen through,' : ' and'} ${length} is in ${bandPhrase(last.band, last.tier)}`
  const path = `${volts} is in ${tierPhrase(first.tier)}${lengthClause}`
  const lengthClauseZh = coversAnyLength(last.band) ? '' : `，${steps.length > 1 ? '转入后' : ''}长度${length}位于${bandPhrase(last.band, last.tier, true)}内`
  items.push({
    code: EXPLANATION_CODES.matched,
    text: zh
      ? `适用${routeName(ruleSet, route, true)}：电压${volts}位于${tierPhrase(first.tier, true)}内${lengthClauseZh}。${quote(last.band.basis.text)}`
      : `${route} applies: ${path}: ${last.classRule === undefined ? last.band.description : last.classRule.rule.description}. ${quote(last.band.basis.text)}`,
    basis: last.band.basis.citation,
  })

  // Only the tier the voltage is actually in is a voltage decision; a fall-through keeps that voltage.
  const boundaries = [
    boundaryItem(ruleSet, 'voltage', input.voltageVolts, first.tier, tierPhrase(first.tier, zh), first.tier.basis.citation, zh),
    ...steps.map((s) => boundaryItem(ruleSet, 'length', input.excavationLengthMeters, s.band, bandPhrase(s.band, s.tier, zh), s.band.basis.citation, zh)),
  ]
  items.push(...boundaries.filter((item): item is ExplanationItem => item !== undefined))
  return items
}

/** Why a band route gave way to a road-class rule, e.g. commitment filing on an arterial road. */
function classRuleItem(ruleSet: RuleSet, step: BandStep, consequence: string, zh = false): ExplanationItem {
  const { rule, roads } = step.classRule as NonNullable<BandStep['classRule']>
  const named = roads.map((road) => `${road.code} ${road.name} (${road.class})`).join(', ')
  if (zh) {
    const ruleRoute = routeName(ruleSet, rule.route, true)
    return {
      code: EXPLANATION_CODES.roadClassRule,
      text:
        `按长度区间应适用${ruleRoute}，但施工道路为${roads.map((road) => `${road.code} ${road.name}（${road.class}）`).join('、')}，` +
        `${rule.roadClasses.join('、')}等级道路不适用${ruleRoute}，本申请${consequence}。${quote(rule.basis.text)}`,
      basis: rule.basis.citation,
    }
  }
  return {
    code: EXPLANATION_CODES.roadClassRule,
    text:
      `The length band leads to ${rule.route}, but the works are on ${named}, and ${rule.route} is not available on ${rule.roadClasses.join(' or ')} roads: ` +
      `${rule.description}; the application ${consequence}. 道路等级（${rule.roadClasses.join('、')}）不适用${rule.route}。 ${quote(rule.basis.text)}`,
    basis: rule.basis.citation,
  }
}

/** The first explanation item when the service checked (or could not check) the declared length. */
function lengthItem(facts: WorksFacts, declared: number, zh = false): ExplanationItem {
  const check = facts.lengthCheck
  if (zh) return lengthItemZh(check, declared)
  if (check === null) {
    return {
      code: EXPLANATION_CODES.lengthNotChecked,
      text: `The declared length of ${formatQuantity('length', declared)} decides: the application carries no geometry, so the length was not checked. 未提供掘路范围图形，按申报长度判定，长度未经核验。`,
      basis: 'green-channel service: length check (docs/domain.md §2)',
    }
  }
  const measured = formatQuantity('length', check.measuredMeters)
  const declaredText = formatQuantity('length', check.declaredMeters)
  const tolerance = check.withinTolerance
    ? `within the tolerance of ${formatQuantity('length', check.toleranceMeters)}`
    : `more than the tolerance of ${formatQuantity('length', check.toleranceMeters)}`
  const why =
    check.decidedBy === 'measured'
      ? `the measured length of ${measured} decides because it is longer than the declared ${declaredText} (the route is decided on the larger, so that an exemption is never won by under-declaring). 按实测长度${check.measuredMeters}米判定（申报${check.declaredMeters}米，取较大者）。`
      : `the declared length of ${declaredText} decides because the measured ${measured} is not longer (the route is decided on the larger). 按申报长度${check.declaredMeters}米判定（实测${check.measuredMeters}米，取较大者）。`
  return {
    code: EXPLANATION_CODES.lengthMeasured,
    text: `The works geometry measures ${measured}, ${formatQuantity('length', Math.abs(check.differenceMeters))} ${check.differenceMeters < 0 ? 'shorter than' : 'longer than'} declared, ${tolerance}; ${why}`,
    basis: 'green-channel service: length check (docs/domain.md §2)',
  }
}

function lengthItemZh(check: LengthCheck | null, declared: number): ExplanationItem {
  const basis = 'green-channel service: length check (docs/domain.md §2)'
  if (check === null) {
    return { code: EXPLANATION_CODES.lengthNotChecked, text: `未提供掘路范围图形，按申报长度${quantityZh('length', declared)}判定，长度未经核验。`, basis }
  }
  const difference = quantityZh('length', Math.abs(check.differenceMeters))
  const tolerance = `${check.withinTolerance ? '在' : '超出'}${quantityZh('length', check.toleranceMeters)}的允许误差${check.withinTolerance ? '以内' : ''}`
  const why =
    check.decidedBy === 'measured'
      ? `按实测长度${check.measuredMeters}米判定（申报${check.declaredMeters}米，取较大者，以防少报长度规避审批）。`
      : `按申报长度${check.declaredMeters}米判定（实测${check.measuredMeters}米，未超过申报长度，取较大者）。`
  return {
    code: EXPLANATION_CODES.lengthMeasured,
    text: `掘路范围图形实测长度${check.measuredMeters}米，比申报长度${check.differenceMeters < 0 ? '短' : '长'}${difference}，${tolerance}；${why}`,
    basis,
  }
}

/** The register road in its protection period on the planned start date, if any. */
function protectedRoadOf(facts: WorksFacts | undefined): (MatchedRoad & { protection: Protection }) | undefined {
  return facts?.roads.find((road): road is MatchedRoad & { protection: Protection } => road.protection !== undefined)
}

function protectedRoadZh(road: MatchedRoad & { protection: Protection }, plannedStartDate: CivilDate): string {
  const { protection } = road
  return `道路${road.code}（${road.name}）自${protection.since}起至${protection.until}处于保护期内（${protection.citation}），计划开工日${plannedStartDate}在保护期内，`
}

function protectedRoadText(road: MatchedRoad & { protection: Protection }, plannedStartDate: CivilDate): string {
  const { protection } = road
  return (
    `road ${road.code} (${road.name}) is in its protection period on the planned start date ${plannedStartDate}: ${protection.from} ${protection.since}, ` +
    `protected through ${protection.until} (${protection.period}, ${protection.citation}). ` +
    `道路${road.code}（${road.name}）自${protection.since}起至${protection.until}处于保护期内，计划开工日${plannedStartDate}在保护期内。`
  )
}

/**
 * Decides the route of an application under a rule set. Throws a RangeError for input outside the domain
 * (non-integer or non-positive volts, lengths with more than two decimals) and an Error when the rule set
 * cannot decide (it would not pass validateRuleSetParameters).
 */
export function decideRoute(ruleSet: RuleSet, declaredInput: RouteInput, facts?: WorksFacts, locale: Locale = 'en'): RouteDecision {
  assertValidInput(declaredInput)
  const zh = locale === 'zh-CN'
  const { routeOrder, conditionRules } = ruleSet.parameters
  const explanation: ExplanationItem[] = []
  // The length that decides: the larger of declared and measured (length-check.ts).
  const input = facts?.lengthCheck ? { ...declaredInput, excavationLengthMeters: facts.lengthCheck.decidingMeters } : declaredInput
  if (facts !== undefined) explanation.push(lengthItem(facts, declaredInput.excavationLengthMeters, zh))
  // Walked only when a band route is reached: an emergency needs no voltage tier.
  let walked: ReturnType<typeof walkBands> | undefined
  const bandWalk = () => (walked ??= walkBands(ruleSet, input, facts?.roads ?? []))
  const protectedRoad = protectedRoadOf(facts)

  // A no-dig period the rule set routes rather than refuses (the refusal is the intake's 422). An emergency
  // repair still digs first (城市道路管理条例 art. 34).
  const restriction = geographyOf(ruleSet).restrictionOutcome
  const hit = facts?.restrictions[0]
  if (restriction.kind === 'route' && hit !== undefined && !input.emergency) {
    explanation.push({
      code: EXPLANATION_CODES.roadRestricted,
      text: zh
        ? `计划工期与道路${hit.road}禁挖期（${hit.from}至${hit.to}，${hit.reason}）重叠，依本规则集改按${routeName(ruleSet, restriction.route, true)}办理。${quote(restriction.basis.text)}`
        : `${restriction.route} applies because the planned period overlaps the restriction of road ${hit.road} from ${hit.from} to ${hit.to} (${hit.reason}); ` +
          `this rule set routes such works to ${restriction.route}. 计划工期与道路${hit.road}禁挖期（${hit.from}至${hit.to}，${hit.reason}）重叠。 ${quote(restriction.basis.text)}`,
      basis: restriction.basis.citation,
    })
    return decisionFor(ruleSet, restriction.route, explanation, zh)
  }

  for (const route of routeOrder) {
    const condition = conditionRules.find((r) => r.route === route)
    if (condition !== undefined) {
      // The register decides protection; an applicant's `roadProtected: true` still forces it, `false` no longer overrides the register.
      if (condition.when === 'roadProtected' && !input.roadProtected && protectedRoad !== undefined && facts !== undefined) {
        explanation.push({
          code: EXPLANATION_CODES.matched,
          text: zh
            ? `${protectedRoadZh(protectedRoad, facts.plannedStartDate)}无论申报内容如何，均适用${routeName(ruleSet, route, true)}。${quote(condition.basis.text)}${FIRST_MATCH_ZH}`
            : `${route} applies whatever was declared because ${protectedRoadText(protectedRoad, facts.plannedStartDate)} The rule: ${condition.description}. ` +
              `${quote(condition.basis.text)} Rules later in the order are not considered (the first match wins), whatever the voltage and length.`,
          basis: `${condition.basis.citation}; road register ${protectedRoad.code}`,
        })
        return decisionFor(ruleSet, route, explanation, zh)
      }
      if (!input[condition.when]) {
        const register =
          condition.when !== 'roadProtected' || facts === undefined
            ? ''
            : facts.roads.length === 0
              ? zh
                ? '，且道路台账中未匹配到处于保护期内的道路'
                : ' and no register road in its protection period was matched'
              : zh
                ? `，且所匹配的台账道路（${facts.roads.map((road) => road.code).join('、')}）在${facts.plannedStartDate}不在保护期内`
                : ` and the register roads matched (${facts.roads.map((road) => road.code).join(', ')}) are not in their protection period on ${facts.plannedStartDate}`
        explanation.push({
          code: notMatchedCode(route),
          text: zh
            ? `不适用${routeName(ruleSet, route, true)}：${FACTS_ZH[condition.when].no}${register}。`
            : `${route} does not apply because ${FACTS[condition.when].no}${register}. The rule: ${condition.description}.`,
          basis: condition.basis.citation,
        })
        continue
      }
      explanation.push({
        code: EXPLANATION_CODES.matched,
        text: zh
          ? `适用${routeName(ruleSet, route, true)}：${FACTS_ZH[condition.when].yes}。${quote(condition.basis.text)}${FIRST_MATCH_ZH}`
          : `${route} applies because ${FACTS[condition.when].yes}. The rule: ${condition.description}. ` +
            `${quote(condition.basis.text)} Rules later in the order are not considered (the first match wins), ` +
            'whatever the voltage and length.',
        basis: condition.basis.citation,
      })
      return decisionFor(ruleSet, route, explanation, zh)
    }

    const { steps, route: bandRoute } = bandWalk()
    if (route !== bandRoute) {
      explanation.push(bandMismatch(ruleSet, route, input, steps, zh))
      continue
    }

    explanation.push(...explainBandMatch(ruleSet, route, input, steps, zh))
    return decisionFor(ruleSet, route, explanation, zh)
  }

  throw invalidRuleSet(ruleSet, `route "${bandWalk().route}" is reached by the length bands but is not in routeOrder`)
}

/**
 * The rule set in force on a date ('YYYY-MM-DD', Asia/Shanghai): the greatest effectiveFrom on or before
 * the date; among several with that date, the highest version (a correction issued for the same day).
 */
export function selectRuleSet(ruleSets: readonly RuleSet[], onDate: string): RuleSet | undefined {
  if (!isCivilDate(onDate)) throw new RangeError(`invalid date "${onDate}": expected YYYY-MM-DD`)
  let best: RuleSet | undefined
  for (const candidate of ruleSets) {
    // ISO dates compare correctly as strings.
    if (candidate.effectiveFrom > onDate) continue
    if (best === undefined || candidate.effectiveFrom > best.effectiveFrom || (candidate.effectiveFrom === best.effectiveFrom && candidate.version > best.version)) {
      best = candidate
    }
  }
  return best
}
