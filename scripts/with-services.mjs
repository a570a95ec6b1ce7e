#!/usr/bin/env node
// Run a command with PostgreSQL and Redis available.
//
//   node scripts/with-services.mjs <command> [args...]
//
// DATABASE_URL / REDIS_URL are used as-is when set. Otherwise a throwaway
// PostgreSQL cluster and/or Redis server is started on a free localhost port,
// the URL is exported to the command, and everything started here is torn
// down afterwards (also on failure and on SIGINT/SIGTERM/SIGHUP).

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const DB_NAME = 'sentryagent_test';
const INSTALL_HINT = 'apt-get install -y postgresql redis-server';
const PG_SERVER_OPTS = [
  '-c listen_addresses=127.0.0.1',
  // Durability is pointless for a throwaway test database; speed is not.
  '-c fsync=off',
  '-c synchronous_commit=off',
  '-c full_page_writes=off',
  '-c max_connections=200',
];

const log = (msg) => process.stderr.write(`with-services: ${msg}\n`);

class SetupError extends Error {}

// Everything we started, so teardown touches only our own services.
const started = { tmpDir: null, pg: null, redis: null };
let child = null;

// ---------------------------------------------------------------- binaries

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function whichSync(name) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, name))) return path.join(dir, name);
  }
  return null;
}

// initdb, pg_ctl and createdb must come from the same installation.
function findPgBinDir() {
  const candidates = [];

  const pgConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (pgConfig.status === 0) candidates.push(pgConfig.stdout.trim());

  // Debian keeps server binaries out of PATH; prefer the newest major version.
  const debianRoot = '/usr/lib/postgresql';
  if (fs.existsSync(debianRoot)) {
    const versions = fs
      .readdirSync(debianRoot)
      .filter((v) => /^\d+(\.\d+)?$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => path.join(debianRoot, v, 'bin')));
  }

  // Resolve symlinks (e.g. /usr/local/bin/initdb) to the real install dir.
  const onPath = whichSync('initdb');
  if (onPath) candidates.push(path.dirname(fs.realpathSync(onPath)));

  return (
    candidates.find((dir) =>
      ['initdb', 'pg_ctl', 'createdb'].every((b) => isExecutable(path.join(dir, b))),
    ) ?? null
  );
}

function resolveBinaries({ needPg, needRedis }) {
  const bins = {};
  const missing = [];
  if (needPg) {
    bins.pgBinDir = findPgBinDir();
    if (!bins.pgBinDir) missing.push('PostgreSQL server binaries (initdb, pg_ctl) - or set DATABASE_URL');
  }
  if (needRedis) {
    bins.redisServer = whichSync('redis-server');
    if (!bins.redisServer) missing.push('redis-server - or set REDIS_URL');
  }
  if (missing.length) {
    throw new SetupError(`not found: ${missing.join('; ')}.\nInstall with: ${INSTALL_HINT}`);
  }
  return bins;
}

// ------------------------------------------------------------------ helpers

// initdb/postgres refuse to run as root, so drop to the postgres user.
function postgresUser() {
  if (process.getuid?.() !== 0) return null;
  const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) {
    throw new SetupError(
      "running as root, but PostgreSQL refuses to run as root and there is no 'postgres' user.\n" +
        `Install the server package (${INSTALL_HINT}), run as a non-root user, or set DATABASE_URL.`,
    );
  }
  return { uid: Number(uid.stdout), gid: Number(gid.stdout) };
}

function runChecked(cmd, args, { asUser, cwd, what }) {
  const [file, argv] = asUser ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
  const res = spawnSync(file, argv, { cwd, encoding: 'utf8' });
  if (res.status !== 0) {
    const detail = (res.error?.message ?? `${res.stderr}${res.stdout}`).trim();
    throw new SetupError(`${what} failed:\n${detail}`);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function tail(file, lines = 20) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function ensureTmpDir() {
  started.tmpDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'with-services-'));
  return started.tmpDir;
}

// ---------------------------------------------------------------- postgres

async function startPostgres(binDir) {
  const user = postgresUser();
  const dir = ensureTmpDir();
  if (user) fs.chownSync(dir, user.uid, user.gid);

  const port = await freePort();
  const dataDir = path.join(dir, 'pgdata');
  const logFile = path.join(dir, 'postgres.log');
  const bin = (name) => path.join(binDir, name);
  const opts = { asUser: Boolean(user), cwd: dir };

  runChecked(
    bin('initdb'),
    ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-sync'],
    { ...opts, what: 'initdb' },
  );

  // Record before starting so a half-started server is still stopped.
  started.pg = { binDir, dataDir, asUser: Boolean(user), cwd: dir };
  const serverOpts = [`-p ${port}`, `-k '${dir}'`, ...PG_SERVER_OPTS].join(' ');
  try {
    runChecked(bin('pg_ctl'), ['start', '-w', '-D', dataDir, '-l', logFile, '-o', serverOpts], {
      ...opts,
      what: 'pg_ctl start',
    });
  } catch (err) {
    throw new SetupError(`${err.message}\n--- postgres.log ---\n${tail(logFile)}`);
  }

  runChecked(bin('createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', DB_NAME], {
    cwd: dir,
    what: 'createdb',
  });
  return `postgres://postgres@127.0.0.1:${port}/${DB_NAME}`;
}

function stopPostgres({ binDir, dataDir, asUser, cwd }) {
  const args = ['stop', '-D', dataDir, '-m', 'fast', '-w'];
  const [file, argv] = asUser
    ? ['runuser', ['-u', 'postgres', '--', path.join(binDir, 'pg_ctl'), ...args]]
    : [path.join(binDir, 'pg_ctl'), args];
  spawnSync(file, argv, { cwd, stdio: 'ignore' });
}

// ------------------------------------------------------------------- redis

function pingRedis(port) {
  return new Promise((resolve) => {
    const sock = net.createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(500, () => done(false));
    sock.on('error', () => done(false));
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (chunk) => {
      reply += chunk;
      // Anything but +PONG (e.g. -LOADING) means "not ready yet".
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

async function startRedis(redisServer) {
  const dir = ensureTmpDir();
  const port = await freePort();
  const logFile = path.join(dir, 'redis.log');
  const logFd = fs.openSync(logFile, 'a');
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  args.push('--daemonize', 'no', '--dir', dir);

  // Own process group: a terminal Ctrl-C must not kill Redis while the
  // command is still shutting down; teardown stops it afterwards.
  const proc = spawn(redisServer, args, { cwd: dir, detached: true, stdio: ['ignore', logFd, logFd] });
  fs.closeSync(logFd);
  started.redis = proc;
  proc.on('error', () => {}); // reported via exitCode below

  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await sleep(100)) {
    if (proc.exitCode !== null || proc.signalCode !== null) break;
    if (await pingRedis(port)) return `redis://127.0.0.1:${port}`;
  }
  throw new SetupError(`redis-server did not answer PING on port ${port}\n--- redis.log ---\n${tail(logFile)}`);
}

function stopRedis(proc) {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => proc.kill('SIGKILL'), 5000);
    proc.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    proc.kill('SIGTERM');
  });
}

// ---------------------------------------------------------------- teardown

let teardownPromise = null;

function teardown() {
  teardownPromise ??= (async () => {
    const { pg, redis, tmpDir } = started;
    if (redis) await stopRedis(redis);
    if (pg) stopPostgres(pg);
    if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
  })();
  return teardownPromise;
}

async function exitAfterTeardown(code) {
  try {
    await teardown();
  } catch (err) {
    log(`teardown failed: ${err.message}`);
  }
  process.exit(code);
}

function signalExitCode(signal) {
  return 128 + (os.constants.signals[signal] ?? 1);
}

function installSignalHandlers() {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      // Let the command exit on its own; its exit triggers teardown.
      if (child && child.exitCode === null) child.kill(signal);
      else exitAfterTeardown(signalExitCode(signal));
    });
  }
  // Last resort if we die unexpectedly: never leave Redis running.
  process.on('exit', () => started.redis?.exitCode === null && started.redis.kill('SIGKILL'));
}

// -------------------------------------------------------------------- main

function runCommand(cmd, args, env) {
  return new Promise((resolve) => {
    child = spawn(cmd, args, { stdio: 'inherit', env });
    child.on('error', (err) => {
      log(`cannot run ${cmd}: ${err.message}`);
      resolve(127);
    });
    child.on('exit', (code, signal) => resolve(signal ? signalExitCode(signal) : code));
  });
}

async function main() {
  const [cmd, ...args] = process.argv.slice(2);
  if (!cmd) {
    log('usage: node scripts/with-services.mjs <command> [args...]');
    process.exit(2);
  }
  installSignalHandlers();

  const env = { ...process.env };
  const needPg = !env.DATABASE_URL;
  const needRedis = !env.REDIS_URL;
  const notes = [];

  try {
    // Check everything up front so we fail before starting anything.
    const bins = resolveBinaries({ needPg, needRedis });
    if (needPg) {
      env.DATABASE_URL = await startPostgres(bins.pgBinDir);
      notes.push(`postgres at ${env.DATABASE_URL}`);
    }
    if (needRedis) {
      env.REDIS_URL = await startRedis(bins.redisServer);
      notes.push(`redis at ${env.REDIS_URL}`);
    }
  } catch (err) {
    log(err instanceof SetupError ? err.message : err.stack);
    return exitAfterTeardown(1);
  }

  if (teardownPromise) return; // a signal arrived during setup; already exiting
  log(notes.length ? `started ${notes.join(', ')}` : 'using existing DATABASE_URL and REDIS_URL');
  const code = await runCommand(cmd, args, env);
  return exitAfterTeardown(code ?? 1);
}

main();
