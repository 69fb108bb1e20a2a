import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import OpenAI from 'openai';
import { deleteRedisPrefix, freePort, startProcess, tempDir, uniquePrefix, waitFor, type RunningProcess, type TempDir } from '@llm-relay/testkit';
import { eventsOfJob, generateRelayKey, publishSnapshot } from '@llm-relay/server-kit';
import { createMockProvider, type MockProvider } from '@llm-relay/mock-provider';
import {
  EXCHANGES_QUEUE,
  GatewaySnapshotSchema,
  SettingsSchema,
  type ExchangeEvent,
  type GatewayKey,
  type GatewayProject,
  type Provider,
  type Settings,
} from '@llm-relay/contracts';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestKey {
  secret: string;
  record: GatewayKey;
}

export function makeKey(over: Partial<GatewayKey> = {}): TestKey {
  const k = generateRelayKey();
  return {
    secret: k.secret,
    record: { id: `key-${k.prefix.slice(-6)}`, prefix: k.prefix, name: 'test key', hash: k.hash, status: 'active', expiresAt: null, allowedModels: [], limits: {}, ...over },
  };
}

export function provider(over: Partial<Provider> & { baseUrl: string }): Provider {
  return { id: 'mock', name: 'Mock', type: 'openai', apiKeys: ['sk-upstream-1'], headers: {}, models: [], priority: 0, enabled: true, injectStreamUsage: true, ...over };
}

/** One gateway test world: its own Redis prefix, journal dir, mock provider and gateway processes. */
export class World {
  readonly prefix = uniquePrefix('gw');
  readonly redis: Redis;
  readonly queue: Queue;
  readonly journal: TempDir = tempDir('gw-journal');
  mock!: MockProvider;
  gateways: RunningProcess[] = [];
  processor: RunningProcess | null = null;
  private processorDir: TempDir | null = null;
  ports: number[] = [];
  version = 1;
  readonly redisUrl: string;

  constructor(redisUrl = REDIS_URL) {
    this.redisUrl = redisUrl;
    this.redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    this.redis.on('error', () => undefined);
    this.queue = new Queue(EXCHANGES_QUEUE, { connection: { url: redisUrl, maxRetriesPerRequest: null } as never, prefix: this.prefix });
    this.queue.on('error', () => undefined);
  }

  async startMock(): Promise<MockProvider> {
    this.mock = await createMockProvider();
    return this.mock;
  }

  async snapshot(providers: Provider[], keys: GatewayKey[], settings: Partial<Settings> = {}, projects: GatewayProject[] = []): Promise<void> {
    const snap = GatewaySnapshotSchema.parse({ version: this.version++, writtenAt: Date.now(), settings: SettingsSchema.parse(settings), providers, keys, projects });
    await publishSnapshot(this.redis, this.prefix, snap);
  }

  async startGateway(env: Record<string, string> = {}, waitReady = true): Promise<string> {
    const port = await freePort();
    const g = await startProcess({
      name: `gateway-${this.gateways.length}`,
      script: 'services/gateway/src/index.ts',
      env: {
        GATEWAY_PORT: String(port),
        GATEWAY_HOST: '127.0.0.1',
        GATEWAY_ID: `${this.prefix}-gw${this.gateways.length}`,
        REDIS_URL: this.redisUrl,
        REDIS_PREFIX: this.prefix,
        JOURNAL_DIR: this.journal.path,
        // tests stop gateways at teardown; the restart test sets its own drain
        SHUTDOWN_DRAIN_MS: '0',
        ...env,
      },
      readyUrl: `http://127.0.0.1:${port}/${waitReady ? 'readyz' : 'healthz'}`,
    });
    this.gateways.push(g);
    this.ports.push(port);
    return `http://127.0.0.1:${port}`;
  }

  /**
   * A real log processor on this world's queue (SQLite in a temp dir): it stores the gateways' events and
   * acknowledges them, which is what lets a gateway's journal drop them.
   */
  async startProcessor(): Promise<void> {
    const port = await freePort();
    this.processorDir = tempDir('gw-processor');
    this.processor = await startProcess({
      name: 'processor',
      script: 'services/log-processor/src/index.ts',
      env: {
        REDIS_URL: this.redisUrl,
        REDIS_PREFIX: this.prefix,
        DATABASE_URL: `sqlite:${this.processorDir.path}/relay.db`,
        PROCESSOR_PORT: String(port),
        PROCESSOR_HOST: '127.0.0.1',
      },
      readyUrl: `http://127.0.0.1:${port}/healthz`,
      readyTimeoutMs: 30_000,
    });
  }

  /** The usual start: the mock, one active key, a snapshot with the mock as the only provider, one gateway. */
  async startWithMock(settings: Partial<Settings> = {}, gatewayEnv: Record<string, string> = {}): Promise<{ base: string; key: TestKey }> {
    const mock = await this.startMock();
    const key = makeKey();
    await this.snapshot([provider({ baseUrl: mock.url })], [key.record], settings);
    return { base: await this.startGateway(gatewayEnv), key };
  }

  direct(): OpenAI {
    return new OpenAI({ baseURL: this.mock.url, apiKey: 'sk-direct', maxRetries: 0 });
  }

  client(base: string, apiKey: string, opts: Partial<ConstructorParameters<typeof OpenAI>[0]> = {}): OpenAI {
    return new OpenAI({ baseURL: `${base}/v1`, apiKey, maxRetries: 0, ...opts });
  }

  /** Every event the gateways put on the queue so far. */
  async events(): Promise<ExchangeEvent[]> {
    const jobs = await this.queue.getJobs(['waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized']);
    return jobs.flatMap((j) => eventsOfJob(j) as ExchangeEvent[]).sort((a, b) => a.startedAt - b.startedAt);
  }

  async event(id: string): Promise<ExchangeEvent> {
    return waitFor(async () => (await this.events()).find((e) => e.id === id), { what: `event ${id}` });
  }

  async close(): Promise<void> {
    await Promise.all(this.gateways.map((g) => g.stop()));
    await this.processor?.stop();
    this.processorDir?.remove();
    await this.mock?.close();
    await this.queue.close().catch(() => undefined);
    // an outage test may leave this Redis unreachable: cleanup is best effort then
    await deleteRedisPrefix(this.redis, this.prefix).catch(() => undefined);
    this.redis.disconnect();
    this.journal.remove();
  }
}
