import { TemplateError } from './errors.js'

/** Escapes a value for the inside of a double-quoted string literal, or for a plain-text file. */
export type Escaper = (value: string) => string

// Printable ASCII but the quote and the backslash passes as is in every string literal.
const LITERAL_SAFE = /^[\x20-\x7e]$/u
const hex = (codePoint: number, width: number): string => codePoint.toString(16).toUpperCase().padStart(width, '0')

function literalEscaper (escapeCodePoint: (codePoint: number) => string): Escaper {
  return (value) => Array.from(value, (char) => {
    if (char === '"' || char === '\\') return `\\${char}`
    if (char === '\n') return '\\n'
    if (char === '\r') return '\\r'
    if (char === '\t') return '\\t'
    return LITERAL_SAFE.test(char) ? char : escapeCodePoint(char.codePointAt(0)!)
  }).join('')
}

/** `\uXXXX` for the BMP, a surrogate pair beyond it: JavaScript, JSON and Java. */
const utf16 = (codePoint: number): string => codePoint <= 0xffff
  ? `\\u${hex(codePoint, 4)}`
  : String.fromCodePoint(codePoint).split('').map((unit) => `\\u${hex(unit.charCodeAt(0), 4)}`).join('')
/** `\uXXXX` / `\UXXXXXXXX`: Python, Go and TOML. */
const shortOrLong = (codePoint: number): string => codePoint <= 0xffff ? `\\u${hex(codePoint, 4)}` : `\\U${hex(codePoint, 8)}`
/** `\u{X}`: Rust. */
const braced = (codePoint: number): string => `\\u{${hex(codePoint, 1)}}`

const XML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\'': '&apos;' }
const xml: Escaper = (value) => value.replace(/[&<>"']/g, (char) => XML_ENTITIES[char]!)

// Plain-text files (.env, Markdown, shell, go.mod) get values that need no escaping, or none at all.
const PLAIN_SAFE = /^[A-Za-z0-9._:/@+[\]-]*$/
const plain: Escaper = (value) => {
  if (!PLAIN_SAFE.test(value)) throw new TemplateError(`value ${JSON.stringify(value)} cannot go into a plain-text file`)
  return value
}

const BY_EXTENSION: Record<string, Escaper> = {
  '.ts': literalEscaper(utf16),
  '.js': literalEscaper(utf16),
  '.json': literalEscaper(utf16),
  '.java': literalEscaper(utf16),
  '.py': literalEscaper(shortOrLong),
  '.go': literalEscaper(shortOrLong),
  '.toml': literalEscaper(shortOrLong),
  '.rs': literalEscaper(braced),
  '.xml': xml
}

/** How a value is escaped in the file at `path`, judged by its extension. */
export function escaperFor (path: string): Escaper {
  const extension = /\.[a-z]+$/.exec(path)?.[0] ?? ''
  return BY_EXTENSION[extension] ?? plain
}
