/**
 * Where a JSON text first breaks the grammar of RFC 8259, so a malformed body can be answered with a line and
 * column instead of "not valid JSON". JSON.parse's own messages say where only sometimes, and differently from
 * one Node version to the next ("Unexpected token 'x', "xyz" is not valid JSON" names no position), so the
 * position is found by this scanner. It runs only after a parse has failed; it keeps an explicit stack, so
 * deep nesting cannot overflow the call stack.
 */
export interface JsonSyntaxPosition {
  /** UTF-16 offset of the first character that cannot continue a JSON text (its length when the text ends early). */
  offset: number
  line: number
  column: number
  /** The character found there, or null at the end of the text. */
  found: string | null
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r'])
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't'])
const LITERALS = ['true', 'false', 'null']
const HEX4 = /^[0-9a-fA-F]{4}$/
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9'

/** The offset of the first syntax error in `text`, or null when it is valid JSON. */
export function jsonSyntaxErrorOffset(text: string): number | null {
  let i = 0
  const stack: Array<'{' | '['> = []
  type State = 'value' | 'first-value' | 'key' | 'first-key' | 'after'
  let state: State = 'value'

  const skipWhitespace = () => {
    while (i < text.length && WHITESPACE.has(text[i] as string)) i++
  }
  /** At a '"': consumes the string, or stops at its first bad character and answers false. */
  const string = (): boolean => {
    i++
    while (i < text.length) {
      const code = text.charCodeAt(i)
      if (code === 0x22) {
        i++
        return true
      }
      if (code < 0x20) return false
      if (code === 0x5c) {
        const escaped = text[i + 1]
        if (escaped === 'u') {
          if (!HEX4.test(text.slice(i + 2, i + 6))) {
            // The offending character is the first of the four that is not a hex digit (where V8 points too).
            i += 2
            while (i < text.length && /[0-9a-fA-F]/.test(text[i] as string)) i++
            return false
          }
          i += 6
        } else if (escaped !== undefined && ESCAPES.has(escaped)) i += 2
        else {
          i++
          return false
        }
      } else i++
    }
    return false
  }
  /** A string, number or literal; on failure `i` is left on the offending character. */
  const scalar = (): boolean => {
    const c = text[i] as string
    if (c === '"') return string()
    const literal = LITERALS.find((word) => word[0] === c)
    if (literal) {
      let matched = 0
      while (matched < literal.length && text[i + matched] === literal[matched]) matched++
      i += matched
      return matched === literal.length
    }
    return number()
  }
  const digits = (): boolean => {
    if (!isDigit(text[i])) return false
    while (isDigit(text[i])) i++
    return true
  }
  /** -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
  const number = (): boolean => {
    if (text[i] === '-') i++
    if (text[i] === '0') i++
    else if (!digits()) return false
    if (text[i] === '.') {
      i++
      if (!digits()) return false
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++
      if (text[i] === '+' || text[i] === '-') i++
      if (!digits()) return false
    }
    return true
  }

  for (;;) {
    skipWhitespace()
    if (state === 'after' && stack.length === 0) return i < text.length ? i : null
    if (i >= text.length) return i
    const c = text[i] as string
    if (state === 'first-key' && c === '}') {
      i++
      stack.pop()
      state = 'after'
    } else if (state === 'key' || state === 'first-key') {
      if (c !== '"' || !string()) return i
      skipWhitespace()
      if (text[i] !== ':') return i
      i++
      state = 'value'
    } else if (state === 'first-value' && c === ']') {
      i++
      stack.pop()
      state = 'after'
    } else if (state === 'value' || state === 'first-value') {
      if (c === '{') {
        stack.push('{')
        i++
        state = 'first-key'
      } else if (c === '[') {
        stack.push('[')
        i++
        state = 'first-value'
      } else if (scalar()) state = 'after'
      else return i
    } else {
      const open = stack.at(-1)
      if (c === ',') {
        i++
        state = open === '{' ? 'key' : 'value'
      } else if ((c === '}' && open === '{') || (c === ']' && open === '[')) {
        i++
        stack.pop()
      } else return i
    }
  }
}

/** Line and column (both from 1) of the first syntax error, or null when `text` is valid JSON. */
export function jsonSyntaxPosition(text: string): JsonSyntaxPosition | null {
  const offset = jsonSyntaxErrorOffset(text)
  if (offset === null) return null
  const before = text.slice(0, offset)
  const lineStart = before.lastIndexOf('\n') + 1
  return {
    offset,
    line: before.split('\n').length,
    column: offset - lineStart + 1,
    found: offset < text.length ? String.fromCodePoint(text.codePointAt(offset) as number) : null,
  }
}
