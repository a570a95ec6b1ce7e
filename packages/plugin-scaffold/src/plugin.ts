import type { FastifyPluginAsync } from 'fastify'
import { resolveOptions, type ScaffoldOptions } from './options.js'
import { TemplateLibrary } from './templates.js'
import { ScaffoldService } from './service.js'
import { scaffoldRoutes } from './routes/scaffold.js'
import { MissingCoreError } from './errors.js'

/** Starter project downloads on top of @sentryagent/core, under the host's prefix. */
export const scaffoldPlugin: FastifyPluginAsync<ScaffoldOptions> = async (fastify, rawOptions) => {
  const options = resolveOptions(rawOptions)
  if (!fastify.hasDecorator('sentryagent')) throw new MissingCoreError()
  const core = fastify.sentryagent
  const service = new ScaffoldService({
    agents: core.agents,
    templates: await TemplateLibrary.load(options.templatesDirectory),
    audit: core.audit,
    metrics: core.metrics,
    clock: core.clock,
    apiUrl: options.apiUrl ?? core.options.publicUrl,
    apiPrefix: core.options.prefix
  })
  await fastify.register(scaffoldRoutes, { service, downloadsPerMinute: options.downloadsPerMinute })
}
