import { Type, type Static } from 'typebox'
import { ListEnvelope, PageQuery, Timestamp, Uuid } from './common.js'

export const Credential = Type.Object({
  credentialId: Uuid,
  clientId: Uuid,
  status: Type.Union([Type.Literal('active'), Type.Literal('revoked')]),
  createdAt: Timestamp,
  expiresAt: Type.Union([Timestamp, Type.Null()]),
  revokedAt: Type.Union([Timestamp, Type.Null()]),
  signingKeyId: Type.String({ description: 'JWK thumbprint of the Ed25519 key that signs this credential\'s delegations' })
}, { $id: 'Credential' })
export type Credential = Static<typeof Credential>

export const CredentialWithSecret = Type.Object({
  ...Credential.properties,
  clientSecret: Type.String({ description: 'Shown once; store it now' })
}, { $id: 'CredentialWithSecret' })
export type CredentialWithSecret = Static<typeof CredentialWithSecret>

export const CreateCredentialBody = Type.Object({
  expiresAt: Type.Optional(Type.String({ format: 'date-time' }))
}, { additionalProperties: false, $id: 'CreateCredentialRequest' })

export const CredentialParams = Type.Object({ agentId: Uuid, credentialId: Uuid })
export const CredentialListQuery = Type.Object({ ...PageQuery.properties }, { additionalProperties: false })
export const CredentialList = ListEnvelope(Credential, 'CredentialList')
