import type { FastifyInstance } from 'fastify'
import yauzl from 'yauzl'
import type { CoreOptions } from '@sentryagent/core'
import scaffoldPlugin, { type ScaffoldOptions } from '../src/index.js'
import { testApp, testKeys, type Teardown } from '@sentryagent/test-app'
import { freePort } from '@sentryagent/test-support'

export { testKeys, type Teardown }
export const PREFIX = '/api/v1'

/** A fresh app (core + scaffold) on the test PostgreSQL and Redis, closed when the test ends; `setup` runs first (hooks). */
export async function buildApp (t: Teardown, options: ScaffoldOptions = {}, core: Partial<CoreOptions> = {},
  setup: (app: FastifyInstance) => void = () => {}): Promise<FastifyInstance> {
  const { app, registerCore } = testApp(t, { poolMax: 5 })
  setup(app)
  await registerCore(core)
  await app.register(scaffoldPlugin, { prefix: PREFIX, ...options })
  await app.ready()
  return app
}

/** An app listening on 127.0.0.1 whose public URL is its own address: starters call it for real. */
export async function liveApp (t: Teardown): Promise<{ app: FastifyInstance, url: string }> {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const app = await buildApp(t, {}, { publicUrl: url })
  await app.listen({ port, host: '127.0.0.1' })
  return { app, url }
}

export interface Tenant {
  organizationId: string
  /** Bearer header of the organization's admin agent. */
  authorization: string
  /** An agent with `agents:read` and a credential: what a starter authenticates as. */
  agent: { agentId: string, email: string, clientSecret: string }
  /** Every secret the tenant has: none may appear in a starter. */
  secrets: string[]
}

export async function accessToken (app: FastifyInstance, clientId: string, clientSecret: string, scope?: string): Promise<string> {
  const response = await app.inject({ method: 'POST', url: `${PREFIX}/token`, payload: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, ...(scope === undefined ? {} : { scope }) } })
  if (response.statusCode !== 200) throw new Error(`token request failed: ${response.statusCode} ${response.body}`)
  return response.json<{ access_token: string }>().access_token
}

/** A new organization with one agent (named by `emailLocalPart`) that has a credential. */
export async function createTenant (app: FastifyInstance, emailLocalPart = `starter-${Math.random().toString(36).slice(2, 8)}`): Promise<Tenant> {
  const { organizations, agents, credentials } = app.sentryagent
  const organization = await organizations.create(`Scaffold test ${Math.random().toString(36).slice(2, 8)}`, 'free')
  const actor = { organizationId: organization.organizationId, agentId: organization.agentId }
  const agent = await agents.create(actor, {
    email: `${emailLocalPart}@${process.pid}-${Date.now()}.example.com`,
    agentType: 'custom', version: '1.0.0', capabilities: ['agents:read'], owner: 'scaffold-tests', deploymentEnv: 'development'
  })
  const credential = await credentials.create(actor, agent.agentId, null)
  const token = await accessToken(app, organization.clientId, organization.clientSecret)
  return {
    organizationId: organization.organizationId,
    authorization: `Bearer ${token}`,
    agent: { agentId: agent.agentId, email: agent.email, clientSecret: credential.clientSecret },
    secrets: [organization.clientSecret, credential.clientSecret]
  }
}

export function scaffoldUrl (agentId: string, language?: string): string {
  return `${PREFIX}/sdk/scaffold/${agentId}${language === undefined ? '' : `?language=${encodeURIComponent(language)}`}`
}

export interface ZipEntry { name: string, mode: number, directory: boolean, content: string }

/** Every entry of a ZIP, with its Unix permissions. */
export async function readZip (zip: Buffer): Promise<ZipEntry[]> {
  const archive = await new Promise<yauzl.ZipFile>((resolve, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true }, (error, file) => { if (error === null) resolve(file); else reject(error) })
  })
  const entries: ZipEntry[] = []
  await new Promise<void>((resolve, reject) => {
    archive.on('error', reject)
    archive.on('end', resolve)
    archive.on('entry', (entry: yauzl.Entry) => {
      archive.openReadStream(entry, (error, stream) => {
        if (error !== null) { reject(error); return }
        const chunks: Buffer[] = []
        stream.on('data', (chunk: Buffer) => chunks.push(chunk))
        stream.on('error', reject)
        stream.on('end', () => {
          entries.push({ name: entry.fileName, mode: (entry.externalFileAttributes >>> 16) & 0o777, directory: entry.fileName.endsWith('/'), content: Buffer.concat(chunks).toString('utf8') })
          archive.readEntry()
        })
      })
    })
    archive.readEntry()
  })
  return entries
}
