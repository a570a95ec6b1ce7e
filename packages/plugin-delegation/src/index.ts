import { delegationPlugin } from './plugin.js'

// Encapsulated on purpose: it shares no decorators, it extends core's services.
export default delegationPlugin
export { delegationPlugin, delegationMigrationsDirectory } from './plugin.js'
export { DEFAULTS, type DelegationOptions, type DepthLimits } from './options.js'
export { DelegationService, type DelegationServiceDependencies, type AgentLookup, type VerifiedChain } from './service.js'
export { DelegationRepository } from './repository.js'
export { LinkDirectory, INVALIDATION_CHANNEL, type KeySource, type SigningKey } from './link-directory.js'
export { TOKEN_EXCHANGE_GRANT, ACCESS_TOKEN_TYPE, DELEGATION_TOKEN_TYPE_URN } from './token-exchange.js'
export * from './errors.js'
export * from './schemas.js'
