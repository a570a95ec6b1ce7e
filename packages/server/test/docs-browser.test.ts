/// <reference lib="dom" />
import t from 'tap'
import type { Request } from 'playwright-core'
import { browserSession, browserSkip } from './browser.js'

const LIST_AGENTS = '[id="sentryagent-api/tag/agents/GET/api/v1/agents"]'

t.test('in headless Chromium, offline: /docs gets a token through the client-credentials flow and calls the API', { skip: browserSkip }, async (t) => {
  const { origin, admin, page, scriptErrors } = await browserSession(t, { width: 1400, height: 1000 })
  // Anything not served by this server is refused and remembered: the explorer must not need it.
  const elsewhere: string[] = []
  await page.route('**/*', async (route) => {
    if (new URL(route.request().url()).origin === origin) return route.continue()
    elsewhere.push(route.request().url())
    return route.abort('blockedbyclient')
  })

  await page.goto(`${origin}/docs`)
  await page.getByRole('combobox', { name: 'Client ID' }).first().click()
  await page.keyboard.type(admin.clientId)
  await page.getByLabel('Client Secret').first().fill(admin.clientSecret)
  const tokenResponse = page.waitForResponse((response) => response.url() === `${origin}/api/v1/token`)
  await page.getByRole('button', { name: 'Authorize' }).first().click()
  const token = await tokenResponse
  t.equal(token.status(), 200, 'the explorer ran the client-credentials flow against this server')
  const accessToken = (await token.json() as { access_token: string }).access_token

  await page.locator('li[data-sidebar-id="sentryagent-api/tag/agents"] a').first().click()
  await page.getByRole('link', { name: /List the organization's agents/ }).first().click()
  await page.locator(LIST_AGENTS).getByRole('button', { name: /Test Request/ }).first().click()
  const listResponse = page.waitForResponse((response) => response.url().startsWith(`${origin}/api/v1/agents?`))
  await page.getByRole('button', { name: /Send/ }).first().click()
  const list = await listResponse
  const request: Request = list.request()
  t.equal(await request.headerValue('authorization'), `Bearer ${accessToken}`, 'the call carries the token the flow got')
  t.equal(list.status(), 200)
  t.match(await list.json(), { data: [{ agentId: admin.agentId, organizationId: admin.organizationId }] })
  await page.getByText(admin.organizationId).first().waitFor()

  t.same(elsewhere, [], 'no request left this server (no CDN, fonts, telemetry or proxy)')
  t.same(scriptErrors, [], 'no script errors')
})
