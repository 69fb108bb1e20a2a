/**
 * The one run command: `npm start` (= `node scripts/relay.ts start`).
 * Starts the whole relay on one machine: the gateway (:8000), the log processor, admin + UI (:8080),
 * on the embedded SQLite store and the local Redis. With no TARGET_BASE_URL it also starts the mock
 * provider and says so loudly, so a fresh clone works with no configuration at all.
 *
 * `node scripts/relay.ts init` only seeds the store and the gateway snapshot from the environment
 * (like `--init` of the original Python LLM Relay).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertRedisReachable } from '@llm-relay/server-kit';
import { loadDotEnv } from '@llm-relay/config';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const HELP = `LLM Relay

Usage:
  npm start              start gateway, log processor and admin (+ the mock provider when TARGET_BASE_URL is unset)
  npm run init           seed the store and the gateway config from the environment, then exit
  node scripts/relay.ts start|init|--help

Configuration comes from the environment and from ./.env (see .env.example).
Ports: gateway GATEWAY_PORT (8000), admin + UI ADMIN_PORT (8080), processor health PROCESSOR_PORT (8090),
mock provider MOCK_PORT (8100). Redis: REDIS_URL (redis://127.0.0.1:6379). Store: DATABASE_URL
(sqlite:./data/llm-relay.db).
`;

const DEV_PROXY_KEY = 'sk-relay-local-dev-key';
const DEV_ADMIN_PASSWORD = 'admin';

async function main(): Promise<void> {
  const command = process.argv[2] ?? 'start';
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP);
    return;
  }
  if (command !== 'start' && command !== 'init') {
    process.stderr.write(`Unknown command "${command}".\n\n${HELP}`);
    process.exit(2);
  }
  loadDotEnv(resolve(process.cwd(), '.env'));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  const redisUrl = env.REDIS_URL || 'redis://127.0.0.1:6379';

  try {
    await assertRedisReachable(redisUrl);
  } catch (err) {
    console.error(`\n✖ ${(err as Error).message}\n`);
    process.exit(1);
  }

  const children: ChildProcess[] = [];
  const useMock = !env.TARGET_BASE_URL;
  if (useMock) {
    const mockPort = env.MOCK_PORT || '8100';
    env.TARGET_BASE_URL = `http://127.0.0.1:${mockPort}/v1`;
    env.TARGET_API_KEY ||= 'mock-provider-key';
    env.PROXY_KEY ||= DEV_PROXY_KEY;
    env.ADMIN_PASSWORD ||= DEV_ADMIN_PASSWORD;
    if (command === 'start') {
      banner([
        'TARGET_BASE_URL is not set: LLM Relay is running against the built-in MOCK PROVIDER',
        `at ${env.TARGET_BASE_URL}. Answers are fake. Set TARGET_BASE_URL and TARGET_API_KEY`,
        '(in .env or the environment) to relay to a real provider.',
        `Relay key (PROXY_KEY): ${env.PROXY_KEY}   Admin login: ${env.ADMIN_USERNAME || 'admin'} / ${env.ADMIN_PASSWORD === DEV_ADMIN_PASSWORD ? DEV_ADMIN_PASSWORD : '(ADMIN_PASSWORD)'}`,
      ]);
      children.push(run('mock', 'packages/mock-provider/src/cli.ts', ['--port', mockPort], env));
    }
  } else {
    const missing = ['PROXY_KEY', 'ADMIN_PASSWORD'].filter((k) => !env[k]);
    if (missing.length) {
      console.error(`\n✖ ${missing.join(' and ')} must be set when TARGET_BASE_URL points at a real provider (see .env.example).\n`);
      process.exit(1);
    }
  }

  // init seeds an empty store and always (re)writes the gateway snapshot, so gateways start configured.
  const initCode = await exitCode(run('init', 'services/admin/src/cli.ts', ['init'], env));
  if (initCode !== 0) {
    children.forEach((c) => c.kill('SIGTERM'));
    console.error(`✖ init failed (exit ${initCode})`);
    process.exit(initCode ?? 1);
  }
  if (command === 'init') return;

  await ensureWebBuilt(env);
  // the UI's playground runs prompts through the gateway from the admin's origin
  env.GATEWAY_CORS_ORIGINS ??= `http://localhost:${env.ADMIN_PORT || '8080'},http://127.0.0.1:${env.ADMIN_PORT || '8080'}`;
  children.push(
    run('gateway', 'services/gateway/src/index.ts', [], env),
    run('processor', 'services/log-processor/src/index.ts', [], env),
    run('admin', 'services/admin/src/index.ts', [], env),
  );
  const gatewayPort = env.GATEWAY_PORT || '8000';
  const adminPort = env.ADMIN_PORT || '8080';
  console.log(
    `\nLLM Relay starting:\n  API       http://localhost:${gatewayPort}/v1   (key: PROXY_KEY)\n` +
      `  Admin UI  http://localhost:${adminPort}/admin/login\n  API docs  http://localhost:${adminPort}/docs\n`,
  );

  let stopping = false;
  const stopAll = (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    Promise.all(children.map((c) => (c.exitCode === null ? exitCode(c) : Promise.resolve(c.exitCode)))).then(() => process.exit(code));
  };
  for (const c of children) {
    c.once('exit', (code, signal) => {
      if (stopping) return;
      console.error(`✖ ${c.spawnargs[1]} exited (${signal ?? code}); stopping the relay`);
      stopAll(1);
    });
  }
  process.once('SIGINT', () => stopAll(0));
  process.once('SIGTERM', () => stopAll(0));
}

/** Start one part as its own process under this Node 24, its output prefixed with its name. */
function run(name: string, script: string, args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [resolve(ROOT, script), ...args], { cwd: process.cwd(), env, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = `[${name}] `;
  const pipe = (from: NodeJS.ReadableStream, to: NodeJS.WriteStream) => {
    let rest = '';
    from.on('data', (d: Buffer) => {
      const lines = (rest + d.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) to.write(prefix + line + '\n');
    });
    from.on('end', () => rest && to.write(prefix + rest + '\n'));
  };
  pipe(child.stdout!, process.stdout);
  pipe(child.stderr!, process.stderr);
  return child;
}

/** Admin serves the built UI; a fresh clone has none yet, so build it once (a few seconds). */
async function ensureWebBuilt(env: Record<string, string>): Promise<void> {
  const dist = resolve(ROOT, env.WEB_DIST_DIR || 'web/dist', 'index.html');
  if (existsSync(dist)) return;
  console.log('Building the admin UI (first start only)…');
  const vite = resolve(ROOT, 'node_modules/vite/bin/vite.js');
  const code = await exitCode(spawn(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: resolve(ROOT, 'web'), env, stdio: 'inherit' }));
  if (code !== 0) console.warn('⚠ the admin UI did not build; the API still works. Run `npm run build` to see why.');
}

function exitCode(child: ChildProcess): Promise<number | null> {
  return new Promise((res) => child.once('exit', (code) => res(code)));
}

function banner(lines: string[]): void {
  const width = Math.max(...lines.map((l) => l.length)) + 4;
  const bar = '!'.repeat(width);
  console.warn(`\n${bar}\n${lines.map((l) => `! ${l.padEnd(width - 4)} !`).join('\n')}\n${bar}\n`);
}

await main();
