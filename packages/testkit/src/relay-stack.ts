/**
 * The single-replica relay as real processes, the way production runs it: mock provider, `admin init`
 * (provider "default" = TARGET_BASE_URL at the mock), gateway, log processor, admin. Own ports, Redis
 * prefix and temp SQLite file (or the store `databaseUrl` names). Every end-to-end suite starts it here.
 */
import { join } from 'node:path';
import { freePort, startProcess, tempDir, uniquePrefix, type RunningProcess, type TempDir } from './processes.ts';
import { deleteRedisPrefix } from './redis.ts';

export type RelayPart = 'gateway' | 'processor' | 'admin';

export interface RelayStackOptions {
  /** names the prefix, temp dir, proxy key, password and gateway id */
  label?: string;
  redisUrl?: string;
  /** the store every service shares; default a SQLite file in the stack's temp dir */
  databaseUrl?: (dir: string) => string;
  /** which services to start after the mock and init; default all three */
  parts?: RelayPart[];
  /** env added to (or overriding) what every relay process gets */
  env?: Record<string, string>;
  /** the built UI admin serves */
  webDistDir?: string;
  proxyKey?: string;
  credentials?: { username: string; password: string };
  gatewayId?: string;
  echo?: boolean;
}

export interface RelayStack {
  prefix: string;
  dir: TempDir;
  databaseUrl: string;
  /** the env every relay process got */
  env: Record<string, string>;
  /** the mock's OpenAI base URL (…/v1) */
  mockUrl: string;
  gatewayUrl: string;
  processorUrl: string;
  adminUrl: string;
  proxyKey: string;
  credentials: { username: string; password: string };
  /** the running process of a part, if it is up */
  process(part: RelayPart): RunningProcess | undefined;
  /** SIGTERM one part and wait for its exit (a deploy, an outage) */
  stopPart(part: RelayPart): Promise<void>;
  /** start a stopped part again on the same port, prefix and store */
  startPart(part: RelayPart): Promise<void>;
  /** a session token of the admin user, by a real login */
  login(): Promise<string>;
  /** stop every process, delete the Redis keys and the temp dir */
  stop(): Promise<void>;
}

const SCRIPTS: Record<RelayPart, string> = {
  gateway: 'services/gateway/src/index.ts',
  processor: 'services/log-processor/src/index.ts',
  admin: 'services/admin/src/index.ts',
};

export async function startRelayStack(opts: RelayStackOptions = {}): Promise<RelayStack> {
  const label = opts.label ?? 'relay';
  const redisUrl = opts.redisUrl ?? 'redis://127.0.0.1:6379';
  const dir = tempDir(`relay-${label}`);
  const prefix = uniquePrefix(label);
  const parts = opts.parts ?? ['gateway', 'processor', 'admin'];
  const running = new Map<RelayPart | 'mock', RunningProcess>();
  const stopPart = async (part: RelayPart | 'mock') => {
    const p = running.get(part);
    running.delete(part);
    await p?.stop(15_000);
  };
  const stop = async (): Promise<void> => {
    for (const part of [...running.keys()].reverse()) await stopPart(part);
    await deleteRedisPrefix(redisUrl, prefix);
    dir.remove();
  };
  try {
    const [mockPort, gatewayPort, processorPort, adminPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const mockUrl = `http://127.0.0.1:${mockPort}/v1`;
    const urls: Record<RelayPart, string> = {
      gateway: `http://127.0.0.1:${gatewayPort}`,
      processor: `http://127.0.0.1:${processorPort}`,
      admin: `http://127.0.0.1:${adminPort}`,
    };
    const proxyKey = opts.proxyKey ?? `sk-${label}-proxy-key`;
    const credentials = opts.credentials ?? { username: 'admin', password: `${label}-password` };
    const databaseUrl = opts.databaseUrl?.(dir.path) ?? `sqlite:${join(dir.path, 'relay.db')}`;
    const env: Record<string, string> = {
      REDIS_URL: redisUrl,
      REDIS_PREFIX: prefix,
      DATABASE_URL: databaseUrl,
      PROXY_KEY: proxyKey,
      TARGET_BASE_URL: mockUrl,
      TARGET_API_KEY: 'mock-provider-key',
      DEFAULT_MODEL: 'gpt-4o-mini',
      ADMIN_USERNAME: credentials.username,
      ADMIN_PASSWORD: credentials.password,
      JWT_SECRET: `${label}-jwt-secret-that-is-long-enough-0123456789`,
      PROXY_BASE_URL: urls.gateway,
      WEB_DIST_DIR: opts.webDistDir ?? join(dir.path, 'no-web-dist'),
      JOURNAL_DIR: join(dir.path, 'journal'),
      GATEWAY_PORT: String(gatewayPort),
      GATEWAY_HOST: '127.0.0.1',
      GATEWAY_ID: opts.gatewayId ?? `gw-${label}`,
      // tests stop the stack at once; a drain would only delay it (a test of draining sets its own)
      SHUTDOWN_DRAIN_MS: '0',
      PROCESSOR_PORT: String(processorPort),
      PROCESSOR_HOST: '127.0.0.1',
      ADMIN_PORT: String(adminPort),
      ADMIN_HOST: '127.0.0.1',
      // the admin UI's playground calls the gateway from the admin's origin
      GATEWAY_CORS_ORIGINS: urls.admin,
      ...opts.env,
    };
    const readyPath: Record<RelayPart, string> = { gateway: '/readyz', processor: '/healthz', admin: '/healthz' };
    const startPart = async (part: RelayPart) => {
      if (running.has(part)) throw new Error(`${part} is already running`);
      running.set(part, await startProcess({ name: part, script: SCRIPTS[part], env, readyUrl: `${urls[part]}${readyPath[part]}`, readyTimeoutMs: 30_000, echo: opts.echo }));
    };

    running.set('mock', await startProcess({ name: 'mock', script: 'packages/mock-provider/src/cli.ts', args: ['--port', String(mockPort)], env: { MOCK_PORT: String(mockPort) }, readyUrl: `http://127.0.0.1:${mockPort}/healthz`, echo: opts.echo }));
    const init = await startProcess({ name: 'init', script: 'services/admin/src/cli.ts', args: ['init'], env, echo: opts.echo });
    const code = await init.exited;
    if (code !== 0) throw new Error(`admin init exited with ${code}:\n${init.output()}`);
    for (const part of parts) await startPart(part);

    const login = async (): Promise<string> => {
      const res = await fetch(`${urls.admin}/admin/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(credentials) });
      if (res.status !== 200) throw new Error(`admin login: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { token: string }).token;
    };
    return {
      prefix,
      dir,
      databaseUrl,
      env,
      mockUrl,
      gatewayUrl: urls.gateway,
      processorUrl: urls.processor,
      adminUrl: urls.admin,
      proxyKey,
      credentials,
      process: (part) => running.get(part),
      stopPart,
      startPart,
      login,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
