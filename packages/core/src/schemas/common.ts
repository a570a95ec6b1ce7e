import { Type, type TSchema } from 'typebox'

export const ErrorResponse = Type.Object({
  code: Type.String({ description: 'UPPER_SNAKE error code', examples: ['AGENT_NOT_FOUND'] }),
  message: Type.String(),
  details: Type.Optional(Type.Unknown())
}, { $id: 'ErrorResponse', description: 'The platform error shape' })

export const OAuthErrorResponse = Type.Object({
  error: Type.String({ examples: ['invalid_client'] }),
  error_description: Type.Optional(Type.String())
}, { $id: 'OAuthErrorResponse', description: 'RFC 6749 §5.2 error' })

export const PageQuery = Type.Object({
  // Bounded so that the row offset, (page - 1) × limit, stays a safe integer PostgreSQL can take.
  page: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 }),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 })
})

export function ListEnvelope<T extends TSchema> (item: T, id: string) {
  return Type.Object({
    data: Type.Array(item),
    page: Type.Integer(),
    limit: Type.Integer(),
    total: Type.Integer()
  }, { $id: id })
}

export const Uuid = Type.String({ format: 'uuid' })
export const Timestamp = Type.String({ format: 'date-time' })

/** Error responses every authenticated route can give. */
export const authErrorResponses = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse,
  429: ErrorResponse,
  503: ErrorResponse
} as const
