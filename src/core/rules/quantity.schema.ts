/**
 * The one definition of the quantities the rules compare (docs/domain.md §2): voltages are whole volts,
 * lengths and widths are metres with at most two decimals. The HTTP layer validates requests with these
 * schemas and the rules engine checks its input with the same ones, so a value the API accepts is one the
 * engine can decide, and a value it cannot decide is a 400 naming the field.
 *
 * "At most two decimals" is decided exactly, on integer hundredths, not with a float tolerance: a JSON
 * number is parsed to the nearest double, so a length is accepted when it is exactly the double that some
 * decimal c / 100 parses to (49.99, 200.01, 0.3). 49.99000000000001, 0.30000000000000004 (0.1 + 0.2) and
 * 1e-9 are other doubles and are refused: no two-decimal length is written that way.
 */
import { z } from 'zod'

/** The most the API accepts (a sanity bound: the widest band is unbounded above). */
const MAX_VOLTAGE_VOLTS = 1_000_000
export const MAX_EXCAVATION_LENGTH_METRES = 100_000
export const MAX_EXCAVATION_WIDTH_METRES = 1_000

/**
 * The exact whole number of hundredths (centimetres) of x, or null when x is not exactly a two-decimal
 * number. c / 100 is correctly rounded, so `c / 100 === x` holds exactly when x is the double nearest to
 * the decimal c / 100; for any other x no whole c passes, whatever Math.round picked.
 */
export function hundredthsOf(x: number): number | null {
  if (!Number.isFinite(x)) return null
  const hundredths = Math.round(x * 100)
  return Number.isSafeInteger(hundredths) && hundredths / 100 === x ? hundredths : null
}

/** Metres with at most two decimals, decided exactly (see hundredthsOf). */
export function isExactMetres(x: number): boolean {
  return hundredthsOf(x) !== null
}

/** A positive number of metres, at most `max`, with at most two decimals (exactly). */
export function metresSchema(max: number) {
  return (
    z
      .number()
      .positive('must be a positive number of metres')
      // abort: a value over the bound gets that one message, not also "two decimals".
      .max(max, { message: `must be at most ${max} m`, abort: true })
      .refine(isExactMetres, 'must have at most two decimals')
  )
}

export const voltageVoltsSchema = z
  .number()
  .int('must be a whole number of volts')
  .positive('must be a positive number of volts')
  .max(MAX_VOLTAGE_VOLTS, `must be at most ${MAX_VOLTAGE_VOLTS} V`)

export const excavationLengthMetersSchema = metresSchema(MAX_EXCAVATION_LENGTH_METRES)
export const excavationWidthMetersSchema = metresSchema(MAX_EXCAVATION_WIDTH_METRES)
