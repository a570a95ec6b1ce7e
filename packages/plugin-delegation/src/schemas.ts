import { Type, type Static } from 'typebox'

const Uuid = Type.String({ format: 'uuid' })
const Timestamp = Type.String({ format: 'date-time' })
const Scope = Type.String({ minLength: 1, maxLength: 128, pattern: '^[^\\s]+$' })

export const MIN_TTL_SECONDS = 60
export const MAX_TTL_SECONDS = 86_400

export const DelegateBody = Type.Object({
  delegateeAgentId: Uuid,
  scopes: Type.Array(Scope, { minItems: 1, maxItems: 64 }),
  ttlSeconds: Type.Integer({ minimum: MIN_TTL_SECONDS, maximum: MAX_TTL_SECONDS }),
  parentDelegationToken: Type.Optional(Type.String({ minLength: 1, maxLength: 16_384, description: 'Re-delegate this link (the caller must be its delegatee)' }))
}, { $id: 'DelegateRequest', additionalProperties: false })
export type DelegateBody = Static<typeof DelegateBody>

export const DelegationCreated = Type.Object({
  delegationToken: Type.String({ description: 'Compact JWS (EdDSA) naming the link, with the chain as nested act claims' }),
  chainId: Uuid,
  delegatorAgentId: Uuid,
  delegateeAgentId: Uuid,
  scopes: Type.Array(Type.String()),
  expiresAt: Timestamp,
  depth: Type.Integer(),
  rootChainId: Uuid,
  parentChainId: Type.Union([Uuid, Type.Null()])
}, { $id: 'DelegationCreated' })
export type DelegationCreated = Static<typeof DelegationCreated>

export const VerifyBody = Type.Object({
  delegationToken: Type.String({ maxLength: 65_536 })
}, { $id: 'VerifyDelegationRequest', additionalProperties: false })

export const REASONS = ['expired', 'revoked', 'bad_signature', 'unknown', 'credential_revoked', 'malformed'] as const
export type Reason = typeof REASONS[number]

export const ChainHop = Type.Object({
  chainId: Uuid,
  depth: Type.Integer(),
  delegatorAgentId: Uuid,
  delegateeAgentId: Uuid,
  scopesGranted: Type.Array(Type.String()),
  scopesDropped: Type.Array(Type.String(), { description: 'Scopes of the parent link this one did not pass on' }),
  expiresAt: Timestamp
}, { $id: 'DelegationChainHop' })
export type ChainHop = Static<typeof ChainHop>

export const VerifyResult = Type.Object({
  valid: Type.Boolean(),
  reason: Type.Optional(Type.Union([Type.Literal('expired'), Type.Literal('revoked'), Type.Literal('bad_signature'), Type.Literal('unknown'), Type.Literal('credential_revoked'), Type.Literal('malformed')])),
  chainId: Type.Optional(Type.String()),
  scopes: Type.Optional(Type.Array(Type.String())),
  expiresAt: Type.Optional(Timestamp),
  delegatorAgentId: Type.Optional(Uuid),
  delegateeAgentId: Type.Optional(Uuid),
  depth: Type.Optional(Type.Integer()),
  rootChainId: Type.Optional(Uuid),
  chain: Type.Optional(Type.Array(ChainHop))
}, { $id: 'DelegationVerification' })
export type VerifyResult = Static<typeof VerifyResult>

export const ChainParams = Type.Object({ chainId: Uuid }, { $id: 'DelegationChainParams' })
export const RevokeQuery = Type.Object({
  dryRun: Type.Boolean({ default: false, description: 'Answer the blast radius without revoking' })
}, { $id: 'DelegationRevokeQuery' })

export const LinkSummary = Type.Object({
  chainId: Uuid,
  parentChainId: Type.Union([Uuid, Type.Null()]),
  depth: Type.Integer(),
  delegatorAgentId: Uuid,
  delegateeAgentId: Uuid,
  scopes: Type.Array(Type.String()),
  expiresAt: Timestamp,
  status: Type.Union([Type.Literal('active'), Type.Literal('revoked'), Type.Literal('expired'), Type.Literal('credential_revoked')])
}, { $id: 'DelegationLink' })
export type LinkSummary = Static<typeof LinkSummary>

export const BlastRadius = Type.Object({
  chainId: Uuid,
  dryRun: Type.Boolean(),
  revokedChainIds: Type.Array(Uuid, { description: 'Links revoked by this call (would be, on a dry run); empty when already revoked' }),
  affectedAgentIds: Type.Array(Uuid, { description: 'Delegatees that lose access' }),
  links: Type.Array(LinkSummary)
}, { $id: 'DelegationBlastRadius' })
export type BlastRadius = Static<typeof BlastRadius>
