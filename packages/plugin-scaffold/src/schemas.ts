import type { Readable } from 'node:stream'
import { Type } from 'typebox'
import { LANGUAGES, DEFAULT_LANGUAGE } from './languages.js'

export const ScaffoldParams = Type.Object({
  agentId: Type.String({ format: 'uuid', description: 'The agent the starter authenticates as and reads' })
}, { $id: 'ScaffoldParams' })

// A free string, not an enum: an unknown language answers UNSUPPORTED_LANGUAGE listing the supported ones.
export const ScaffoldQuery = Type.Object({
  language: Type.Optional(Type.String({ default: DEFAULT_LANGUAGE, description: `One of ${LANGUAGES.join(', ')}`, examples: [...LANGUAGES] }))
}, { additionalProperties: false, $id: 'ScaffoldQuery' })

// Sent as a stream: typed as one for the handler, documented as binary in OpenAPI.
export const ScaffoldZip = Type.Unsafe<Readable>({
  $id: 'ScaffoldZip',
  type: 'string',
  format: 'binary',
  description: 'A ZIP holding one folder: the starter project (README, .env.example without the secret, .gitignore, main program)'
})
