/**
 * The declared trench length against the measured one (core/geo/measure.ts). Everything is compared in
 * whole centimetres, as the length bands compare (rule-set.schema.ts toComparable): the measured length
 * is rounded to the centimetre, so 49.994 m is 49.99 m and fast-tracked, 49.995 m is 50.00 m.
 * The route is decided on the larger of the two: an exemption must not be won by under-declaring.
 */
import type { Geography } from './rule-set.schema.ts'

export interface LengthCheck {
  declaredMeters: number
  measuredMeters: number
  /** measured − declared, metres (negative: the works measure shorter than declared). */
  differenceMeters: number
  /** |difference| ≤ max(minMeters, percent % of declared), edges included. */
  withinTolerance: boolean
  toleranceMeters: number
  /** Which length decides the route: the larger; the declared one on a tie. */
  decidedBy: 'declared' | 'measured'
  /** The length the route is decided on. */
  decidingMeters: number
}

const cm = (meters: number) => Math.round(meters * 100)

export function checkLength(declaredMeters: number, rawMeasuredMeters: number, tolerance: Geography['lengthTolerance']): LengthCheck {
  const declared = cm(declaredMeters)
  const measured = cm(rawMeasuredMeters)
  const difference = measured - declared
  const toleranceCm = Math.max(cm(tolerance.minMeters), Math.round(declared * tolerance.percent) / 100)
  const decidedBy = measured > declared ? 'measured' : 'declared'
  return {
    declaredMeters: declared / 100,
    measuredMeters: measured / 100,
    differenceMeters: difference / 100,
    withinTolerance: Math.abs(difference) <= toleranceCm,
    toleranceMeters: Math.round(toleranceCm) / 100,
    decidedBy,
    decidingMeters: Math.max(measured, declared) / 100,
  }
}
