import createError from '@fastify/error'

// API errors (UPPER_SNAKE, the platform dialect); the error handler renders `{ code, message, details }`.
export const DelegationNotFoundError = createError<[string]>('DELEGATION_NOT_FOUND', 'Delegation %s not found', 404)
export const SelfDelegationError = createError<[]>('SELF_DELEGATION', 'An agent cannot delegate to itself', 400)
export const ScopeEscalationError = createError<[string]>('DELEGATION_SCOPE_ESCALATION', 'Scopes not held by the delegator: %s', 403)
export const ParentDelegationInvalidError = createError<[string]>('PARENT_DELEGATION_INVALID', 'The parent delegation is not valid: %s', 403)
export const NotParentDelegateeError = createError<[]>('NOT_PARENT_DELEGATEE', 'Only the delegatee of the parent delegation may re-delegate it', 403)
export const ParentDelegationRequiredError = createError<[]>('PARENT_DELEGATION_REQUIRED', 'A token obtained through a delegation can only re-delegate that delegation (pass it as parentDelegationToken)', 403)
export const DelegationTtlError = createError<[string]>('DELEGATION_TTL_EXCEEDS_PARENT', '%s', 400)
export const DelegationDepthError = createError<[number]>('DELEGATION_DEPTH_EXCEEDED', 'The tier allows delegation chains of at most %d links', 403)
export const DelegationCycleError = createError<[string]>('DELEGATION_CYCLE', 'Agent %s is already on this delegation chain', 409)
export const DelegationLimitError = createError<[number]>('DELEGATION_LIMIT_EXCEEDED', 'The delegator already has %d live delegations', 409)
export const NoSigningCredentialError = createError<[string]>('NO_SIGNING_CREDENTIAL', 'Agent %s has no usable credential to sign delegations with', 409)

// Coded errors for invalid plugin options: thrown once at registration.
export const InvalidOptionError = createError<[string]>('SENTRYAGENT_DELEGATION_INVALID_OPTION', 'Invalid @sentryagent/plugin-delegation option: %s', 500)
export const MissingCoreError = createError<[]>('SENTRYAGENT_DELEGATION_MISSING_CORE', '@sentryagent/plugin-delegation needs @sentryagent/core registered first', 500)
