import { testStarter } from './starters.js'

await testStarter('the Java starter compiles with javac alone and prints the agent', {
  language: 'java',
  toolchain: ['javac', '-version'],
  build: [['javac', '-d', 'build', 'src/main/java/Main.java']],
  start: () => ['java', '-cp', 'build', 'Main'],
  buildTimeoutMs: 120_000
})
