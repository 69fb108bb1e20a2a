/**
 * Runs before `npm test`: makes sure what the tests talk to is here, installing it when it can
 * (this is what lets the README's one test command work on a fresh machine):
 * - Redis at REDIS_URL answers (starts a local redis-server like the machine's docs say, if not);
 * - FerretDB v1 (the MongoDB-wire server for the MongoDB adapter's tests), built with Go;
 * - Debian packages: Chromium for the UI tests (never a downloaded browser) with a CJK font for the zh-CN
 *   screenshots, and HAProxy for the scale-out and edge tests.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertRedisReachable } from '@llm-relay/server-kit';

const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB';
const FERRETDB_VERSION = 'v1.24.2';
const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

function step(msg: string) {
  console.log(`[test-prereqs] ${msg}`);
}

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

async function ensureRedis() {
  try {
    await assertRedisReachable(redisUrl, 1500);
    step(`redis ok at ${redisUrl}`);
    return;
  } catch {
    // fall through and start one
  }
  if (!redisUrl.includes('127.0.0.1') && !redisUrl.includes('localhost')) throw new Error(`Redis at ${redisUrl} is not reachable`);
  if (!have('redis-server')) aptInstall(['redis-server']);
  step('starting redis-server on 127.0.0.1:6379');
  execFileSync('redis-server', ['--daemonize', 'yes', '--bind', '127.0.0.1', '-::1', '--port', '6379', '--save', '', '--appendonly', 'no', '--dir', '/tmp'], { stdio: 'inherit' });
  await assertRedisReachable(redisUrl, 5000);
}

function goBin(): string {
  return join(execFileSync('go', ['env', 'GOPATH']).toString().trim(), 'bin');
}

function ferretDbWorks(bin: string): boolean {
  return existsSync(bin) && spawnSync(bin, ['--version'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
}

/**
 * FerretDB v1.24.2's module ships without its generated build/version/version.txt, so a plain
 * `go install …@v1.24.2` builds a binary that panics at start. Build it from a copy of the module with
 * that file written (packages/store/README.md explains).
 */
function ensureFerretDb() {
  if (process.env.FERRETDB_BIN) {
    if (ferretDbWorks(process.env.FERRETDB_BIN)) return step(`ferretdb ok (${process.env.FERRETDB_BIN})`);
    throw new Error(`FERRETDB_BIN=${process.env.FERRETDB_BIN} does not run`);
  }
  if (!have('go')) throw new Error('Go is needed to build FerretDB for the MongoDB adapter tests (https://go.dev/dl/), or set FERRETDB_BIN.');
  const bin = join(goBin(), 'ferretdb');
  if (ferretDbWorks(bin)) return step(`ferretdb ok (${bin})`);
  step(`building FerretDB ${FERRETDB_VERSION} into ${bin} (a few minutes the first time)`);
  const info = JSON.parse(execFileSync('go', ['mod', 'download', '-json', `${FERRETDB_MODULE}@${FERRETDB_VERSION}`]).toString()) as { Dir: string };
  const work = mkdtempSync(join(tmpdir(), 'ferretdb-src-'));
  try {
    cpSync(info.Dir, work, { recursive: true });
    execFileSync('chmod', ['-R', 'u+w', work]);
    writeFileSync(join(work, 'build/version/version.txt'), `${FERRETDB_VERSION}\n`);
    execFileSync('go', ['build', '-o', bin, './cmd/ferretdb'], { cwd: work, stdio: 'inherit' });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (!ferretDbWorks(bin)) throw new Error(`FerretDB built at ${bin} but does not run`);
}

function ensureDebianPackages() {
  const missing: string[] = [];
  const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(chromium)) missing.push('chromium');
  if (spawnSync('dpkg', ['-s', 'fonts-wqy-microhei'], { stdio: 'ignore' }).status !== 0) missing.push('fonts-wqy-microhei');
  if (!have('haproxy') && !existsSync('/usr/sbin/haproxy')) missing.push('haproxy');
  if (missing.length === 0) return step(`chromium ok (${chromium}), CJK font ok, haproxy ok`);
  aptInstall(missing);
}

function aptInstall(pkgs: string[]) {
  if (process.getuid?.() !== 0) throw new Error(`Missing ${pkgs.join(', ')}: install with  sudo apt-get install -y ${pkgs.join(' ')}`);
  step(`apt-get install ${pkgs.join(' ')}`);
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', ...pkgs], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

try {
  await ensureRedis();
  ensureFerretDb();
  ensureDebianPackages();
} catch (err) {
  console.error(`[test-prereqs] ✖ ${(err as Error).message}`);
  process.exit(1);
}
