import t from 'tap'
import { randomInt } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { buildApp, createOrganization } from './helpers.js'

// Tokens come straight from the service so that the token endpoint's own (per address) limit stays out of the way.
async function tenant (app: FastifyInstance): Promise<{ agentId: string, authorization: string }> {
  const { clientId, clientSecret, agentId } = await createOrganization(app)
  const { access_token: token } = await app.sentryagent.tokens.issueForClient(clientId, clientSecret, undefined)
  return { agentId, authorization: `Bearer ${token}` }
}

const getAgent = (app: FastifyInstance, { agentId, authorization }: { agentId: string, authorization: string }) =>
  app.inject({ url: `/api/v1/agents/${agentId}`, headers: { authorization } })

// An address no other test uses, so counts left in the shared Redis don't interfere.
const someAddress = (): string => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`

t.test('the request after the limit answers 429 RATE_LIMITED with the standard headers', async (t) => {
  const app = await buildApp(t, { TIER_RATE_LIMITING_ENABLED: 'false', RATE_LIMIT_PER_MINUTE: '3' })
  const caller = await tenant(app)
  for (const remaining of [2, 1, 0]) {
    const response = await getAgent(app, caller)
    t.equal(response.statusCode, 200)
    t.equal(response.headers['x-ratelimit-limit'], '3')
    t.equal(response.headers['x-ratelimit-remaining'], String(remaining))
  }

  const limited = await getAgent(app, caller)
  t.equal(limited.statusCode, 429)
  const body = limited.json()
  t.equal(body.code, 'RATE_LIMITED')
  t.equal(body.details.limit, 3)
  t.ok(body.details.retryAfter > 0 && body.details.retryAfter <= 60, `retryAfter ${body.details.retryAfter} s`)
  t.equal(limited.headers['retry-after'], String(body.details.retryAfter))
  t.equal(limited.headers['x-ratelimit-limit'], '3')
  t.equal(limited.headers['x-ratelimit-remaining'], '0')
  t.ok(Number(limited.headers['x-ratelimit-reset']) > 0)
})

t.test('one tenant\'s traffic does not limit another', async (t) => {
  const app = await buildApp(t, { TIER_RATE_LIMITING_ENABLED: 'false', RATE_LIMIT_PER_MINUTE: '3' })
  const busy = await tenant(app)
  const quiet = await tenant(app)
  for (let i = 0; i < 4; i++) await getAgent(app, busy)
  t.equal((await getAgent(app, busy)).statusCode, 429)
  const response = await getAgent(app, quiet)
  t.equal(response.statusCode, 200)
  t.equal(response.headers['x-ratelimit-remaining'], '2')
})

t.test('the limit is global across instances sharing Redis', async (t) => {
  const first = await buildApp(t, { TIER_RATE_LIMITING_ENABLED: 'false', RATE_LIMIT_PER_MINUTE: '3' })
  const second = await buildApp(t, { TIER_RATE_LIMITING_ENABLED: 'false', RATE_LIMIT_PER_MINUTE: '3' })
  const caller = await tenant(first)
  t.equal((await getAgent(first, caller)).statusCode, 200)
  t.equal((await getAgent(second, caller)).statusCode, 200)
  t.equal((await getAgent(first, caller)).statusCode, 200)
  const limited = await getAgent(second, caller)
  t.equal(limited.statusCode, 429, 'the fourth request overall is refused, whichever instance gets it')
  t.equal(limited.json().code, 'RATE_LIMITED')
})

t.test('unauthenticated routes are limited per client address', async (t) => {
  const app = await buildApp(t, { TIER_RATE_LIMITING_ENABLED: 'false', RATE_LIMIT_PER_MINUTE: '3' })
  const address = someAddress()
  const discovery = (remoteAddress: string) => app.inject({ url: '/.well-known/jwks.json', remoteAddress })
  for (let i = 0; i < 3; i++) t.equal((await discovery(address)).statusCode, 200)
  const limited = await discovery(address)
  t.equal(limited.statusCode, 429)
  t.equal(limited.json().code, 'RATE_LIMITED')
  t.equal((await discovery(someAddress())).statusCode, 200, 'another address is unaffected')
})

t.test('behind a trusted balancer each client has its own budget; others cannot pick their address', async (t) => {
  for (const tiers of ['false', 'true']) {
    const app = await buildApp(t, { TIER_RATE_LIMITING_ENABLED: tiers, RATE_LIMIT_PER_MINUTE: '3', TRUST_PROXY: '10.0.0.0/8' })
    const balancer = someAddress()
    const discovery = (remoteAddress: string, client: string) =>
      app.inject({ url: '/.well-known/jwks.json', remoteAddress, headers: { 'x-forwarded-for': client } })
    const [first, second] = [`203.0.113.${randomInt(1, 255)}`, `198.51.100.${randomInt(1, 255)}`]
    for (let i = 0; i < 3; i++) t.equal((await discovery(balancer, first)).statusCode, 200)
    t.equal((await discovery(balancer, first)).statusCode, 429, `tiers ${tiers}: the client behind the balancer is limited`)
    t.equal((await discovery(balancer, second)).statusCode, 200, `tiers ${tiers}: another client behind the same balancer is not`)

    const untrusted = `192.0.2.${randomInt(1, 255)}`
    for (let i = 0; i < 3; i++) t.equal((await discovery(untrusted, `203.0.113.${i}`)).statusCode, 200)
    t.equal((await discovery(untrusted, '203.0.113.99')).statusCode, 429, `tiers ${tiers}: an untrusted peer's X-Forwarded-For is ignored`)
  }
})

t.test('health probes and metric scrapes are never limited', async (t) => {
  const app = await buildApp(t, { TIER_RATE_LIMITING_ENABLED: 'false', RATE_LIMIT_PER_MINUTE: '3' })
  const address = someAddress()
  for (let i = 0; i < 5; i++) {
    for (const url of ['/health', '/health/detailed', '/metrics']) {
      t.equal((await app.inject({ url, remoteAddress: address })).statusCode, 200, `${url} #${i + 1}`)
    }
  }
})

t.test('RATE_LIMIT_ENABLED=false never answers 429', async (t) => {
  const app = await buildApp(t, { TIER_RATE_LIMITING_ENABLED: 'false', RATE_LIMIT_ENABLED: 'false', RATE_LIMIT_PER_MINUTE: '3' })
  const caller = await tenant(app)
  for (let i = 0; i < 6; i++) {
    const response = await getAgent(app, caller)
    t.equal(response.statusCode, 200)
    t.notOk(response.headers['x-ratelimit-limit'], 'no limiter headers')
  }
})
