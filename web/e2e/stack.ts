/**
 * The real relay for the browser tests: the UI built by Vite into a temp dir, then the mock provider,
 * `admin init`, gateway, log processor and admin as separate processes, with this run's own ports,
 * Redis prefix and SQLite file.
 */
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { e2eEnv } from './env.ts';
import { NODE_BIN, REPO_ROOT, freePort, startProcess, tempDir, uniquePrefix, waitFor, type RunningProcess } from '@llm-relay/testkit';

const run = promisify(execFile);

export interface Stack {
  /** this run's Redis key prefix */
  prefix: string;
  gatewayUrl: string;
  adminUrl: string;
  proxyKey: string;
  username: string;
  password: string;
  processes: RunningProcess[];
  /** stop admin and start it again on the same port and store (a deploy, a crash) */
  restartAdmin(): Promise<void>;
  /** admin is down until `start()` is called: for tests of what the UI does meanwhile */
  stopAdmin(): Promise<{ start(): Promise<void> }>;
  stop(): Promise<void>;
}

export async function startStack(): Promise<Stack> {
  const dir = tempDir('web-e2e');
  const prefix = uniquePrefix('web');
  const dist = join(dir.path, 'dist');
  const processes: RunningProcess[] = [];
  const stop = async () => {
    for (const p of processes.reverse()) await p.stop(15_000);
    const redis = new Redis(e2eEnv.redisUrl);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
    redis.disconnect();
    dir.remove();
  };

  try {
    await run(NODE_BIN, [resolve(REPO_ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', dist, '--emptyOutDir', '--logLevel', 'warn'], {
      cwd: resolve(REPO_ROOT, 'web'),
    });

    const [mockPort, gatewayPort, processorPort, adminPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    const adminUrl = `http://127.0.0.1:${adminPort}`;
    const stack = { proxyKey: 'sk-web-e2e-proxy-key', username: 'admin', password: 'web-e2e-password' };
    const env = {
      REDIS_PREFIX: prefix,
      DATABASE_URL: `sqlite:${join(dir.path, 'relay.db')}`,
      PROXY_KEY: stack.proxyKey,
      TARGET_BASE_URL: `http://127.0.0.1:${mockPort}/v1`,
      TARGET_API_KEY: 'mock-provider-key',
      DEFAULT_MODEL: 'gpt-4o-mini',
      ADMIN_USERNAME: stack.username,
      ADMIN_PASSWORD: stack.password,
      JWT_SECRET: 'web-e2e-jwt-secret-that-is-long-enough-0123456789',
      PROXY_BASE_URL: gatewayUrl,
      WEB_DIST_DIR: dist,
      JOURNAL_DIR: join(dir.path, 'journal'),
      GATEWAY_PORT: String(gatewayPort),
      GATEWAY_HOST: '127.0.0.1',
      GATEWAY_ID: 'gw-e2e-1',
      PROCESSOR_PORT: String(processorPort),
      PROCESSOR_HOST: '127.0.0.1',
      ADMIN_PORT: String(adminPort),
      ADMIN_HOST: '127.0.0.1',
    };

    processes.push(await startProcess({ name: 'mock', script: 'packages/mock-provider/src/cli.ts', args: ['--port', String(mockPort)], env: { MOCK_PORT: String(mockPort) }, readyUrl: `http://127.0.0.1:${mockPort}/healthz` }));
    const init = await startProcess({ name: 'init', script: 'services/admin/src/cli.ts', args: ['init'], env });
    const code = await init.exited;
    if (code !== 0) throw new Error(`admin init exited with ${code}:\n${init.output()}`);
    processes.push(await startProcess({ name: 'gateway', script: 'services/gateway/src/index.ts', env, readyUrl: `${gatewayUrl}/healthz`, readyTimeoutMs: 30_000 }));
    processes.push(await startProcess({ name: 'processor', script: 'services/log-processor/src/index.ts', env, readyUrl: `http://127.0.0.1:${processorPort}/healthz`, readyTimeoutMs: 30_000 }));
    const startAdmin = async () => {
      processes.push(await startProcess({ name: 'admin', script: 'services/admin/src/index.ts', env, readyUrl: `${adminUrl}/healthz`, readyTimeoutMs: 30_000 }));
    };
    await startAdmin();
    await waitFor(async () => (await fetch(`${gatewayUrl}/readyz`)).ok, { timeoutMs: 20_000, what: 'gateway ready' });
    const stopAdmin = async () => {
      const i = processes.findIndex((p) => p.name === 'admin');
      if (i >= 0) await processes.splice(i, 1)[0]!.stop(15_000);
      return { start: startAdmin };
    };
    const restartAdmin = async () => (await stopAdmin()).start();
    return { ...stack, prefix, gatewayUrl, adminUrl, processes, stop, stopAdmin, restartAdmin };
  } catch (err) {
    await stop();
    throw err;
  }
}
