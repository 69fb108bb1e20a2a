/**
 * The fault suite's world: a Redis of the scenario's own (OwnRedis, on a fixed port of the scenario's
 * range, so it can be frozen, killed and restarted empty) under the relay as real processes (mock
 * provider, gateway, log processor, admin: testkit's startRelayStack). A scenario sends traffic with the
 * official openai SDK, injects its fault into a real process, and then counts every answered request
 * against the logs in the store: `row()` records sent / answered / stored / lost / duplicated.
 */
import { inject } from 'vitest';
import OpenAI from 'openai';
import { OwnRedis, startRelayStack, waitFor, type RelayPart, type RelayStack, type RelayStackOptions } from '@llm-relay/testkit';
import { createStore, type Store } from '@llm-relay/store';
import type { LogListItem } from '@llm-relay/contracts';
import { recordRow, type FaultRow } from './table.ts';

export interface Answer {
  /** x-request-id: the exchange id, and so the stored log's id */
  id: string;
  status: number;
}

export interface FaultWorldOptions extends Omit<RelayStackOptions, 'redisUrl'> {
  /** the Redis port, fixed within the range of whoever owns the scenario */
  redisPort: number;
}

export class FaultWorld {
  readonly redis: OwnRedis;
  stack!: RelayStack;
  private store: Store | null = null;
  sent = 0;
  readonly answers: Answer[] = [];
  /** requests that got no HTTP answer at all (connection refused or reset) */
  readonly failures: string[] = [];

  private constructor(port: number, label: string) {
    this.redis = new OwnRedis(`faults-${label}`);
    this.redis.port = port;
  }

  static async start(opts: FaultWorldOptions): Promise<FaultWorld> {
    const label = opts.label ?? 'fault';
    const w = new FaultWorld(opts.redisPort, label);
    await w.redis.start();
    try {
      w.stack = await startRelayStack({ ...opts, label, redisUrl: w.redis.url });
    } catch (err) {
      await w.redis.remove();
      throw err;
    }
    return w;
  }

  client(opts: Partial<ConstructorParameters<typeof OpenAI>[0]> = {}): OpenAI {
    return new OpenAI({ baseURL: `${this.stack.gatewayUrl}/v1`, apiKey: this.stack.proxyKey, maxRetries: 0, ...opts });
  }

  /** SIGSTOP / SIGCONT / SIGKILL a part of the relay. */
  signal(part: RelayPart, signal: NodeJS.Signals): void {
    const p = this.stack.process(part);
    if (!p) throw new Error(`${part} is not running`);
    p.kill(signal);
  }

  /** Redis killed (SIGKILL) and started again with nothing: no AOF, no RDB, as a Redis without persistence restarts. */
  async restartRedisEmpty(downMs = 0): Promise<void> {
    await this.redis.kill();
    this.redis.wipe();
    if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
    await this.redis.start();
  }

  /**
   * Send `n` chat completions, `concurrency` at a time; every `streamEvery`-th one streams. Every answer
   * (any status) is counted with its x-request-id; a request with no answer at all is a failure.
   */
  async chat(n: number, opts: { concurrency?: number; streamEvery?: number; label?: string; headers?: Record<string, string> } = {}): Promise<Answer[]> {
    const client = this.client();
    const out: Answer[] = [];
    let next = 0;
    const one = async (i: number): Promise<void> => {
      this.sent++;
      const stream = opts.streamEvery ? i % opts.streamEvery === 0 : false;
      const content = `${opts.label ?? 'fault'} ${i}`;
      try {
        const { data, response } = await client.chat.completions
          .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }], ...(stream ? { stream: true } : {}) }, { headers: opts.headers })
          .withResponse();
        if (stream) for await (const _ of data as AsyncIterable<unknown>) void _;
        out.push({ id: response.headers.get('x-request-id')!, status: response.status });
      } catch (err) {
        if (err instanceof OpenAI.APIError && err.status !== undefined) {
          out.push({ id: err.headers?.get('x-request-id') ?? '', status: err.status });
        } else {
          this.failures.push(String((err as Error).message));
        }
      }
    };
    const workers = Array.from({ length: Math.min(opts.concurrency ?? 1, n) }, async () => {
      while (next < n) await one(next++);
    });
    await Promise.all(workers);
    this.answers.push(...out);
    return out;
  }

  /** `n` chat completions one after another with another relay key (one the scenario created). */
  async chatWith(apiKey: string, n: number, label: string): Promise<Answer[]> {
    const client = this.client({ apiKey });
    const out: Answer[] = [];
    for (let i = 0; i < n; i++) {
      this.sent++;
      try {
        const { response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `${label} ${i}` }] }).withResponse();
        out.push({ id: response.headers.get('x-request-id')!, status: response.status });
      } catch (err) {
        if (err instanceof OpenAI.APIError && err.status !== undefined) out.push({ id: err.headers?.get('x-request-id') ?? '', status: err.status });
        else this.failures.push(String((err as Error).message));
      }
    }
    this.answers.push(...out);
    return out;
  }

  async openStore(): Promise<Store> {
    this.store ??= await createStore(this.stack.databaseUrl);
    return this.store;
  }

  /** How many logs the store holds per id (more than one would be a duplicate). */
  async storedCounts(): Promise<Map<string, number>> {
    const store = await this.openStore();
    const counts = new Map<string, number>();
    for await (const l of store.iterateLogs({}, { full: false })) counts.set((l as LogListItem).id, (counts.get((l as LogListItem).id) ?? 0) + 1);
    return counts;
  }

  /** Wait until every answered request (or those given) has its log stored; resolves with the counts either way. */
  async waitStored(answers: Answer[] = this.answers, timeoutMs = 30_000): Promise<Map<string, number>> {
    let counts = new Map<string, number>();
    await waitFor(
      async () => {
        counts = await this.storedCounts();
        return answers.every((a) => counts.has(a.id));
      },
      { timeoutMs, intervalMs: 250, what: 'stored logs' },
    ).catch(() => undefined);
    return counts;
  }

  /** Count and record this scenario's row (also printed). */
  async row(scenario: string, opts: { note?: string; answers?: Answer[]; timeoutMs?: number } = {}): Promise<FaultRow> {
    const answers = opts.answers ?? this.answers;
    const counts = await this.waitStored(answers, opts.timeoutMs);
    const stored = answers.filter((a) => counts.has(a.id)).length;
    let duplicated = 0;
    for (const n of counts.values()) duplicated += n - 1;
    const row: FaultRow = { scenario, sent: this.sent, answered: answers.length, stored, lost: answers.length - stored, duplicated, ...(opts.note ? { note: opts.note } : {}) };
    recordRow(inject('faultTable'), row);
    return row;
  }

  async close(): Promise<void> {
    await this.store?.close().catch(() => undefined);
    // a part left frozen would never exit on SIGTERM
    for (const part of ['gateway', 'processor', 'admin'] as const) this.stack?.process(part)?.kill('SIGCONT');
    await this.stack?.stop().catch(() => undefined);
    await this.redis.remove();
  }
}
