import { readFile } from 'node:fs/promises'
import type { FastifyPluginAsync } from 'fastify'

const ASSETS = new URL('../../assets/dashboard/', import.meta.url)
const FILES = {
  'dashboard.js': 'text/javascript; charset=utf-8',
  'charts.js': 'text/javascript; charset=utf-8',
  'dashboard.css': 'text/css; charset=utf-8'
} as const

/** The dashboard: one static page and its own scripts, nothing fetched from elsewhere. */
export const dashboardRoutes: FastifyPluginAsync<{ apiPrefix: string }> = async (fastify, { apiPrefix }) => {
  const page = (await readFile(new URL('index.html', ASSETS), 'utf8')).replace('%API_PREFIX%', apiPrefix)
  const files = new Map(await Promise.all(Object.keys(FILES).map(async (name) => [name, await readFile(new URL(name, ASSETS), 'utf8')] as const)))
  const headers = { 'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'", 'x-content-type-options': 'nosniff' }

  fastify.get('/dashboard', { schema: { hide: true } }, async (_request, reply) =>
    reply.headers(headers).type('text/html; charset=utf-8').send(page))

  fastify.get<{ Params: { file: keyof typeof FILES } }>('/dashboard/:file', {
    schema: { hide: true, params: { type: 'object', properties: { file: { type: 'string', enum: Object.keys(FILES) } }, required: ['file'] } }
  }, async (request, reply) =>
    reply.headers({ ...headers, 'cache-control': 'no-cache' }).type(FILES[request.params.file]).send(files.get(request.params.file)))
}
