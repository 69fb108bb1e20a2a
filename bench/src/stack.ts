import { join } from 'node:path';
import { SettingsSchema, type GatewaySnapshotInput } from '@llm-relay/contracts';
import { createRedis, generateRelayKey, publishSnapshot } from '@llm-relay/server-kit';
import { freePort, startProcess, tempDir, uniquePrefix, type RunningProcess, type TempDir } from '@llm-relay/testkit';

export const MODES = ['instant', 'fixed', 'stream'] as const;
export type Mode = (typeof MODES)[number];
export const ARM_NAMES = ['direct', 'bare', 'relay-off', 'relay-on', 'relay-workers', 'peer'] as const;
export type ArmName = (typeof ARM_NAMES)[number];

export const ARM_LABELS: Record<ArmName, string> = {
  direct: 'direct to mock',
  bare: 'bare Node proxy (node:http + undici Pool)',
  'relay-off': 'LLM Relay, capture off',
  'relay-on': 'LLM Relay, capture on',
  'relay-workers': 'LLM Relay, capture on, GATEWAY_WORKERS=2',
  peer: 'peer (@portkey-ai/gateway)',
};

export interface Target {
  origin: string;
  headers: Record<string, string>;
  model: string;
}

export interface Arm {
  name: ArmName;
  pid: number | undefined;
  target(mode: Mode): Target;
}

export interface Service {
  proc: RunningProcess;
  origin: string;
  pid: number;
}

export interface Stack {
  redisUrl: string;
  mocks: Record<Mode, Service>;
  /** one bare proxy per mock: it pipes bytes to a single upstream and does no routing */
  bares: Record<Mode, Service>;
  /** capture on, one process; capture off; capture on with GATEWAY_WORKERS=2 (a primary and two workers) */
  gateways: { on: Service & { prefix: string }; off: Service & { prefix: string }; workers: Service & { prefix: string } };
  peer: Service | undefined;
  peerError: string | undefined;
  relayKey: string;
  arms: Arm[];
  tmp: TempDir;
  cleanup(): Promise<void>;
}

export interface StackOptions {
  redisUrl: string;
  /** extra env for the gateways, e.g. NODE_OPTIONS=--cpu-prof */
  gatewayEnv?: Record<string, string>;
  withPeer: boolean;
}

const MOCK_ARGS: Record<Mode, string[]> = {
  instant: ['--mode', 'instant'],
  fixed: ['--mode', 'fixed', '--delay-ms', '50'],
  stream: ['--mode', 'stream', '--chunks', '64', '--interval-ms', '20'],
};

async function startMock(mode: Mode): Promise<Service> {
  const port = await freePort();
  const proc = await startProcess({ name: `mock-${mode}`, script: 'packages/mock-provider/src/cli.ts', args: ['--port', String(port), ...MOCK_ARGS[mode]], readyUrl: `http://127.0.0.1:${port}/healthz` });
  return { proc, origin: `http://127.0.0.1:${port}`, pid: proc.child.pid! };
}

function snapshot(mocks: Record<Mode, Service>, keyHash: string, keyPrefix: string, capture: boolean): GatewaySnapshotInput {
  return {
    version: 1,
    writtenAt: Date.now(),
    // capture off = no body bytes captured; the gateway still emits one (metadata) event per request
    settings: SettingsSchema.parse({ captureMaxBytes: capture ? 4 * 1024 * 1024 : 0 }),
    providers: MODES.map((mode, i) => ({
      id: `mock-${mode}`, name: `mock ${mode}`, type: 'openai' as const, baseUrl: `${mocks[mode].origin}/v1`, apiKeys: ['sk-mock-bench'],
      headers: {}, models: [{ match: `bench-${mode}` }], priority: i, enabled: true, injectStreamUsage: true,
    })),
    keys: [{ id: 'bench-key', prefix: keyPrefix, name: 'bench', hash: keyHash, status: 'active', expiresAt: null, allowedModels: [], limits: {} }],
  };
}

/**
 * The config of the A/B harnesses (cpu-per-request, latency-ab, slow-readers-ab): one mock provider serving
 * `model`, capture on (4 MiB), and one relay key without limits or budget.
 */
export function singleMockSnapshot(mockOrigin: string, model: string, key: { hash: string; prefix: string }): GatewaySnapshotInput {
  return {
    version: 1,
    writtenAt: Date.now(),
    settings: SettingsSchema.parse({ captureMaxBytes: 4 * 1024 * 1024 }),
    providers: [{ id: 'mock', name: 'mock', type: 'openai', baseUrl: `${mockOrigin}/v1`, apiKeys: ['sk-mock'], headers: {}, models: [{ match: model }], priority: 0, enabled: true, injectStreamUsage: true }],
    keys: [{ id: 'bench-key', prefix: key.prefix, name: 'bench', hash: key.hash, status: 'active', expiresAt: null, allowedModels: [], limits: {} }],
  };
}

async function startBare(mode: Mode, upstream: string): Promise<Service> {
  const port = await freePort();
  const proc = await startProcess({ name: `bare-${mode}`, script: 'bench/src/bare-proxy.ts', args: ['--port', String(port), '--upstream', upstream], readyUrl: `http://127.0.0.1:${port}/healthz` });
  return { proc, origin: `http://127.0.0.1:${port}`, pid: proc.child.pid! };
}

async function startGateway(name: string, prefix: string, redisUrl: string, journalDir: string, env: Record<string, string>): Promise<Service> {
  const port = await freePort();
  const proc = await startProcess({
    name,
    script: 'services/gateway/src/index.ts',
    env: { GATEWAY_PORT: String(port), GATEWAY_HOST: '127.0.0.1', GATEWAY_ID: name, REDIS_URL: redisUrl, REDIS_PREFIX: prefix, JOURNAL_DIR: journalDir, LOG_LEVEL: 'warn', ...env },
    readyUrl: `http://127.0.0.1:${port}/healthz`,
    readyTimeoutMs: 30_000,
  });
  return { proc, origin: `http://127.0.0.1:${port}`, pid: proc.child.pid! };
}

async function startPeer(): Promise<Service> {
  const port = await freePort();
  const proc = await startProcess({
    name: 'peer',
    script: 'node_modules/@portkey-ai/gateway/build/start-server.js',
    args: [`--port=${port}`, '--headless'],
    env: { NODE_ENV: 'production' },
    readyUrl: `http://127.0.0.1:${port}/`,
    readyTimeoutMs: 30_000,
  });
  return { proc, origin: `http://127.0.0.1:${port}`, pid: proc.child.pid! };
}

/**
 * Start the mocks (one per mode), three gateways (capture on / off / on with two workers, each under its own Redis
 * prefix) and the peer.
 */
export async function startStack(opts: StackOptions): Promise<Stack> {
  const tmp = tempDir('llm-relay-bench');
  const started: RunningProcess[] = [];
  const prefixes = [uniquePrefix('bench-on'), uniquePrefix('bench-off'), uniquePrefix('bench-workers')];
  const redis = createRedis(opts.redisUrl, 'client');
  const cleanup = async () => {
    await Promise.all(started.map((p) => p.stop().catch(() => null)));
    for (const prefix of prefixes) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length) await redis.unlink(...keys);
      } while (cursor !== '0');
    }
    redis.disconnect();
    tmp.remove();
  };
  try {
    const [instant, fixed, stream] = await Promise.all(MODES.map(startMock));
    const mocks = { instant: instant!, fixed: fixed!, stream: stream! };
    started.push(...Object.values(mocks).map((m) => m.proc));
    const [bInstant, bFixed, bStream] = await Promise.all(MODES.map((m) => startBare(m, mocks[m].origin)));
    const bares = { instant: bInstant!, fixed: bFixed!, stream: bStream! };
    started.push(...Object.values(bares).map((m) => m.proc));
    const key = generateRelayKey();
    await publishSnapshot(redis, prefixes[0]!, snapshot(mocks, key.hash, key.prefix, true));
    await publishSnapshot(redis, prefixes[1]!, snapshot(mocks, key.hash, key.prefix, false));
    await publishSnapshot(redis, prefixes[2]!, snapshot(mocks, key.hash, key.prefix, true));
    const on = { ...(await startGateway('gateway-capture-on', prefixes[0]!, opts.redisUrl, join(tmp.path, 'journal-on'), opts.gatewayEnv ?? {})), prefix: prefixes[0]! };
    started.push(on.proc);
    const off = { ...(await startGateway('gateway-capture-off', prefixes[1]!, opts.redisUrl, join(tmp.path, 'journal-off'), opts.gatewayEnv ?? {})), prefix: prefixes[1]! };
    started.push(off.proc);
    const workers = { ...(await startGateway('gateway-workers', prefixes[2]!, opts.redisUrl, join(tmp.path, 'journal-workers'), { ...opts.gatewayEnv, GATEWAY_WORKERS: '2' })), prefix: prefixes[2]! };
    started.push(workers.proc);
    let peer: Service | undefined;
    let peerError: string | undefined;
    if (opts.withPeer) {
      try {
        peer = await startPeer();
        started.push(peer.proc);
      } catch (err) {
        peerError = err instanceof Error ? err.message.split('\n')[0] : String(err);
      }
    }
    const relay = (svc: Service, name: ArmName): Arm => ({
      name, pid: svc.pid,
      target: (mode) => ({ origin: svc.origin, headers: { authorization: `Bearer ${key.secret}` }, model: `bench-${mode}` }),
    });
    const arms: Arm[] = [
      { name: 'direct', pid: undefined, target: (mode) => ({ origin: mocks[mode].origin, headers: { authorization: 'Bearer sk-mock-bench' }, model: `bench-${mode}` }) },
      // pid: the instant-mode proxy, the one the throughput and memory figures load
      { name: 'bare', pid: bares.instant.pid, target: (mode) => ({ origin: bares[mode].origin, headers: { authorization: 'Bearer sk-mock-bench' }, model: `bench-${mode}` }) },
      relay(off, 'relay-off'),
      relay(on, 'relay-on'),
      relay(workers, 'relay-workers'),
    ];
    if (peer) {
      const p = peer;
      arms.push({
        name: 'peer', pid: p.pid,
        target: (mode) => ({ origin: p.origin, headers: { authorization: 'Bearer sk-mock-bench', 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${mocks[mode].origin}/v1` }, model: `bench-${mode}` }),
      });
    }
    return { redisUrl: opts.redisUrl, mocks, bares, gateways: { on, off, workers }, peer, peerError, relayKey: key.secret, arms, tmp, cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
