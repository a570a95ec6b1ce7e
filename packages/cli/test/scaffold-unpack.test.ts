import t from 'tap'
import { lstat, mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { run } from '../src/run.js'
import { EXIT } from '../src/exit-codes.js'
import { buildZip, fakeApi, withRenamedEntry, zipHandler, type ZipEntrySpec } from './fake-api.js'
import { captureOutput, tempDir, type Teardown } from './helpers.js'

const AGENT = '6f0d3c1e-1b2a-4c3d-8e9f-0a1b2c3d4e5f'
const STARTER: ZipEntrySpec[] = [
  { name: 'starter/', directory: true },
  { name: 'starter/README.md', content: '# starter\n' },
  { name: 'starter/run.sh', content: '#!/bin/sh\necho run\n', mode: 0o755 },
  { name: 'starter/src/main.ts', content: 'console.log(1)\n' }
]

/** A workspace holding the target and, beside it, the place an escaping entry would reach. */
async function workspace (t: Teardown): Promise<{ root: string, target: string }> {
  const root = await tempDir(t)
  return { root, target: join(root, 'project', 'out') }
}

async function scaffoldFrom (url: string, target: string, extra: string[] = []): Promise<{ code: number, stdout: string, stderr: string }> {
  const output = captureOutput()
  const code = await run(['scaffold', '--agent-id', AGENT, '--language', 'typescript', '--out', target, ...extra], output, { AGENTIDP_API_URL: url, AGENTIDP_CLIENT_ID: 'id', AGENTIDP_CLIENT_SECRET: 'secret' })
  return { code, stdout: output.stdout(), stderr: output.stderr() }
}

/** Every path under `directory`, relative, sorted. */
async function tree (directory: string): Promise<string[]> {
  return (await readdir(directory, { recursive: true }).catch(() => [])).sort()
}

t.test('a starter unpacks without its root folder, with its file modes, and the next steps are printed', async (t) => {
  const api = await fakeApi(t)
  api.serve(zipHandler(await buildZip(STARTER)))
  const { target } = await workspace(t)
  const result = await scaffoldFrom(api.url, target)
  t.equal(result.code, 0, result.stderr)
  t.same(await tree(target), ['README.md', 'run.sh', 'src', 'src/main.ts'])
  t.equal((await stat(join(target, 'run.sh'))).mode & 0o777, 0o755, 'scripts stay executable')
  t.equal((await stat(join(target, 'README.md'))).mode & 0o777, 0o644)
  t.equal(await readFile(join(target, 'src/main.ts'), 'utf8'), 'console.log(1)\n')
  t.match(result.stdout, `Unpacked the typescript starter for agent ${AGENT} into ${target} (3 files).`)
  t.match(result.stdout, /Next steps:\n {2}cd .+\n {2}cp \.env\.example \.env .*\n {2}\.\/run\.sh/)
  t.match(api.requests, [/^POST \/api\/v1\/token$/, `GET /api/v1/sdk/scaffold/${AGENT}?language=typescript Bearer fake-token`])
})

t.test('without --out it unpacks into a new folder named after the root folder; --json says where', async (t) => {
  const api = await fakeApi(t)
  api.serve(zipHandler(await buildZip(STARTER)))
  const directory = await tempDir(t)
  const cwd = process.cwd()
  process.chdir(directory)
  t.teardown(() => { process.chdir(cwd) })
  const output = captureOutput()
  t.equal(await run(['scaffold', '--agent-id', AGENT, '--json'], output, { AGENTIDP_API_URL: api.url, AGENTIDP_CLIENT_ID: 'id', AGENTIDP_CLIENT_SECRET: 'secret' }), 0, output.stderr())
  const printed = JSON.parse(output.stdout()) as Record<string, unknown>
  t.match(printed, { agentId: AGENT, language: 'typescript', files: 3, nextSteps: ['cd starter', /^cp \.env\.example \.env/, /^\.\/run\.sh/] })
  t.equal(await readFile(join(printed.directory as string, 'README.md'), 'utf8'), '# starter\n')
  t.equal(output.stderr(), '', 'no progress line without a terminal')
})

t.test('progress goes to the status line when there is one, with the announced total', async (t) => {
  const api = await fakeApi(t)
  api.serve(zipHandler(await buildZip(STARTER)))
  const { target } = await workspace(t)
  const updates: string[] = []
  let ended = 0
  const output = { ...captureOutput(), progress: { update: (text: string) => { updates.push(text) }, end: () => { ended++ } } }
  t.equal(await run(['scaffold', '--agent-id', AGENT, '--out', target], output, { AGENTIDP_API_URL: api.url, AGENTIDP_CLIENT_ID: 'id', AGENTIDP_CLIENT_SECRET: 'secret' }), 0)
  t.match(updates[0], /^Downloading… 0 % \(0\.0 kB of \d+\.\d kB\)$/)
  t.match(updates.at(-1), /^Downloading… 100 % /)
  t.equal(ended, 1, 'the status line is cleared once')
})

const HOSTILE: Array<{ name: string, build: () => Promise<Buffer>, refusal: RegExp }> = [
  {
    name: 'a `..` path',
    build: async () => buildZip([...STARTER, { name: 'starter/../../evil.txt', content: 'pwned' }]),
    refusal: /invalid relative path|escapes/
  },
  {
    name: 'an absolute path',
    build: async () => withRenamedEntry(await buildZip([...STARTER, { name: 'starter/xtmp/evil.txt', content: 'pwned' }]), 'starter/xtmp/evil.txt', '/tmp/starter/evil.txt'.slice(0, 21)),
    refusal: /absolute path/
  },
  {
    name: 'a backslash path',
    build: async () => withRenamedEntry(await buildZip([...STARTER, { name: 'starter/x_x_evil.txt', content: 'pwned' }]), 'starter/x_x_evil.txt', 'starter/..\\..\\e.txt'.padEnd(20, 'x')),
    refusal: /invalid characters/
  },
  {
    name: 'a symbolic link',
    build: async () => buildZip([...STARTER, { name: 'starter/link', symlinkTo: '/etc/passwd' }]),
    refusal: /symbolic link entry starter\/link/
  },
  {
    name: 'a second root folder',
    build: async () => buildZip([...STARTER, { name: 'other/evil.txt', content: 'pwned' }]),
    refusal: /one root folder/
  }
]

for (const hostile of HOSTILE) {
  t.test(`an archive with ${hostile.name} is refused whole: exit ${EXIT.UNSAFE_ARCHIVE}, nothing written anywhere`, async (t) => {
    const api = await fakeApi(t)
    api.serve(zipHandler(await hostile.build()))
    const { root, target } = await workspace(t)
    const result = await scaffoldFrom(api.url, target)
    t.equal(result.code, EXIT.UNSAFE_ARCHIVE, result.stderr)
    t.match(result.stderr, hostile.refusal)
    t.match(result.stderr, 'Nothing was written')
    t.equal(result.stdout, '')
    t.same(await tree(root), [], 'not even the target directory')
  })
}

t.test('a non-empty directory is not written into without --force; with --force files are replaced', async (t) => {
  const api = await fakeApi(t)
  api.serve(zipHandler(await buildZip(STARTER)))
  const { target } = await workspace(t)
  await mkdir(target, { recursive: true })
  await writeFile(join(target, 'README.md'), 'mine')
  await writeFile(join(target, 'notes.txt'), 'keep')

  const refused = await scaffoldFrom(api.url, target)
  t.equal(refused.code, EXIT.DIRECTORY_NOT_EMPTY)
  t.match(refused.stderr, `${target} is not empty: choose another --out, or pass --force`)
  t.equal(await readFile(join(target, 'README.md'), 'utf8'), 'mine')

  const forced = await scaffoldFrom(api.url, target, ['--force'])
  t.equal(forced.code, 0, forced.stderr)
  t.equal(await readFile(join(target, 'README.md'), 'utf8'), '# starter\n')
  t.equal(await readFile(join(target, 'notes.txt'), 'utf8'), 'keep', 'other files stay')

  await writeFile(join(target, '..', 'a-file'), 'x')
  const notADirectory = await scaffoldFrom(api.url, join(target, '..', 'a-file'))
  t.equal(notADirectory.code, EXIT.DIRECTORY_NOT_EMPTY)
  t.match(notADirectory.stderr, 'exists and is not a directory')
})

t.test('with --force, a link already in the target cannot carry files outside it', async (t) => {
  const api = await fakeApi(t)
  api.serve(zipHandler(await buildZip(STARTER)))
  const { root, target } = await workspace(t)
  const outside = join(root, 'outside')
  await mkdir(outside)
  await mkdir(target, { recursive: true })
  await symlink(outside, join(target, 'src'))
  await writeFile(join(outside, 'victim.txt'), 'safe')
  await symlink(join(outside, 'victim.txt'), join(target, 'README.md'))

  const result = await scaffoldFrom(api.url, target, ['--force'])
  t.equal(result.code, EXIT.UNSAFE_ARCHIVE, result.stderr)
  t.match(result.stderr, 'is a link in the existing tree that leads outside the target directory')
  t.same(await readdir(outside), ['victim.txt'], 'nothing was created outside')
  t.equal(await readFile(join(outside, 'victim.txt'), 'utf8'), 'safe')
  t.ok((await lstat(join(target, 'README.md'))).isSymbolicLink())
})

t.test('an archive that is not a ZIP is refused', async (t) => {
  const api = await fakeApi(t)
  api.serve(zipHandler(Buffer.from('this is not a zip')))
  const { root, target } = await workspace(t)
  const result = await scaffoldFrom(api.url, target)
  t.equal(result.code, EXIT.UNSAFE_ARCHIVE)
  t.match(result.stderr, 'not a readable ZIP archive')
  t.same(await tree(root), [])
})

t.test('refusals that are not JSON, or 429s without a number of seconds, are still explained', async (t) => {
  const api = await fakeApi(t)
  const { target } = await workspace(t)
  const answers: Array<{ status: number, headers: Record<string, string>, body: string, exit: number, message: RegExp }> = [
    { status: 502, headers: { 'content-type': 'text/html' }, body: '<html>Bad gateway</html>', exit: EXIT.FAILURE, message: /^502 HTTP_502: <html>Bad gateway<\/html>$/ },
    { status: 429, headers: {}, body: '{"code":"RATE_LIMITED","message":"slow down"}', exit: EXIT.RATE_LIMITED, message: /^429 RATE_LIMITED: slow down\nRate limited: retry later\.$/ },
    { status: 429, headers: { 'retry-after': 'Wed, 21 Oct 2026 07:28:00 GMT' }, body: '{}', exit: EXIT.RATE_LIMITED, message: /Rate limited: retry after Wed, 21 Oct 2026 07:28:00 GMT\.$/ },
    { status: 403, headers: {}, body: '{"code":"FORBIDDEN","message":"needs agents:read"}', exit: EXIT.FORBIDDEN, message: /^403 FORBIDDEN: needs agents:read\nThe agent lacks the scope/ }
  ]
  for (const answer of answers) {
    api.serve((_request, response) => { response.writeHead(answer.status, answer.headers).end(answer.body) })
    const result = await scaffoldFrom(api.url, target)
    t.equal(result.code, answer.exit, `${answer.status}`)
    t.match(result.stderr, answer.message)
  }
  t.same(await tree(target), [], 'nothing unpacked')
})

t.test('options of other commands are usage errors', async (t) => {
  const output = captureOutput()
  t.equal(await run(['token', '--out', 'x'], output, {}), EXIT.USAGE)
  t.match(output.stderr(), 'token does not take --out')
})
