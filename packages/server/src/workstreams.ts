import type { FastifyInstance } from 'fastify'
import type { ServerConfig } from './config.js'
import type { Runtime } from './runtime.js'

/**
 * The Phase 5 workstream plugins, each behind its flag: a disabled workstream registers no
 * routes and no jobs, so its paths answer 404. Registered after core, under the API prefix.
 */
export async function registerWorkstreams (app: FastifyInstance, config: ServerConfig, runtime: Runtime): Promise<void> {
  const prefix = config.apiPrefix
  void app; void runtime; void prefix
}
