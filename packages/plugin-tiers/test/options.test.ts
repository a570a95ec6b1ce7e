import t from 'tap'
import Fastify from 'fastify'
import { tierLimits, DEFAULTS, type TierLimitsOptions } from '../src/index.js'

const invalid: Array<Record<string, unknown>> = [
  { rateLimit: 'yes' },
  { anonymousPerMinute: 0 },
  { redisFailure: 'maybe' },
  { decisionTimeoutMs: 0 },
  { decisionTimeoutMs: 60_000 },
  { upgradeUrl: '' }
]

for (const options of invalid) {
  t.test(`refuses ${JSON.stringify(options)} at registration`, async (t) => {
    const app = Fastify()
    t.teardown(() => app.close())
    await t.rejects(async () => { await app.register(tierLimits, options as TierLimitsOptions).ready() }, { code: 'SENTRYAGENT_TIERS_INVALID_OPTION' })
  })
}

t.test('the defaults fail open within 50 ms', async (t) => {
  t.equal(DEFAULTS.redisFailure, 'open')
  t.equal(DEFAULTS.decisionTimeoutMs, 50)
})
