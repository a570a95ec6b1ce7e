import type { Agent } from '@sentryagent/core'
import type { ActiveCredential, DelegationStats } from '../repository.js'
import type { Section } from '../report-schema.js'
import { section, type RequirementFactory } from './requirement.js'

const DAY_MS = 86_400_000
const RETENTION_PASS_DAYS = 365
const RETENTION_WARN_DAYS = 90
// The delegation workstream's TTL bounds (DESIGN WS2: 60 ≤ TTL ≤ 86400).
const DELEGATION_MAX_TTL_SECONDS = 86_400
const LISTED = 20

export interface AuditInput {
  tier: string
  tierRetentionDays: number
  /** The instance's purge setting; null keeps events forever. */
  instanceRetentionDays: number | null
  chain: { valid: boolean, eventsChecked: number, firstInvalidEventId: string | null }
}

/** Audit retention against the tier (≥ 365 days pass, ≥ 90 warn) and the hash chain's integrity. */
export function auditSection (input: AuditInput, requirements: RequirementFactory): Section {
  const effective = input.instanceRetentionDays === null ? input.tierRetentionDays : Math.min(input.tierRetentionDays, input.instanceRetentionDays)
  const retention = effective >= RETENTION_PASS_DAYS ? 'pass' : effective >= RETENTION_WARN_DAYS ? 'warn' : 'fail'
  return section('audit', 'Audit log', [
    requirements.make('audit.retention', `Audit events are retained at least ${RETENTION_PASS_DAYS} days (${RETENTION_WARN_DAYS} is a warning)`, retention,
      { tier: input.tier, tierRetentionDays: input.tierRetentionDays, instanceRetentionDays: input.instanceRetentionDays, effectiveRetentionDays: effective },
      'Upgrade to the enterprise tier (365 days) or export audit events to long-term storage'),
    requirements.make('audit.chain', 'The organization\'s audit hash chain verifies end to end', input.chain.valid ? 'pass' : 'fail',
      { ...input.chain },
      'The audit log was altered: investigate from the first invalid event (GET /audit/verify)')
  ])
}

export interface DelegationInput {
  /** Whether the token endpoint accepts delegated (token-exchange) tokens. */
  enabled: boolean
  maxDepth: number
  stats: DelegationStats | undefined
}

/** Delegation depth and TTL limits are configured, and live chains keep within them. */
export function delegationSection (input: DelegationInput, requirements: RequirementFactory): Section {
  if (!input.enabled || input.stats === undefined) {
    return section('delegation', 'Delegation limits', [
      requirements.make('delegation.enabled', 'Delegation depth and TTL limits are configured', 'not_applicable', { delegationEnabled: false })
    ])
  }
  const { stats } = input
  const depthOk = stats.maxDepth === null || stats.maxDepth <= input.maxDepth
  const ttlOk = stats.maxTtlSeconds === null || stats.maxTtlSeconds <= DELEGATION_MAX_TTL_SECONDS
  return section('delegation', 'Delegation limits', [
    requirements.make('delegation.depth', 'Delegation chains are limited in depth by the tier, and live chains keep to it', depthOk ? 'pass' : 'fail',
      { tierMaxDepth: input.maxDepth, liveLinks: stats.liveLinks, deepestLiveLink: stats.maxDepth },
      'Revoke the links deeper than the tier allows (DELETE /oauth2/token/delegate/{chainId})'),
    requirements.make('delegation.ttl', `Delegations live at most ${DELEGATION_MAX_TTL_SECONDS} s, and live links keep to it`, ttlOk ? 'pass' : 'fail',
      { maxTtlSeconds: DELEGATION_MAX_TTL_SECONDS, longestLiveLinkSeconds: stats.maxTtlSeconds },
      'Revoke the links issued with a longer lifetime')
  ])
}

/** Active credentials older than the rotation threshold. */
export function credentialSection (agents: readonly Agent[], credentials: readonly ActiveCredential[], thresholdDays: number, now: Date, requirements: RequirementFactory): Section {
  const cutoff = now.getTime() - thresholdDays * DAY_MS
  const stale = credentials.filter((credential) => credential.createdAt.getTime() < cutoff)
  const expired = credentials.filter((credential) => credential.expiresAt !== null && credential.expiresAt.getTime() <= now.getTime())
  const withCredential = new Set(credentials.map((credential) => credential.agentId))
  const oldest = credentials.reduce<ActiveCredential | undefined>((found, credential) => found === undefined || credential.createdAt < found.createdAt ? credential : found, undefined)
  return section('credentials', 'Credential rotation', [
    requirements.make('credentials.rotation', `Active credentials are younger than ${thresholdDays} days`, stale.length === 0 ? 'pass' : 'warn',
      {
        thresholdDays,
        activeCredentials: credentials.length,
        olderThanThreshold: stale.length,
        oldestCreatedAt: oldest?.createdAt.toISOString() ?? null,
        listed: stale.slice(0, LISTED).map((credential) => ({ agentId: credential.agentId, credentialId: credential.credentialId, createdAt: credential.createdAt.toISOString() }))
      },
      'Rotate the listed credentials (POST /agents/{agentId}/credentials/{credentialId}/rotate)'),
    requirements.make('credentials.expired', 'No credential is past its expiry while still marked active', expired.length === 0 ? 'pass' : 'warn',
      { expiredButActive: expired.length, listed: expired.slice(0, LISTED).map((credential) => credential.credentialId) },
      'Revoke expired credentials so that they stop appearing in DID documents'),
    requirements.make('credentials.coverage', 'Every active agent holds an active credential', agents.every((agent) => agent.status !== 'active' || withCredential.has(agent.agentId)) ? 'pass' : 'warn',
      { agents: agents.length, agentsWithoutCredential: agents.filter((agent) => agent.status === 'active' && !withCredential.has(agent.agentId)).map((agent) => agent.agentId).slice(0, LISTED) },
      'Create a credential for each listed agent, or decommission it')
  ])
}

/** This platform has no federation: no trust policies exist to evaluate. */
export function federationSection (requirements: RequirementFactory): Section {
  return section('federation', 'Federation trust policies', [
    requirements.make('federation.policies', 'Federation trust policies restrict which external issuers are trusted', 'not_applicable',
      { trustPolicies: 0, note: 'this instance trusts only its own issuer; no federation is configured' })
  ])
}
