/// <reference lib="dom" />
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { chromium, type Browser } from 'playwright-core'
import { adminSession, buildApp, createAgent, insertUsage } from './helpers.js'

const CHROMIUM = '/usr/bin/chromium'
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']
const day = (daysAgo: number): string => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10)

t.test('GET /dashboard serves the page and its own assets, nothing from elsewhere', async (t) => {
  const app = await buildApp(t)
  const page = await app.inject({ method: 'GET', url: '/dashboard' })
  t.equal(page.statusCode, 200)
  t.match(page.headers['content-type'], /text\/html/)
  t.match(page.body, '<meta name="api-prefix" content="/api/v1">')
  t.notMatch(page.body, /https?:\/\//, 'no CDN')
  t.match(page.headers['content-security-policy'], "default-src 'self'")
  for (const [file, type] of [['dashboard.js', /javascript/], ['charts.js', /javascript/], ['dashboard.css', /text\/css/]] as const) {
    const asset = await app.inject({ method: 'GET', url: `/dashboard/${file}` })
    t.equal(asset.statusCode, 200, file)
    t.match(asset.headers['content-type'], type)
  }
  t.equal((await app.inject({ method: 'GET', url: '/dashboard/secrets.txt' })).statusCode, 400)
})

const skip = !existsSync(CHROMIUM) && process.env.CI === undefined
t.test('in headless Chromium: sign in with client credentials, then the charts draw the tenant\'s data', { skip: skip && `${CHROMIUM} is missing` }, async (t) => {
  const app = await buildApp(t)
  const admin = await adminSession(app, 'pro')
  const agents = [admin.agentId]
  for (let i = 0; i < 4; i++) agents.push((await createAgent(app, admin.authorization)).agentId)
  const rows = []
  for (let ago = 1; ago <= 30; ago++) {
    agents.forEach((agentId, index) => {
      if ((ago + index) % 4 !== 0) rows.push({ tenantId: admin.organizationId, agentId, metric: 'api_call', day: day(ago), count: 20 + ((ago * 37 + index * 11) % 180) })
    })
    rows.push({ tenantId: admin.organizationId, agentId: admin.agentId, metric: 'token_issued', day: day(ago), count: 5 + (ago * 13) % 40 })
    if (ago % 6 === 0) rows.push({ tenantId: admin.organizationId, agentId: agents[1]!, metric: 'credential_rotated', day: day(ago), count: 1 + ago % 3 })
  }
  await insertUsage(app, rows)
  await app.analytics.aggregator.aggregateRange(day(30), day(1))
  await app.analytics.aggregator.run()
  const address = await app.listen({ host: '127.0.0.1', port: 0 })

  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
  t.teardown(() => browser.close())
  const page = await browser.newPage({ viewport: { width: 1200, height: 1100 } })
  const external: string[] = []
  const problems: string[] = []
  page.on('pageerror', (error) => problems.push(error.message))
  page.on('console', (message) => { if (message.type() === 'error') problems.push(message.text()) })

  await page.goto(`${address}/dashboard`)
  await page.fill('input[name=clientId]', admin.clientId)
  await page.fill('input[name=clientSecret]', 'sk_live_wrong')
  await page.click('#sign-in button')
  await page.locator('#sign-in-error').filter({ hasText: /./ }).waitFor()
  t.ok(await page.isVisible('#sign-in'), 'a wrong secret keeps the sign-in form')

  await page.fill('input[name=clientSecret]', admin.clientSecret)
  await page.click('#sign-in button')
  await page.waitForSelector('body[data-state=ready]', { timeout: 15_000 })

  t.equal(await page.locator('#heatmap rect.cell').count(), agents.length * 30, 'one heatmap cell per agent and day')
  t.ok(await page.locator('#heatmap rect.cell:not([data-count="0"])').count() > 80, 'most cells hold counts')
  t.equal(await page.locator('#token-trend circle.point').count(), 30, 'one point per day')
  t.equal(await page.locator('#rotations rect.bar').count(), 5, 'one bar per day with rotations')
  t.match(await page.textContent('#summary'), /API calls/)

  // The range picker: one week.
  await page.fill('input[name=from]', day(7))
  await page.fill('input[name=to]', day(1))
  await page.click('#range button')
  await page.locator('#token-trend circle.point').nth(7).waitFor({ state: 'detached' })
  t.equal(await page.locator('#heatmap rect.cell').count(), agents.length * 7)
  await page.fill('input[name=from]', day(3))
  await page.fill('input[name=to]', day(5))
  await page.click('#range button')
  await page.locator('#range-error').filter({ hasText: /./ }).waitFor()
  t.match(await page.textContent('#range-error'), /from must not be after to/)

  await page.fill('input[name=from]', day(30))
  await page.fill('input[name=to]', day(1))
  await page.click('#range button')
  await page.locator('#token-trend circle.point').nth(29).waitFor()
  const directory = await mkdtemp(join(tmpdir(), 'analytics-dashboard-'))
  t.teardown(() => rm(directory, { recursive: true, force: true }))
  const screenshot = join(directory, 'dashboard.png')
  await page.screenshot({ path: process.env.DASHBOARD_SCREENSHOT ?? screenshot, fullPage: true })
  const png = await readFile(process.env.DASHBOARD_SCREENSHOT ?? screenshot)

  // Not blank: decode the PNG in a blank page and count its distinct colours.
  const colours = await (await browser.newPage()).evaluate(async (base64) => {
    const image = new Image()
    image.src = `data:image/png;base64,${base64}`
    await image.decode()
    const canvas = document.createElement('canvas')
    canvas.width = image.width
    canvas.height = image.height
    const context = canvas.getContext('2d')!
    context.drawImage(image, 0, 0)
    const { data } = context.getImageData(0, 0, image.width, image.height)
    const seen = new Set<number>()
    for (let i = 0; i < data.length; i += 4 * 7) seen.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!)
    return seen.size
  }, png.toString('base64'))
  t.ok(colours > 50, `the screenshot holds ${colours} colours`)
  t.same(external, [], 'no request left the server')
  t.same(problems.filter((problem) => !/status of 40[01]/.test(problem)), [], 'no script error')
})
