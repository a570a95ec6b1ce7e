import { Type, type Static } from 'typebox'

export const TokenRequest = Type.Object({
  grant_type: Type.String({ minLength: 1 }),
  client_id: Type.Optional(Type.String()),
  client_secret: Type.Optional(Type.String()),
  scope: Type.Optional(Type.String({ maxLength: 2048 })),
  // RFC 8693 token exchange parameters (grant types that plugins add).
  subject_token: Type.Optional(Type.String({ maxLength: 16_384 })),
  subject_token_type: Type.Optional(Type.String({ maxLength: 256 })),
  actor_token: Type.Optional(Type.String({ maxLength: 16_384 })),
  actor_token_type: Type.Optional(Type.String({ maxLength: 256 })),
  requested_token_type: Type.Optional(Type.String({ maxLength: 256 })),
  audience: Type.Optional(Type.String({ maxLength: 2048 })),
  resource: Type.Optional(Type.String({ maxLength: 2048 }))
}, { $id: 'TokenRequest' })
export type TokenRequest = Static<typeof TokenRequest>

export const TokenResponse = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer(),
  scope: Type.String(),
  issued_token_type: Type.Optional(Type.String({ description: 'RFC 8693: set by the token-exchange grant' }))
}, { $id: 'TokenResponse' })
export type TokenResponse = Static<typeof TokenResponse>

export const TokenOnlyRequest = Type.Object({
  token: Type.String({ minLength: 1, maxLength: 8192 }),
  token_type_hint: Type.Optional(Type.String())
}, { $id: 'TokenIntrospectionRequest' })

export const IntrospectionResponse = Type.Object({
  active: Type.Boolean(),
  scope: Type.Optional(Type.String()),
  client_id: Type.Optional(Type.String()),
  sub: Type.Optional(Type.String()),
  organization_id: Type.Optional(Type.String()),
  token_type: Type.Optional(Type.String()),
  exp: Type.Optional(Type.Integer()),
  iat: Type.Optional(Type.Integer()),
  jti: Type.Optional(Type.String()),
  iss: Type.Optional(Type.String()),
  act: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'RFC 8693 actor chain of an exchanged token' })),
  delegation_id: Type.Optional(Type.String())
}, { $id: 'TokenIntrospectionResponse' })
export type IntrospectionResponse = Static<typeof IntrospectionResponse>
