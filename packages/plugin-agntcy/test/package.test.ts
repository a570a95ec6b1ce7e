import t from 'tap'
import { checkPublishable } from '@sentryagent/test-support'

checkPublishable(t, new URL('..', import.meta.url), { files: ['dist/index.js', 'dist/index.d.ts'], migrations: false })
