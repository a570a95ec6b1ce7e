import createError from '@fastify/error'

// The platform's error dialect: UPPER_SNAKE codes with an explicit status.
// The error handler turns these into `{ code, message, details }`.
export const ValidationError = createError<[string]>('VALIDATION_ERROR', '%s', 400)
export const UnauthorizedError = createError<[string]>('UNAUTHORIZED', '%s', 401)
export const ForbiddenError = createError<[string]>('FORBIDDEN', '%s', 403)
export const AgentNotFoundError = createError<[string]>('AGENT_NOT_FOUND', 'Agent %s not found', 404)
export const AgentAlreadyExistsError = createError<[string]>('AGENT_ALREADY_EXISTS', 'An agent with email %s already exists', 409)
export const AgentNotActiveError = createError<[string]>('AGENT_NOT_ACTIVE', 'Agent %s is not active', 409)
export const LastAdminError = createError<[string]>('LAST_ADMIN',
  'Agent %s is the organization\'s last active admin:orgs agent with a usable credential; give another active agent admin:orgs and a credential first', 409)
export const CredentialNotFoundError = createError<[string]>('CREDENTIAL_NOT_FOUND', 'Credential %s not found', 404)
export const CredentialRevokedError = createError<[string]>('CREDENTIAL_ALREADY_REVOKED', 'Credential %s is revoked', 409)
export const OrganizationNotFoundError = createError<[string]>('ORGANIZATION_NOT_FOUND', 'Organization %s not found', 404)
// A deployment's mistake, not a client's: its sealing key ring lacks the key a credential's was sealed with.
export const SealingKeyUnknownError = createError<[string]>('SENTRYAGENT_CORE_SEALING_KEY_UNKNOWN',
  'No sealing key of this server opens credential %s\'s signing key: its key is not in CREDENTIAL_SEALING_KEYS (or the sealed key is damaged)', 500)

// Coded errors for invalid plugin options: thrown once at registration.
export const InvalidOptionError = createError<[string]>('SENTRYAGENT_CORE_INVALID_OPTION', 'Invalid @sentryagent/core option: %s', 500)
export const MigrationChecksumError = createError<[string]>('SENTRYAGENT_CORE_MIGRATION_CHECKSUM', 'Migration %s was changed after it was applied', 500)

/** RFC 6749 §5.2 error, answered as `{ error, error_description }` by the token endpoints. */
export class OAuthError extends Error {
  constructor (
    readonly error: 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unauthorized_client' | 'unsupported_grant_type' | 'invalid_scope' | 'unsupported_token_type',
    readonly description: string,
    readonly statusCode = error === 'invalid_client' ? 401 : 400
  ) {
    super(description)
  }
}
