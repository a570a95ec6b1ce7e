import t from 'tap'
import { Redis } from 'ioredis'
import { decodeJwt } from 'jose'
import { accessToken, adminSession, buildApp, createAgent, redisUrl } from './helpers.js'

const revoke = (token: string, authorization: string) => ({ method: 'POST' as const, url: '/api/v1/token/revoke', headers: { authorization }, payload: { token } })

t.test('a token revoked with RFC 7009 is refused from then on', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization, token } = await adminSession(app)

  const revoked = await app.inject(revoke(token, authorization))
  t.equal(revoked.statusCode, 200, revoked.body)
  t.same(revoked.json(), {})
  const after = await app.inject({ url: '/api/v1/agents', headers: { authorization } })
  t.equal(after.statusCode, 401)
  t.equal(after.json().code, 'UNAUTHORIZED')
  t.match(after.headers['www-authenticate'], /error="invalid_token"/)
})

t.test('a revocation is seen by another instance sharing PostgreSQL and Redis', async (t) => {
  const first = await buildApp()
  t.teardown(() => first.close())
  const second = await buildApp()
  t.teardown(() => second.close())
  const { authorization, token } = await adminSession(first)
  t.equal((await second.inject({ url: '/api/v1/agents', headers: { authorization } })).statusCode, 200, 'the second instance has verified (and cached) the token')

  t.equal((await first.inject(revoke(token, authorization))).statusCode, 200)
  const refused = await second.inject({ url: '/api/v1/agents', headers: { authorization } })
  t.equal(refused.statusCode, 401)
  t.equal(refused.json().code, 'UNAUTHORIZED')
})

t.test('an instance started after Redis lost a revocation restores it from PostgreSQL', async (t) => {
  const first = await buildApp()
  t.teardown(() => first.close())
  const { authorization, token } = await adminSession(first)
  t.equal((await first.inject(revoke(token, authorization))).statusCode, 200)
  const redis = new Redis(redisUrl())
  t.teardown(() => redis.disconnect())
  t.equal(await redis.del(`{revocations}:token:${String(decodeJwt(token).jti)}`), 1, 'the hot copy is gone')

  const restarted = await buildApp()
  t.teardown(() => restarted.close())
  t.equal((await restarted.inject({ url: '/api/v1/agents', headers: { authorization } })).statusCode, 401)
})

t.test('a running instance refills the revocations a Redis lost before judging the next token', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization: admin } = await adminSession(app)
  const revokedToken = await adminSession(app)
  const agent = await createAgent(app, admin)
  const suspendedToken = await accessToken(app, agent.agentId, agent.clientSecret)
  t.equal((await app.inject(revoke(revokedToken.token, revokedToken.authorization))).statusCode, 200)
  t.equal((await app.inject({ method: 'PATCH', url: `/api/v1/agents/${agent.agentId}`, headers: { authorization: admin }, payload: { status: 'suspended' } })).statusCode, 200)
  const redis = new Redis(redisUrl())
  t.teardown(() => redis.disconnect())
  // What a Redis restarted without persistence holds of these: nothing, not even the restore mark.
  const lost = ['{revocations}:restored', `{revocations}:token:${String(decodeJwt(revokedToken.token).jti)}`, `{revocations}:agent_disabled:${agent.agentId}`]
  t.equal(await redis.del(...lost), 3)

  const [refusedRevoked, refusedSuspended] = await Promise.all([
    app.inject({ url: '/api/v1/agents', headers: { authorization: revokedToken.authorization } }),
    app.inject({ url: `/api/v1/agents/${agent.agentId}`, headers: { authorization: `Bearer ${suspendedToken}` } })
  ])
  t.equal(refusedRevoked.statusCode, 401, 'the revoked token is still refused')
  t.equal(refusedSuspended.statusCode, 401, 'the suspended agent\'s token is still refused')
  t.same(await redis.exists(...lost), 3, 'the hot copies are back')
  t.equal((await app.inject({ url: '/api/v1/agents', headers: { authorization: admin } })).statusCode, 200, 'a valid token still works')
})

t.test('an agent cannot revoke another agent\'s token without admin:orgs; an admin can', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization: admin } = await adminSession(app)
  const victim = await createAgent(app, admin)
  const other = await createAgent(app, admin)
  const victimToken = await accessToken(app, victim.agentId, victim.clientSecret)
  const otherToken = await accessToken(app, other.agentId, other.clientSecret)

  t.equal((await app.inject(revoke(victimToken, `Bearer ${otherToken}`))).statusCode, 200, 'RFC 7009 answers the same either way')
  t.equal((await app.inject({ url: '/api/v1/agents', headers: { authorization: `Bearer ${victimToken}` } })).statusCode, 200, 'still valid')

  t.equal((await app.inject(revoke(victimToken, admin))).statusCode, 200)
  t.equal((await app.inject({ url: '/api/v1/agents', headers: { authorization: `Bearer ${victimToken}` } })).statusCode, 401)
})

t.test('an admin cannot revoke another organization\'s token', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const mine = await adminSession(app)
  const theirs = await adminSession(app)

  t.equal((await app.inject(revoke(theirs.token, mine.authorization))).statusCode, 200)
  t.equal((await app.inject({ url: '/api/v1/agents', headers: { authorization: theirs.authorization } })).statusCode, 200)
})

t.test('revoking a token that is not valid answers 200 and changes nothing', async (t) => {
  const app = await buildApp()
  t.teardown(() => app.close())
  const { authorization } = await adminSession(app)

  t.equal((await app.inject(revoke('not-a-token', authorization))).statusCode, 200)
  t.equal((await app.inject({ url: '/api/v1/agents', headers: { authorization } })).statusCode, 200)
  t.equal((await app.inject({ ...revoke('x', authorization), headers: {} })).statusCode, 401, 'the caller must authenticate')
})
