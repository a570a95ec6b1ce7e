import t from 'tap'
import { checkPublishable } from '@sentryagent/test-support'

checkPublishable(t, new URL('..', import.meta.url), { files: ['dist/bin.js', 'dist/run.js', 'dist/run.d.ts'], executables: ['dist/bin.js'] })
