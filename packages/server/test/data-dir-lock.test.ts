import t from 'tap'
import { execFileSync } from 'node:child_process'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { LOCK_FILE, lockDataDirectory } from '../src/data-dir-lock.js'
import { tempDir } from './helpers.js'

const holderOf = async (directory: string): Promise<{ pid: number }> => JSON.parse(await readFile(join(directory, LOCK_FILE), 'utf8'))

t.test('one holder at a time; the release frees the directory', async (t) => {
  const directory = await tempDir(t)
  const release = await lockDataDirectory(directory)
  t.equal((await holderOf(directory)).pid, process.pid)
  await t.rejects(lockDataDirectory(directory), { code: 'SENTRYAGENT_SERVER_DATA_DIR_IN_USE', pid: process.pid }, 'even for the same process')
  await release()
  t.same(await readdir(directory), [], 'nothing left behind')
  const again = await lockDataDirectory(directory)
  await again()
})

t.test('a lock left by a process that died is taken over', async (t) => {
  const directory = await tempDir(t)
  const deadPid = Number(execFileSync(process.execPath, ['-p', 'process.pid'], { encoding: 'utf8' }))
  await writeFile(join(directory, LOCK_FILE), JSON.stringify({ pid: deadPid, started: Date.now() }))
  const release = await lockDataDirectory(directory)
  t.equal((await holderOf(directory)).pid, process.pid)
  await release()
})

t.test('a lock left by an earlier life of the same pid (a restarted container) is taken over', async (t) => {
  const directory = await tempDir(t)
  await writeFile(join(directory, LOCK_FILE), JSON.stringify({ pid: process.pid, started: Date.now() - 86_400_000 }))
  const release = await lockDataDirectory(directory)
  await release()
})

t.test('an unreadable lock is taken over', async (t) => {
  for (const content of ['', 'garbage', 'null', '{"pid":"1"}']) {
    const directory = await tempDir(t)
    await writeFile(join(directory, LOCK_FILE), content)
    const release = await lockDataDirectory(directory)
    t.equal((await holderOf(directory)).pid, process.pid, JSON.stringify(content))
    await release()
  }
})

t.test('the directory is created when missing', async (t) => {
  const directory = join(await tempDir(t), 'nested', 'data')
  const release = await lockDataDirectory(directory)
  t.same(await readdir(directory), [LOCK_FILE])
  await release()
})
