import fc from 'fast-check'

/** The part of JSON Schema (as the OpenAPI document writes it) the generators read. */
export interface JsonSchema {
  $ref?: string
  type?: string | string[]
  enum?: unknown[]
  const?: unknown
  format?: string
  pattern?: string
  minLength?: number
  maxLength?: number
  minimum?: number
  maximum?: number
  items?: JsonSchema
  minItems?: number
  maxItems?: number
  uniqueItems?: boolean
  properties?: Record<string, JsonSchema>
  required?: string[]
  additionalProperties?: boolean | JsonSchema
  anyOf?: JsonSchema[]
  oneOf?: JsonSchema[]
}

export type Components = Record<string, JsonSchema>

/** Strings a hostile client sends: control and format characters, lone surrogates, injections, lengths. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    '', ' ', '\u0000', 'a\u0000b', '\ud800', '\udfff', 'x\udc00y', '\u202eevil\u202c', '\u200f\u05e9\u05dc\u05d5\u05dd', '\ufeff', '\uffff',
    '🦀'.repeat(100), 'e\u0301'.repeat(50), '%00', '%', '%ZZ', '../../etc/passwd', "' OR 1=1 --", '"; DROP TABLE agents; --',
    '${jndi:ldap://x}', '<script>alert(1)</script>', '__proto__', 'constructor', 'null', 'true', '-1', '1e309', 'NaN',
    '0000-00-00', '9999-99-99', '00000000-0000-0000-0000-000000000000', 'x'.repeat(5000)
  )
)

/** Any JSON value, nested a little, with hostile strings in it. */
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    fc.constantFrom(null, true, false, 0, -0, -1, 1.5, 2 ** 31, 2 ** 53 + 1, -(2 ** 63), 1e308, Number.MIN_VALUE),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(hostileString, tie('value'), { maxKeys: 4 })
  )
})).value

// RFC 3339 date-times, including what other systems refuse: years 0 and 9999, offsets up to ±23:59, second 60.
const dateTime: fc.Arbitrary<string> = fc.oneof(
  fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((date) => date.toISOString()),
  fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }), fc.constantFrom('00:00:00', '23:59:59.999999', '23:59:60'),
    fc.oneof(fc.constant('Z'), fc.tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([sign, hours, minutes]) => `${sign}${pad(hours)}:${pad(minutes)}`)))
    .map(([year, month, day, time, offset]) => `${String(year).padStart(4, '0')}-${pad(month)}-${pad(day)}T${time}${offset}`)
)

function pad (value: number): string {
  return String(value).padStart(2, '0')
}

function resolve (schema: JsonSchema, components: Components): JsonSchema {
  if (schema.$ref === undefined) return schema
  const target = components[schema.$ref.replace('#/components/schemas/', '')]
  if (target === undefined) throw new Error(`unresolved ${schema.$ref}`)
  return resolve(target, components)
}

function patternString (schema: JsonSchema): fc.Arbitrary<string> {
  try {
    const length = { minLength: schema.minLength ?? 0, maxLength: schema.maxLength ?? 64 }
    return fc.stringMatching(new RegExp(schema.pattern!)).filter((value) => value.length >= length.minLength && value.length <= length.maxLength)
  } catch {
    return fc.string({ maxLength: schema.maxLength ?? 64 })
  }
}

function conformingString (schema: JsonSchema): fc.Arbitrary<string> {
  switch (schema.format) {
    case 'uuid': return fc.uuid({ version: 4 })
    case 'email': return fc.emailAddress().filter((email) => email.length <= (schema.maxLength ?? 254))
    case 'date-time': return dateTime
  }
  if (schema.pattern !== undefined) return patternString(schema)
  return fc.string({ unit: 'grapheme', minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 64, 64) })
}

/** Values the schema accepts (formats and patterns approximated), the conforming side of the fuzzer. */
export function conforming (raw: JsonSchema, components: Components): fc.Arbitrary<unknown> {
  const schema = resolve(raw, components)
  if (schema.const !== undefined) return fc.constant(schema.const)
  if (schema.enum !== undefined) return fc.constantFrom(...schema.enum)
  const variants = schema.anyOf ?? schema.oneOf
  if (variants !== undefined) return fc.oneof(...variants.map((variant) => conforming(variant, components)))
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type
  switch (type) {
    case 'string': return conformingString(schema)
    case 'integer': return fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1_000_000 })
    case 'number': return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true })
    case 'boolean': return fc.boolean()
    case 'null': return fc.constant(null)
    case 'array': {
      const items = conforming(schema.items ?? {}, components)
      const length = { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 5, 5) }
      return schema.uniqueItems === true ? fc.uniqueArray(items, { ...length, selector: (item) => JSON.stringify(item) }) : fc.array(items, length)
    }
    case 'object': {
      const properties = schema.properties ?? {}
      const model = Object.fromEntries(Object.entries(properties).map(([name, property]) => [name, conforming(property, components)]))
      return fc.record(model, { requiredKeys: (schema.required ?? []).filter((name) => name in properties) })
    }
    default: return hostileValue
  }
}

/** Values at and past the schema's edges: limits and limits ± 1, wrong types. */
export function boundary (raw: JsonSchema, components: Components): fc.Arbitrary<unknown> {
  const schema = resolve(raw, components)
  const edges: unknown[] = [null, {}, [], '', true, 'not-of-this-type']
  if (schema.minLength !== undefined) edges.push('a'.repeat(schema.minLength), 'a'.repeat(Math.max(0, schema.minLength - 1)))
  if (schema.maxLength !== undefined) edges.push('a'.repeat(schema.maxLength), 'a'.repeat(schema.maxLength + 1), '€'.repeat(schema.maxLength))
  for (const limit of [schema.minimum, schema.maximum]) if (limit !== undefined) edges.push(limit, limit - 1, limit + 1, limit + 0.5)
  if (schema.minItems !== undefined) edges.push(Array.from({ length: Math.max(0, schema.minItems - 1) }, () => 'a'))
  if (schema.maxItems !== undefined) edges.push(Array.from({ length: schema.maxItems + 1 }, (_value, index) => `a:${index}`))
  if (schema.uniqueItems === true) edges.push(['a:b', 'a:b'])
  return fc.oneof(fc.constantFrom(...edges), hostileValue)
}

/**
 * Mostly-valid values with one thing wrong: a property replaced by one at or past its edges, a
 * required one dropped, or one the schema does not know added (`__proto__` among them).
 */
export function violating (raw: JsonSchema, components: Components): fc.Arbitrary<unknown> {
  const schema = resolve(raw, components)
  const properties = schema.properties ?? {}
  const names = Object.keys(properties)
  if (names.length === 0) return boundary(schema, components)
  type Mutation = (object: Record<string, unknown>) => void
  const set = (name: string, value: unknown): Mutation => (object) => {
    Object.defineProperty(object, name, { value, enumerable: true, configurable: true, writable: true })
  }
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    fc.constantFrom(...names).chain((name) => boundary(properties[name]!, components).map((value) => set(name, value))),
    fc.constantFrom(...names).map((name): Mutation => (object) => { delete object[name] }),
    fc.tuple(fc.oneof(hostileString, fc.constantFrom('__proto__', 'constructor', 'prototype')), hostileValue).map(([name, value]) => set(name, value))
  )
  return fc.tuple(conforming(schema, components), mutation).map(([value, mutate]) => {
    const object = { ...(value as Record<string, unknown>) }
    mutate(object)
    return object
  })
}
