import { existsSync } from 'node:fs'
import t from 'tap'
import { chromium } from 'playwright-core'
import { adminSession, buildApp, freePort } from './helpers.js'

const CHROMIUM = '/usr/bin/chromium'
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']

// The analytics package tests its page on a bare app; here it runs under the server's security headers.
const skip = !existsSync(CHROMIUM) && process.env.CI === undefined
t.test('in headless Chromium, under the server\'s headers: the dashboard signs in and loads its data', { skip: skip && `${CHROMIUM} is missing` }, async (t) => {
  const port = await freePort()
  const origin = `http://127.0.0.1:${port}`
  const app = await buildApp(t, { PUBLIC_URL: origin })
  const admin = await adminSession(app)
  await app.listen({ host: '127.0.0.1', port })

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
  t.teardown(() => browser.close())
  const page = await browser.newPage()
  // A script or style the policy blocks shows up as a console error.
  const problems: string[] = []
  page.on('pageerror', (error) => problems.push(error.message))
  page.on('console', (message) => { if (message.type() === 'error') problems.push(message.text()) })

  const response = await page.goto(`${origin}/dashboard`)
  t.equal(response?.headers()['x-frame-options'], 'DENY')
  await page.fill('input[name=clientId]', admin.clientId)
  await page.fill('input[name=clientSecret]', admin.clientSecret)
  await page.click('#sign-in button')
  await page.waitForSelector('body[data-state=ready]', { timeout: 15_000 })
  t.match(await page.textContent('#summary'), /API calls/)
  t.same(problems, [], 'no script error and no blocked resource')
})
