import { copyFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { testStarter } from './starters.js'

const sdk = fileURLToPath(new URL('../../../sdk-rust', import.meta.url))
// sdk-rust's own target directory: with its lockfile (below) the dependencies compiled here are
// the ones its clippy/test runs reuse, so a fresh CI machine compiles them (aws-lc-sys above all) once.
const targetDir = join(sdk, 'target')

await testStarter('the Rust starter builds against the repository\'s sentryagent-idp and prints the agent', {
  language: 'rust',
  toolchain: ['cargo', '--version'],
  // The SDK's lockfile: the same dependency versions as its own builds, no index update needed.
  prepare: async (directory) => { await copyFile(join(sdk, 'Cargo.lock'), join(directory, 'Cargo.lock')) },
  buildEnv: { CARGO_TARGET_DIR: targetDir, CARGO_TERM_COLOR: 'never' },
  // The starter names the published crate by version; here it is patched to the repository's source.
  build: [['cargo', 'build', '--quiet', '--config', `patch.crates-io.sentryagent-idp.path=${JSON.stringify(sdk)}`]],
  start: (directory) => [join(targetDir, 'debug', basename(directory))],
  buildTimeoutMs: 900_000
})
