import { existsSync } from 'node:fs'
import type { Test } from 'tap'
import { chromium, type Page } from 'playwright-core'
import type { CreatedOrganization } from '@sentryagent/core'
import { adminSession, buildApp, freePort } from './helpers.js'

const CHROMIUM = '/usr/bin/chromium'
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']

/** Why a browser test can't run here (CI must have Chromium: .ci/run installs it), or false. */
export const browserSkip: string | false = !existsSync(CHROMIUM) && process.env.CI === undefined && `${CHROMIUM} is missing`

export interface BrowserSession {
  origin: string
  admin: CreatedOrganization & { authorization: string }
  page: Page
  /** Uncaught script errors. */
  scriptErrors: string[]
  /** Console errors: a resource the page's CSP blocks shows up here. */
  consoleErrors: string[]
}

/**
 * The server listening on a free loopback port (its public URL that origin), an organization's
 * admin, and a page in headless Chromium; all closed when the test ends.
 */
export async function browserSession (t: Test, viewport?: { width: number, height: number }): Promise<BrowserSession> {
  const port = await freePort()
  const origin = `http://127.0.0.1:${port}`
  const app = await buildApp(t, { PUBLIC_URL: origin })
  const admin = await adminSession(app)
  await app.listen({ host: '127.0.0.1', port })
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
  t.teardown(() => browser.close())
  const page = await browser.newPage(viewport === undefined ? {} : { viewport })
  const scriptErrors: string[] = []
  const consoleErrors: string[] = []
  page.on('pageerror', (error) => scriptErrors.push(error.message))
  page.on('console', (message) => { if (message.type() === 'error') consoleErrors.push(message.text()) })
  return { origin, admin, page, scriptErrors, consoleErrors }
}
