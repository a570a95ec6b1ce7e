import fc from 'fast-check'
import { boundary, conforming, hostileString, hostileValue, violating, type Components, type JsonSchema } from './schema-arbitrary.js'

export interface Parameter { name: string, in: string, required?: boolean, schema: JsonSchema }
export interface Operation {
  method: string
  path: string
  parameters?: Parameter[]
  requestBody?: { content: Record<string, { schema: JsonSchema }> }
  responses: Record<string, { content?: Record<string, { schema: JsonSchema }> }>
  security?: Array<Record<string, unknown>>
}

/** One request as `app.inject` takes it; the body always raw, so that it may be anything. */
export interface FuzzRequest { method: string, url: string, headers: Record<string, string>, body?: string | Buffer }

export interface FuzzContext {
  components: Components
  /** Real values by parameter or property name (the tenant's agent, credential, chain), so requests get past the lookups. */
  known: Record<string, string[]>
  /** A token of a tenant holding every platform scope. */
  token: string
  bodyLimit: number
}

/** Percent-encoding that also writes lone surrogates (as WTF-8 bytes), which encodeURIComponent refuses. */
export function percentEncode (text: string): string {
  let encoded = ''
  for (const char of text) {
    const code = char.codePointAt(0)!
    encoded += code >= 0xd800 && code <= 0xdfff
      ? [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)].map((byte) => `%${byte.toString(16).toUpperCase()}`).join('')
      : encodeURIComponent(char)
  }
  return encoded
}

const asText = (value: unknown): string => typeof value === 'string' ? value : JSON.stringify(value) ?? ''

// What a client can put in a header at all: Latin-1 without control characters.
const headerText = fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).filter((code) => code !== 0x7f).map((code) => String.fromCharCode(code)), maxLength: 60 })

function value (name: string, schema: JsonSchema, context: FuzzContext): fc.Arbitrary<unknown> {
  const known = context.known[name] ?? []
  return fc.oneof(
    { weight: 3, arbitrary: conforming(schema, context.components) },
    { weight: known.length === 0 ? 0 : 4, arbitrary: known.length === 0 ? fc.constant('') : fc.constantFrom(...known) },
    { weight: 2, arbitrary: boundary(schema, context.components) },
    { weight: 1, arbitrary: hostileString }
  )
}

function pathSegment (name: string, schema: JsonSchema, context: FuzzContext): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 9, arbitrary: value(name, schema, context).map((raw) => percentEncode(asText(raw))) },
    // Sent as is: escapes that do not decode, dot segments, an encoded slash, nothing at all.
    { weight: 1, arbitrary: fc.constantFrom('%', '%ZZ', '%C0%AF', '..', '.', '%2F', '%00', '', '%E2%80%AE') }
  )
}

function queryString (parameters: Parameter[], context: FuzzContext): fc.Arbitrary<string> {
  const declared = fc.tuple(...parameters.map((parameter) => fc.option(value(parameter.name, parameter.schema, context).map((raw) => [parameter.name, asText(raw)] as const), { freq: 3 })))
  const extra = fc.array(fc.tuple(hostileString, hostileString), { maxLength: 2 })
  const raw = fc.constantFrom('', '', '', '&', '&&=&', '&page[]=1', '&limit=1&limit=2', '&%ZZ=1', '&status=', '&a=%E0%A4%A')
  return fc.tuple(declared, extra, raw).map(([pairs, more, suffix]) => {
    const text = [...pairs.filter((pair) => pair !== null), ...more].map(([key, item]) => `${percentEncode(key)}=${percentEncode(item)}`).join('&') + suffix
    return text === '' ? '' : `?${text}`
  })
}

function authorization (context: FuzzContext): fc.Arbitrary<string | undefined> {
  const { token } = context
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant(`Bearer ${token}`) },
    { weight: 3, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: fc.constantFrom('Bearer', 'Bearer ', 'Basic Og==', 'Basic !!!', 'Bearer a.b.c', `Bearer ${token.slice(0, -4)}AAAA`, `bearer ${token}`, `Bearer ${token} ${token}`, `Basic ${token}`, `Bearer ${token.split('.').slice(0, 2).join('.')}.`, 'Bearer eyJhbGciOiJub25lIn0.e30.') },
    { weight: 1, arbitrary: headerText }
  )
}

const contentTypes = fc.constantFrom(
  'application/json', 'application/json; charset=utf-8', 'application/json; charset=utf-16', 'text/plain', 'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x', 'application/xml', 'application/octet-stream', '', ';;;', 'application/json; charset=', '*/*', 'application/problem+json'
)

// Bodies a JSON parser must refuse cleanly, nesting deep enough to reach recursion limits, invalid UTF-8.
const malformedBody: fc.Arbitrary<string | Buffer> = fc.oneof(
  fc.constantFrom('{', '{"a":', '[1,]', '{"a":1}garbage', 'nul', '\u0000', '"\\u0000"', '{"a":"\\ud800"}', '{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"polluted":1}}}', ''),
  fc.integer({ min: 100, max: 20_000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)),
  fc.integer({ min: 100, max: 20_000 }).map((depth) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes))
)

function body (operation: Operation, contentType: string | undefined, context: FuzzContext): fc.Arbitrary<string | Buffer | undefined> {
  const schema = operation.requestBody?.content['application/json']?.schema
  const structured = schema === undefined
    ? fc.oneof(fc.constant(undefined), hostileValue)
    : fc.oneof({ weight: 4, arbitrary: conforming(schema, context.components) }, { weight: 4, arbitrary: violating(schema, context.components) }, { weight: 1, arbitrary: hostileValue })
  const written = structured.map((item) => {
    if (item === undefined) return undefined
    // A form for the form-taking token endpoints, JSON otherwise.
    if (contentType === 'application/x-www-form-urlencoded' && typeof item === 'object' && item !== null) {
      return Object.entries(item).map(([key, entry]) => `${percentEncode(key)}=${percentEncode(asText(entry))}`).join('&')
    }
    return JSON.stringify(item)
  })
  return fc.oneof({ weight: 6, arbitrary: written }, { weight: 1, arbitrary: malformedBody })
}

/** Every request the fuzzer may send to `operation`. */
export function requestsFor (operation: Operation, context: FuzzContext): fc.Arbitrary<FuzzRequest> {
  const parameters = operation.parameters ?? []
  const inPath = parameters.filter((parameter) => parameter.in === 'path')
  const hasBody = operation.requestBody !== undefined
  const path = fc.tuple(...inPath.map((parameter) => pathSegment(parameter.name, parameter.schema, context))).map((segments) =>
    inPath.reduce((url, parameter, index) => url.replace(`{${parameter.name}}`, segments[index]!), operation.path))
  const contentType = fc.oneof({ weight: hasBody ? 6 : 0, arbitrary: fc.constant('application/json') }, { weight: 2, arbitrary: contentTypes }, { weight: 1, arbitrary: fc.constant(undefined) })
  const headers = fc.record({
    authorization: authorization(context),
    'x-request-id': headerText,
    accept: fc.oneof(fc.constantFrom('application/json', '*/*', 'text/html', 'application/xml'), headerText),
    'if-none-match': headerText,
    origin: fc.constantFrom('https://evil.example', 'null', 'http://127.0.0.1'),
    'stripe-signature': fc.oneof(headerText, fc.constant('t=1,v1=00'), fc.integer().map((time) => `t=${time},v1=${'ab'.repeat(32)}`)),
    'content-encoding': fc.constantFrom('gzip', 'br', 'identity')
  }, { requiredKeys: [] })
  // Headers nobody documents, beside the ones the server reads.
  const extraHeaders = fc.dictionary(fc.stringMatching(/^x-[a-z0-9-]{1,20}$/), headerText, { maxKeys: 3 })
  // Mostly the operation's own method; sometimes another on the same path.
  const method = fc.oneof({ weight: 19, arbitrary: fc.constant(operation.method) }, { weight: 1, arbitrary: fc.constantFrom('GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD') })
  // GET and DELETE carry a body only now and then (some clients send one).
  const bodyAnyway = fc.nat(9).map((roll) => roll === 0)
  return fc.tuple(method, path, queryString(parameters.filter((parameter) => parameter.in === 'query'), context), headers, extraHeaders, contentType, bodyAnyway)
    .chain(([verb, url, query, chosen, extra, type, anyway]) => body(operation, type, context).map((payload): FuzzRequest => {
      const sent: Record<string, string> = { ...extra }
      for (const [name, text] of Object.entries(chosen)) if (text !== undefined) sent[name] = text
      if (type !== undefined) sent['content-type'] = type
      const withBody = payload !== undefined && (hasBody || anyway)
      return { method: verb, url: `${url}${query}`, headers: sent, ...(withBody ? { body: payload } : {}) }
    }))
}

/** Requests every run sends once per operation: past the body limit, very deep JSON, the wrong media type. */
export function edgeRequests (operation: Operation, context: FuzzContext): FuzzRequest[] {
  const url = operation.path.replace(/\{(\w+)\}/g, (_match, name: string) => context.known[name]?.[0] ?? '00000000-0000-4000-8000-000000000000')
  const json = { 'content-type': 'application/json' }
  const authorized = { ...json, authorization: `Bearer ${context.token}` }
  const huge = `{"a":"${'x'.repeat(context.bodyLimit)}"}`
  const deep = '['.repeat(100_000) + ']'.repeat(100_000)
  return [
    { method: operation.method, url, headers: authorized, body: huge },
    { method: operation.method, url, headers: json, body: huge },
    { method: operation.method, url, headers: authorized, body: deep },
    { method: operation.method, url, headers: authorized, body: '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000) },
    { method: operation.method, url, headers: { ...authorized, 'content-type': 'text/plain' }, body: 'hello' },
    { method: operation.method, url, headers: authorized, body: '{"unterminated' }
  ]
}
