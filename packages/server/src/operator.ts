import { randomBytes, timingSafeEqual } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { FastifyPluginAsync } from 'fastify'
import { Type, type Static } from 'typebox'
import { ErrorResponse, UnauthorizedError } from '@sentryagent/core'
import { isProcessAlive } from './data-dir-lock.js'

/**
 * The embedded database admits one process, so while an embedded server runs, the CLI's
 * operator commands go through it. The operator token sits in a 0600 file in the data
 * directory: whoever may read the data may administer it, nobody else.
 */
export const OPERATOR_FILE = 'server.json'

export interface OperatorHandle { url: string, operatorToken: string, pid: number }

const CreateOrganization = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 128 }),
  tier: Type.Enum(['free', 'pro', 'enterprise'])
}, { additionalProperties: false })

const CreatedOrganization = Type.Object({ organizationId: Type.String(), agentId: Type.String(), clientId: Type.String(), clientSecret: Type.String() })

export const operatorRoutes: FastifyPluginAsync<{ dataDir: string }> = async (fastify, { dataDir }) => {
  const token = randomBytes(32)
  const expected = Buffer.from(token.toString('base64url'))
  const file = join(dataDir, OPERATOR_FILE)

  fastify.post<{ Body: Static<typeof CreateOrganization> }>('/internal/operator/organizations', {
    // Checked before the body is read: strangers learn nothing, not even what the body should be.
    onRequest: async (request) => {
      const presented = Buffer.from(String(request.headers['x-sentryagent-operator'] ?? ''))
      if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) throw new UnauthorizedError('Operator token required')
    },
    schema: { hide: true, body: CreateOrganization, response: { 201: CreatedOrganization, 400: ErrorResponse, 401: ErrorResponse } }
  }, async (request, reply) => {
    const created = await fastify.sentryagent.organizations.create(request.body.name, request.body.tier)
    return reply.status(201).header('cache-control', 'no-store').send(created)
  })

  // Written synchronously as the socket opens, before listen() resolves (onListen hooks run
  // only after): a CLI started as soon as the server says it is up must find it.
  fastify.server.once('listening', () => {
    const address = fastify.server.address()
    if (address === null || typeof address === 'string') return
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
    const handle: OperatorHandle = { url: `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${address.port}`, operatorToken: expected.toString(), pid: process.pid }
    try {
      writeFileSync(file, JSON.stringify(handle), { mode: 0o600 })
    } catch (error) {
      fastify.log.error({ err: error }, 'cannot write the operator handle: the CLI will not find this server')
    }
  })
  fastify.addHook('onClose', async () => { await rm(file, { force: true }) })
}

/** The embedded server running on this data directory, if any: it owns the database then. */
export async function runningEmbeddedServer (dataDir: string): Promise<OperatorHandle | undefined> {
  let handle: OperatorHandle
  try {
    handle = JSON.parse(await readFile(join(dataDir, OPERATOR_FILE), 'utf8')) as OperatorHandle
  } catch {
    return undefined
  }
  return isProcessAlive(handle.pid) ? handle : undefined
}
