/**
 * The one text schema of request bodies: trimmed, not empty, bounded. Control characters (Unicode category Cc:
 * U+0000–U+001F, U+007F–U+009F) are refused with a message at the field's own path: they have no meaning in a
 * name, a road or a reference, they break log lines and CSV exports (a CR or TAB splits a spreadsheet cell,
 * OWASP "CSV Injection"), and NUL cannot be stored in PostgreSQL text at all.
 *
 * Short texts (names, titles, references, positions: one line) refuse every control character; long texts
 * (descriptions, reasons, notes, statements) may span lines and keep TAB, LF and CR.
 */
import { z } from 'zod'

const ANY_CONTROL = /\p{Cc}/u
const CONTROL_EXCEPT_LINE_BREAKS = /(?![\t\n\r])\p{Cc}/u

const bounded = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`)

/** One line of text: no control characters at all. */
export const shortText = (max: number) =>
  bounded(max).refine((value) => !ANY_CONTROL.test(value), 'must not contain control characters (tab, line breaks, U+0000–U+001F, U+007F–U+009F)')

/** Text that may span lines: TAB, LF and CR are kept, other control characters refused. */
export const longText = (max: number) =>
  bounded(max).refine((value) => !CONTROL_EXCEPT_LINE_BREAKS.test(value), 'must not contain control characters other than tab and line breaks (U+0000–U+001F, U+007F–U+009F)')
