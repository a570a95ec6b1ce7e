import { Type, type Static } from 'typebox'

export const TokenRequest = Type.Object({
  grant_type: Type.String({ minLength: 1 }),
  client_id: Type.Optional(Type.String()),
  client_secret: Type.Optional(Type.String()),
  scope: Type.Optional(Type.String({ maxLength: 2048 }))
}, { $id: 'TokenRequest' })
export type TokenRequest = Static<typeof TokenRequest>

export const TokenResponse = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer(),
  scope: Type.String()
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
  iss: Type.Optional(Type.String())
}, { $id: 'TokenIntrospectionResponse' })
export type IntrospectionResponse = Static<typeof IntrospectionResponse>
