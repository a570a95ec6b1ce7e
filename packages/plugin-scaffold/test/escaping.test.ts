import { readFile } from 'node:fs/promises'
import t from 'tap'
import { RUST_SDK_VERSION, agentNameOf, starterNameOf } from '../src/index.js'
import { escaperFor } from '../src/escaping.js'

const tricky = 'a"b\\c\nd\re\tf\u0001g\u00e9h\u{1F600}'

t.test('values are escaped for a string literal of each target language', async (t) => {
  t.equal(escaperFor('src/main.ts')(tricky), 'a\\"b\\\\c\\nd\\re\\tf\\u0001g\\u00E9h\\uD83D\\uDE00')
  t.equal(JSON.parse(`"${escaperFor('package.json')(tricky)}"`), tricky, 'JSON reads it back')
  t.equal(escaperFor('src/main/java/Main.java')(tricky), 'a\\"b\\\\c\\nd\\re\\tf\\u0001g\\u00E9h\\uD83D\\uDE00')
  t.equal(escaperFor('main.py')(tricky), 'a\\"b\\\\c\\nd\\re\\tf\\u0001g\\u00E9h\\U0001F600')
  t.equal(escaperFor('main.go')(tricky), escaperFor('Cargo.toml')(tricky), 'Go and TOML share Python\'s escapes')
  t.equal(escaperFor('src/main.rs')(tricky), 'a\\"b\\\\c\\nd\\re\\tf\\u{1}g\\u{E9}h\\u{1F600}')
  t.equal(escaperFor('pom.xml')('<a & "b">\''), '&lt;a &amp; &quot;b&quot;&gt;&apos;')
})

t.test('plain-text files take only values that need no escaping', async (t) => {
  for (const path of ['.env.example', 'README.md', 'run.sh', 'go.mod', '.gitignore']) {
    t.equal(escaperFor(path)('http://[::1]:3000'), 'http://[::1]:3000', path)
    t.throws(() => escaperFor(path)('$(rm -rf ~)'), { code: 'SENTRYAGENT_SCAFFOLD_TEMPLATE' }, path)
  }
})

t.test('an agent\'s name is its e-mail\'s local part, made safe for files, headers and package names', async (t) => {
  t.equal(agentNameOf('Report.Writer+v2@acme.example'), 'report-writer-v2')
  t.equal(agentNameOf('"quoted\\"; evil"@acme.example'), 'quoted-evil')
  t.equal(agentNameOf('élan@acme.example'), 'lan')
  t.equal(agentNameOf('___@acme.example'), 'agent')
  t.equal(agentNameOf(`${'x'.repeat(80)}@acme.example`).length, 40)
  t.equal(agentNameOf('no-at-sign'), 'no-at-sign')
  t.equal(starterNameOf('bot', 'rust'), 'sentryagent-scaffold-bot-rust')
})

t.test('the Rust starter asks for the sentryagent-idp version that sdk-rust declares', async (t) => {
  const manifest = await readFile(new URL('../../../sdk-rust/Cargo.toml', import.meta.url), 'utf8')
  t.equal(/^version = "([^"]+)"/m.exec(manifest)?.[1], RUST_SDK_VERSION)
})
