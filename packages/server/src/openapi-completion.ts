import { ErrorResponse } from '@sentryagent/core'

interface Parameter { in?: string, required?: boolean, schema?: { default?: unknown } }
interface Operation { parameters?: Parameter[], requestBody?: unknown, responses?: Record<string, unknown> }
interface Document { paths?: Record<string, Record<string, Operation>> }

// Fastify refuses these before any route code runs, for every route that reads a body; the
// error handler answers them in the platform's error shape.
const BODY_REFUSALS = {
  413: 'The body is larger than the server accepts',
  415: 'The body\'s Content-Type is not one the route accepts'
}

/**
 * What the generated document leaves out or overstates, made true to what the server does; and a
 * copy without shared objects (routes share their tags and security lists), which the YAML form
 * would otherwise write as anchors and aliases that some tools refuse.
 */
export function completeDocument<D extends object> (document: D): D {
  const errorSchema = JSON.parse(JSON.stringify(ErrorResponse)) as Record<string, unknown>
  delete errorSchema.$id
  for (const operations of Object.values((document as Document).paths ?? {})) {
    for (const operation of Object.values(operations)) {
      optionalWhenDefaulted(operation)
      if (operation.requestBody !== undefined) {
        operation.responses ??= {}
        for (const [code, description] of Object.entries(BODY_REFUSALS)) {
          operation.responses[code] ??= { description, content: { 'application/json': { schema: errorSchema } } }
        }
      }
    }
  }
  return JSON.parse(JSON.stringify(document)) as D
}

/**
 * A query parameter with a default is optional: the validator fills the default in before the
 * handler runs. TypeBox lists every property of an object as required, so the generated
 * document said `page` and `limit` were, and clients generated from it demanded them.
 */
function optionalWhenDefaulted (operation: Operation): void {
  for (const parameter of operation.parameters ?? []) {
    if (parameter.in === 'query' && parameter.required === true && parameter.schema?.default !== undefined) delete parameter.required
  }
}
