import { testStarter } from './starters.js'

await testStarter('the Python starter compiles and prints the agent', {
  language: 'python',
  toolchain: ['python3', '--version'],
  build: [['python3', '-m', 'py_compile', 'main.py']],
  start: () => ['python3', 'main.py'],
  buildTimeoutMs: 60_000
})
