import t from 'tap'
import { browserSession, browserSkip } from './browser.js'

// The analytics package tests its page on a bare app; here it runs under the server's security headers.
t.test('in headless Chromium, under the server\'s headers: the dashboard signs in and loads its data', { skip: browserSkip }, async (t) => {
  const { origin, admin, page, scriptErrors, consoleErrors } = await browserSession(t)

  const response = await page.goto(`${origin}/dashboard`)
  t.equal(response?.headers()['x-frame-options'], 'DENY')
  await page.fill('input[name=clientId]', admin.clientId)
  await page.fill('input[name=clientSecret]', admin.clientSecret)
  await page.click('#sign-in button')
  await page.waitForSelector('body[data-state=ready]', { timeout: 15_000 })
  t.match(await page.textContent('#summary'), /API calls/)
  t.same([...scriptErrors, ...consoleErrors], [], 'no script error and no blocked resource')
})
