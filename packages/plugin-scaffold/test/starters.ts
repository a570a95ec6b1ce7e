import { execFile } from 'node:child_process'
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import t, { type Test } from 'tap'
import type { Language } from '../src/index.js'
import { liveApp, createTenant, readZip, type ZipEntry } from './helpers.js'

export interface Run { code: number | null, stdout: string, stderr: string }

/** Runs a command to its end (killed after `timeoutMs`), never throwing on a non-zero exit. */
export async function run (command: string, args: string[], options: { cwd?: string, env?: NodeJS.ProcessEnv, timeoutMs: number }): Promise<Run> {
  return new Promise((done) => {
    execFile(command, args, { cwd: options.cwd, env: options.env ?? process.env, timeout: options.timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null
      done({ code, stdout, stderr: error !== null && code === null ? `${stderr}\n${error.message}` : stderr })
    })
  })
}

/** The toolchain's version line, or undefined when it is not installed. */
export async function toolchain (command: string, args = ['--version']): Promise<string | undefined> {
  const result = await run(command, args, { timeoutMs: 30_000 }).catch(() => undefined)
  return result?.code === 0 ? (result.stdout + result.stderr).trim().split('\n')[0] : undefined
}

/** The starter's files on disk, as a user's unzip leaves them (Unix modes kept). */
async function unpack (entries: ZipEntry[], into: string): Promise<string> {
  for (const entry of entries) {
    const target = resolve(into, entry.name)
    if (!target.startsWith(into + '/')) throw new Error(`entry ${entry.name} escapes the folder`)
    if (entry.directory) { await mkdir(target, { recursive: true }); continue }
    await mkdir(dirname(target), { recursive: true })
    await writeFile(target, entry.content)
    await chmod(target, entry.mode)
  }
  const roots = new Set(entries.map((entry) => entry.name.split('/')[0]))
  if (roots.size !== 1) throw new Error(`expected one root folder, got ${[...roots].join(', ')}`)
  return join(into, [...roots][0]!)
}

export interface StarterRecipe {
  language: Language
  /** The toolchain probe: command and arguments. */
  toolchain: [string, ...string[]]
  /** Offline preparation a real user does with their package manager (linking the workspace's compiler). */
  prepare?: (directory: string) => Promise<void>
  /** Build steps, each bounded by `buildTimeoutMs`. */
  build: Array<[string, ...string[]]>
  /** Runs the built program. */
  start: (directory: string) => [string, ...string[]]
  buildTimeoutMs: number
  /** Extra environment for the build (a shared target directory). */
  buildEnv?: NodeJS.ProcessEnv
}

/**
 * A test that downloads a starter from a live server, checks the ZIP, unpacks it, builds it
 * with the language's toolchain and runs it against that server: with the real secret it
 * prints the agent; with a wrong one it fails readably with a non-zero exit. Without the
 * toolchain the test is reported as skipped, saying which one is missing.
 */
export async function testStarter (name: string, recipe: StarterRecipe): Promise<void> {
  const [command, ...args] = recipe.toolchain
  const version = await toolchain(command, args)
  const skip = version === undefined && `${command} is not installed: the ${recipe.language} starter is not built or run here`
  t.test(name, { skip }, async (t) => {
    t.comment(`${recipe.language} toolchain: ${version ?? ''}`)
    await checkStarter(t, recipe)
  })
}

async function checkStarter (t: Test, recipe: StarterRecipe): Promise<void> {
  const { app, url } = await liveApp(t)
  const tenant = await createTenant(app, `${recipe.language}-starter`)
  const response = await fetch(`${url}/api/v1/sdk/scaffold/${tenant.agent.agentId}?language=${recipe.language}`, { headers: { authorization: tenant.authorization } })
  t.equal(response.status, 200, 'downloaded')
  const entries = await readZip(Buffer.from(await response.arrayBuffer()))
  for (const entry of entries) for (const secret of tenant.secrets) t.notOk(entry.content.includes(secret), `no secret in ${entry.name}`)
  t.ok(entries.some((entry) => entry.content.includes(`AGENTIDP_CLIENT_ID=${tenant.agent.agentId}`)), 'the client id is filled in')

  const workspace = await mkdtemp(join(tmpdir(), `sentryagent-starter-${recipe.language}-`))
  t.teardown(() => rm(workspace, { recursive: true, force: true }))
  const directory = await unpack(entries, workspace)
  t.equal(entries.find((entry) => entry.name.endsWith('/.gitignore'))?.content.split('\n')[0], '.env', '.gitignore starts with .env')
  await recipe.prepare?.(directory)

  const started = Date.now()
  for (const [command, ...args] of recipe.build) {
    const built = await run(command, args, { cwd: directory, env: { ...process.env, ...recipe.buildEnv }, timeoutMs: recipe.buildTimeoutMs })
    if (built.code !== 0) {
      t.fail(`${command} ${args.join(' ')} failed (${built.code ?? 'timed out'}):\n${built.stdout}\n${built.stderr}`.slice(0, 4000))
      return
    }
  }
  t.comment(`${recipe.language} starter built in ${((Date.now() - started) / 1000).toFixed(1)} s`)

  const [command, ...args] = recipe.start(directory)
  const env = { ...process.env, AGENTIDP_API_URL: url, AGENTIDP_CLIENT_ID: tenant.agent.agentId }
  const ran = await run(command, args, { cwd: directory, env: { ...env, AGENTIDP_CLIENT_SECRET: tenant.agent.clientSecret }, timeoutMs: 60_000 })
  t.equal(ran.code, 0, `the starter ran: ${ran.stderr}`)
  t.match(ran.stdout, new RegExp(`"agentId":\\s*"${tenant.agent.agentId}"`), 'it prints the agent')
  t.match(ran.stdout, tenant.agent.email, 'with its e-mail')

  const refused = await run(command, args, { cwd: directory, env: { ...env, AGENTIDP_CLIENT_SECRET: 'not-the-secret' }, timeoutMs: 60_000 })
  t.not(refused.code, 0, 'a wrong secret exits non-zero')
  t.match(refused.stderr, /invalid_client/, 'and says why')
  t.notMatch(refused.stderr, /^\s+at /m, 'without a stack trace')
}
