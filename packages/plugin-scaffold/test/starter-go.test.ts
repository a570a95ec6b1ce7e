import { testStarter } from './starters.js'

await testStarter('the Go starter builds with go build and prints the agent', {
  language: 'go',
  toolchain: ['go', 'version'],
  // No dependency and no toolchain download: the build needs no network.
  buildEnv: { GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod', GOPROXY: 'off' },
  build: [['go', 'build', '-o', 'starter', '.']],
  start: (directory) => [`${directory}/starter`],
  buildTimeoutMs: 180_000
})
