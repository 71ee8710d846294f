/**
 * The fixed behaviours of the case lifecycle (docs/domain.md §4, docs/jurisdictions.md). A rule set names its routes
 * as it likes and maps each to one of these, so a new city's green channel is data, not code: the lifecycle, the
 * validator and the intake switch on the behaviour, never on a route's name.
 */
import { z } from 'zod'

export const ROUTE_BEHAVIOURS = [
  /** Filed without approval (承诺报备 / 备案): acknowledged with a receipt at once, revocable by the office. */
  'commitment_filing',
  /** One approval decision within the time limit, no review stages (免联合会审). */
  'approval_without_review',
  /** Joint review in consecutive stages, each with its own deadline (联合会审 "4+2+1+1"). */
  'staged_joint_review',
  /**
   * Several departments approve at the same time within one time limit (并联审批), no staged review. Modelled as one
   * clock and one joint decision (approve or refuse) that the accepting office records once every listed department
   * has answered; the departments are the route's `parallelDepartments` (docs/jurisdictions.md §"Parallel approval").
   */
  'parallel_approval',
  /** Approval by the city government for a road in its protection period (城市道路管理条例 art. 33). */
  'special_approval',
  /** Dig first, complete the formalities within a number of clock hours (城市道路管理条例 art. 34). */
  'emergency',
  /** Ordinary administrative licensing (行政许可法 art. 42). */
  'standard',
] as const
export const routeBehaviourSchema = z.enum(ROUTE_BEHAVIOURS)
export type RouteBehaviour = z.infer<typeof routeBehaviourSchema>

/**
 * The behaviour of the routes the first rule set named before behaviours were data: a rule set (or a stored case)
 * without `behaviour` on these names behaves exactly as before.
 */
const LEGACY_BEHAVIOURS: Readonly<Record<string, RouteBehaviour>> = {
  commitment_filing: 'commitment_filing',
  fast_track: 'approval_without_review',
  joint_review: 'staged_joint_review',
  special_approval: 'special_approval',
  emergency_repair: 'emergency',
  standard: 'standard',
}

/** A route's behaviour: the one it declares, else the legacy one of its name; undefined when neither (a validation issue). */
export function behaviourOf(route: { route: string; behaviour?: RouteBehaviour | undefined }): RouteBehaviour | undefined {
  return route.behaviour ?? (Object.hasOwn(LEGACY_BEHAVIOURS, route.route) ? LEGACY_BEHAVIOURS[route.route] : undefined)
}

/** For code past validation (a decided case): every route has a behaviour there. */
export function requireBehaviour(route: { route: string; behaviour?: RouteBehaviour | undefined }): RouteBehaviour {
  const behaviour = behaviourOf(route)
  if (behaviour === undefined) throw new RangeError(`route "${route.route}" has no behaviour`)
  return behaviour
}
