import { symlink, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { testStarter } from './starters.js'

// The workspace's own compiler and Node types, linked in as `npm install` would put them: the build stays offline.
const workspaceModules = fileURLToPath(new URL('../node_modules', import.meta.url))

await testStarter('the TypeScript starter builds with tsc and prints the agent', {
  language: 'typescript',
  toolchain: ['npm', '--version'],
  prepare: async (directory) => {
    await mkdir(join(directory, 'node_modules', '@types'), { recursive: true })
    await symlink(join(workspaceModules, 'typescript'), join(directory, 'node_modules', 'typescript'))
    await symlink(join(workspaceModules, '@types', 'node'), join(directory, 'node_modules', '@types', 'node'))
  },
  build: [['npm', 'run', 'build', '--silent']],
  start: () => ['node', 'dist/main.js'],
  buildTimeoutMs: 120_000
})
