import t from 'tap'
import { checkPublishable } from '@sentryagent/test-support'

checkPublishable(t, new URL('..', import.meta.url), { files: ['dist/index.js', 'dist/index.d.ts', 'assets/dashboard/index.html', 'assets/dashboard/dashboard.js', 'assets/dashboard/charts.js', 'assets/dashboard/dashboard.css'], migrations: true })
