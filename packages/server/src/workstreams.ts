import type { FastifyInstance } from 'fastify'
import delegationPlugin from '@sentryagent/plugin-delegation'
import analyticsPlugin from '@sentryagent/plugin-analytics'
import tiersPlugin from '@sentryagent/plugin-tiers'
import scaffoldPlugin from '@sentryagent/plugin-scaffold'
import agntcyPlugin from '@sentryagent/plugin-agntcy'
import type { ServerConfig } from './config.js'
import type { Runtime } from './runtime.js'

/**
 * The Phase 5 workstream plugins, each behind its flag: a disabled workstream registers no
 * routes and no jobs, so its paths answer 404. Registered after core, under the API prefix.
 */
export async function registerWorkstreams (app: FastifyInstance, config: ServerConfig, runtime: Runtime): Promise<void> {
  const prefix = config.apiPrefix
  if (config.features.a2a) await app.register(delegationPlugin, { prefix })
  // BullMQ on the production Redis; embedded mode (no Redis) runs the job from an in-process timer.
  if (config.features.analytics) await app.register(analyticsPlugin, { prefix, ...(runtime.redis === undefined ? {} : { redis: runtime.redis }) })
  // The tier limiter itself is registered in server.ts, before core's routes.
  if (config.features.tierRateLimiting) {
    await app.register(tiersPlugin, {
      prefix,
      ...(config.stripe === undefined ? {} : { stripe: config.stripe }),
      ...(config.billingSuccessUrl === undefined ? {} : { successUrl: config.billingSuccessUrl }),
      ...(config.billingCancelUrl === undefined ? {} : { cancelUrl: config.billingCancelUrl })
    })
  }
  // Starters point at config.publicUrl, which core already holds.
  if (config.features.scaffold) await app.register(scaffoldPlugin, { prefix })
  if (config.features.agntcy) await app.register(agntcyPlugin, { prefix })
}
