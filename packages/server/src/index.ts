export { buildServer, SERVER_VERSION, REDACTED_LOG_PATHS, type BuildOptions } from './server.js'
export { readConfig, ConfigError, type ServerConfig, type FeatureFlags } from './config.js'
export { openRuntime, type Runtime } from './runtime.js'
export { OPERATOR_FILE, type OperatorHandle } from './operator.js'
