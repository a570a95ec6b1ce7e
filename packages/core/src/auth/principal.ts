/** Who is calling, from a verified access token; the only source of the tenant. */
export interface Principal {
  organizationId: string
  agentId: string
  scopes: ReadonlySet<string>
  tokenId: string
  issuedAt: number
  expiresAt: number
  /** The verified claims, for plugins that read their own (e.g. `act`, `delegation_id`). */
  claims: Readonly<Record<string, unknown>>
}

/** The scope of an organization's administrators: the tenant must keep an active agent holding it. */
export const ADMIN_SCOPE = 'admin:orgs'

export const PLATFORM_SCOPES = [
  'agents:read', 'agents:write', 'tokens:read', 'audit:read', 'admin:orgs',
  'analytics:read', 'billing:write', 'compliance:read'
] as const
