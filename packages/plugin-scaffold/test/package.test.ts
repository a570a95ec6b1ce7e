import t from 'tap'
import { checkPublishable } from '@sentryagent/test-support'

checkPublishable(t, new URL('..', import.meta.url), {
  files: ['dist/index.js', 'dist/index.d.ts', 'templates/common/_env.example', 'templates/typescript/src/main.ts.template', 'templates/python/main.py', 'templates/go/main.go', 'templates/java/src/main/java/Main.java', 'templates/rust/src/main.rs', 'templates/rust/_gitignore']
})
