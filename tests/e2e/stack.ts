/**
 * The relay as separate real processes, the way production runs it: mock provider, `admin init` (provider
 * "default" = TARGET_BASE_URL at the mock), gateway, log processor, admin. Own ports, Redis prefix, SQLite
 * file. (web/e2e/stack.ts does the same plus a UI build; full-path.int.test.ts uses `relay.ts start`.)
 */
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, startProcess, tempDir, uniquePrefix, waitFor, type RunningProcess } from '@llm-relay/testkit';

export interface E2EStack {
  prefix: string;
  mockUrl: string;
  gatewayUrl: string;
  adminUrl: string;
  proxyKey: string;
  /** GET an admin API path with a logged-in session */
  admin<T>(path: string): Promise<{ status: number; body: T }>;
  /** the stored log of an exchange, once the processor has written it */
  log<T>(id: string): Promise<T>;
  stop(): Promise<void>;
}

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export async function startStack(label = 'e2e'): Promise<E2EStack> {
  const dir = tempDir(`relay-${label}`);
  const prefix = uniquePrefix(label);
  const processes: RunningProcess[] = [];
  const stop = async (): Promise<void> => {
    for (const p of processes.reverse()) await p.stop(15_000);
    const redis = new Redis(REDIS_URL);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
    redis.disconnect();
    dir.remove();
  };
  try {
    const [mockPort, gatewayPort, processorPort, adminPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const mockUrl = `http://127.0.0.1:${mockPort}/v1`;
    const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    const adminUrl = `http://127.0.0.1:${adminPort}`;
    const proxyKey = `sk-${label}-proxy-key`;
    const credentials = { username: 'admin', password: `${label}-password` };
    const env = {
      REDIS_URL,
      REDIS_PREFIX: prefix,
      DATABASE_URL: `sqlite:${join(dir.path, 'relay.db')}`,
      PROXY_KEY: proxyKey,
      TARGET_BASE_URL: mockUrl,
      TARGET_API_KEY: 'mock-provider-key',
      DEFAULT_MODEL: 'gpt-4o-mini',
      ADMIN_USERNAME: credentials.username,
      ADMIN_PASSWORD: credentials.password,
      JWT_SECRET: `${label}-jwt-secret-that-is-long-enough-0123456789`,
      PROXY_BASE_URL: gatewayUrl,
      JOURNAL_DIR: join(dir.path, 'journal'),
      GATEWAY_PORT: String(gatewayPort),
      GATEWAY_HOST: '127.0.0.1',
      GATEWAY_ID: `gw-${label}`,
      // the test stops the stack at once; a drain would only delay it
      SHUTDOWN_DRAIN_MS: '0',
      PROCESSOR_PORT: String(processorPort),
      PROCESSOR_HOST: '127.0.0.1',
      ADMIN_PORT: String(adminPort),
      ADMIN_HOST: '127.0.0.1',
    };
    processes.push(await startProcess({ name: 'mock', script: 'packages/mock-provider/src/cli.ts', args: ['--port', String(mockPort)], env: { MOCK_PORT: String(mockPort) }, readyUrl: `http://127.0.0.1:${mockPort}/healthz` }));
    const init = await startProcess({ name: 'init', script: 'services/admin/src/cli.ts', args: ['init'], env });
    const code = await init.exited;
    if (code !== 0) throw new Error(`admin init exited with ${code}:\n${init.output()}`);
    processes.push(await startProcess({ name: 'gateway', script: 'services/gateway/src/index.ts', env, readyUrl: `${gatewayUrl}/readyz`, readyTimeoutMs: 30_000 }));
    processes.push(await startProcess({ name: 'processor', script: 'services/log-processor/src/index.ts', env, readyUrl: `http://127.0.0.1:${processorPort}/healthz`, readyTimeoutMs: 30_000 }));
    processes.push(await startProcess({ name: 'admin', script: 'services/admin/src/index.ts', env, readyUrl: `${adminUrl}/healthz`, readyTimeoutMs: 30_000 }));

    const login = await fetch(`${adminUrl}/admin/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(credentials) });
    if (login.status !== 200) throw new Error(`admin login: ${login.status} ${await login.text()}`);
    const { token } = (await login.json()) as { token: string };
    const admin = async <T>(path: string): Promise<{ status: number; body: T }> => {
      const res = await fetch(`${adminUrl}${path}`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
      return { status: res.status, body: (await res.json()) as T };
    };
    const log = <T>(id: string): Promise<T> =>
      waitFor(
        async () => {
          const r = await admin<T>(`/admin/logs/${id}`);
          return r.status === 200 ? r.body : null;
        },
        { timeoutMs: 15_000, what: `stored log ${id}` },
      );
    return { prefix, mockUrl, gatewayUrl, adminUrl, proxyKey, admin, log, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
