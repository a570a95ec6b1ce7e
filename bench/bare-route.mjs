// The baseline every bench ratio is taken against: Fastify answering a constant, no work at all.
import Fastify from 'fastify'

export const HOST = '127.0.0.1' // traffic never leaves the loopback interface

/** Starts `METHOD /bare` on a free port; answers its URL and how to stop it. */
export async function startBareRoute (method = 'GET') {
  const app = Fastify({ logger: false })
  app.route({ method, url: '/bare', handler: async () => ({ ok: true }) })
  await app.listen({ host: HOST, port: 0 })
  return { url: `http://${HOST}:${app.server.address().port}/bare`, close: () => app.close() }
}
