/**
 * CSV as RFC 4180 defines it (pure): records end with CRLF, fields are separated by commas, and a field
 * holding a comma, a double quote, CR or LF is enclosed in double quotes with its quotes doubled. Small
 * enough to write here rather than take a dependency.
 *
 * Spreadsheets do not all split on commas: with a European or Chinese locale Excel and LibreOffice split on
 * `;`, and a paste splits on TAB. A field holding `;` or TAB is quoted too, so `x;=cmd()` stays one cell instead
 * of becoming a second cell that starts with `=`.
 *
 * Cells that come from what applicants typed (a district, a road) are also defused for spreadsheets: a
 * text starting with = + - @ TAB or CR would be run as a formula by Excel or LibreOffice (CSV injection,
 * OWASP "CSV Injection": prepend an apostrophe and quote the cell), so it gets a leading apostrophe, the
 * spreadsheet convention for "this is text", and is quoted. Numbers are written as numbers, so negative values
 * stay numeric.
 */
export type CsvValue = string | number | boolean | null | undefined

const NEEDS_QUOTES = /[",;\t\r\n]/
const FORMULA_START = /^[=+\-@\t\r]/

export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`a CSV number must be finite, got ${value}`)
    return String(value)
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  const formula = FORMULA_START.test(value)
  const text = formula ? `'${value}` : value
  return formula || NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** One record, CRLF included. */
export function csvRecord(values: readonly CsvValue[]): string {
  return `${values.map(csvField).join(',')}\r\n`
}

/** Every export starts with a header row. */
export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8'

/** An attachment disposition for a generated file name (ASCII only: dates, route names, …). */
export function attachment(filename: string): string {
  return `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`
}
