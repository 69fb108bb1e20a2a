/**
 * The scale-out proof on one machine (issue 7), with real processes on loopback:
 * 3 gateways behind a real haproxy (deploy/edge/haproxy.cfg), 2 log processors, admin, the mock provider,
 * a Redis prefix and a SQLite file of its own.
 *
 *   node deploy/scale-out/run.ts [--requests 20000] [--clients 8] [--concurrency 32] [--rpm 60] [--json out.json]
 *                                [--no-drain]   restart the gateway without taking it out of the balancer first
 *                                [--store sqlite|ferretdb|mongodb://…]   the shared store (default a temp SQLite file)
 *
 * While the load runs: a shared rate limit is hit through all gateways, a key is revoked, one processor is
 * SIGKILLed (and restarted), one gateway is restarted. Afterwards every answered request must be stored
 * exactly once. Prints the figures; exits 1 when a check fails, 2 when haproxy is missing.
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { AdminClient } from './admin-client.ts';
import { startFerretDb } from '@llm-relay/testkit';
import { checkRevocation, checkSharedRateLimit, waitForSnapshotEverywhere, type Ctx } from './checks.ts';
import { ADMIN_PASSWORD, ADMIN_USER, Cluster, findHaproxy } from './cluster.ts';
import { percentile, runLoad } from './load.ts';
import { reconcile } from './reconcile.ts';

export interface ScaleOutOptions {
  requests: number;
  clients: number;
  concurrency: number;
  rpm: number;
  redisUrl: string;
  /** restart the gateway without draining it from the balancer first */
  restartWithoutDrain?: boolean;
  /** `sqlite` (a temp file), `ferretdb` (a temp FerretDB: MongoDB's wire protocol) or a mongodb:// URL */
  store?: string;
  echo?: boolean;
  log?: (line: string) => void;
}

export async function runScaleOut(o: ScaleOutOptions) {
  const log = o.log ?? ((l: string) => console.log(l));
  const haproxy = findHaproxy();
  if (!haproxy) throw new MissingTool('haproxy is not installed: apt-get install haproxy');
  const store = o.store ?? 'sqlite';
  if (!['sqlite', 'ferretdb'].includes(store) && !store.startsWith('mongodb')) throw new MissingTool(`--store ${store}: use sqlite, ferretdb or a mongodb:// URL`);
  const ferret = store === 'ferretdb' ? await startFerretDb() : null;
  const databaseUrl = ferret ? `${ferret.uri}llm-relay-scale-out` : store.startsWith('mongodb') ? store : undefined;
  const cluster = new Cluster({ gateways: 3, processors: 2, redisUrl: o.redisUrl, processorLockMs: 5_000, databaseUrl, echo: o.echo }, haproxy);
  running.add(cluster);
  let redis: Redis | null = null;
  const events: string[] = [];
  const note = (e: string) => {
    events.push(e);
    log(`  · ${e}`);
  };
  try {
    const t0 = Date.now();
    await cluster.start();
    log(`cluster up in ${Date.now() - t0} ms: edge ${cluster.edgeUrl}, 3 gateways, 2 processors, admin, mock; prefix ${cluster.prefix}; store ${databaseUrl ?? 'sqlite'}`);
    const admin = new AdminClient(`http://127.0.0.1:${cluster.adminPort}`);
    await admin.login(ADMIN_USER, ADMIN_PASSWORD);
    redis = new Redis(o.redisUrl, { maxRetriesPerRequest: 1 });
    const ctx: Ctx = { admin, gatewayUrls: cluster.gateways.map((_, i) => cluster.gatewayUrl(i)), redis, prefix: cluster.prefix };
    const traffic = await admin.createKey('scale-out traffic');
    await waitForSnapshotEverywhere(ctx);

    // mid-run events, each started once the load has reached its share of the requests
    const at = (share: number, name: string, fn: () => Promise<unknown>) => ({ threshold: Math.floor(o.requests * share), name, fn, started: false });
    const schedule = [
      at(0.1, 'shared rate limit', () => checkSharedRateLimit(ctx, o.rpm)),
      at(0.25, 'revocation', () => checkRevocation(ctx)),
      at(0.4, 'processor SIGKILL', async () => {
        const { queue } = await admin.system();
        await cluster.killProcessor(0);
        note(`processor-1 SIGKILLed at ${Math.round(o.requests * 0.4)} requests (queue then: ${queue.active} active, ${queue.waiting} waiting)`);
        await cluster.startProcessor(0);
        note('processor-1 started again');
      }),
      at(0.6, 'gateway restart', async () => {
        const drain = !o.restartWithoutDrain;
        const { downMs } = await cluster.restartGateway(1, drain);
        note(`gateway-2 ${drain ? 'drained, ' : 'not drained, '}stopped (SIGTERM) and started again: down for ${downMs} ms`);
      }),
    ];
    const results: Record<string, unknown> = {};
    const failures: Record<string, Error> = {};
    // One step at a time, in order. Pacing: the load pauses at the next step's threshold (and at 90 %) until
    // the step before has finished, so every step happens while requests are still flowing.
    const finished = schedule.map(() => Promise.withResolvers<void>());
    let chain: Promise<unknown> = Promise.resolve();
    let loadDone = false;
    const gateAt = schedule.map((_, k) => (k + 1 < schedule.length ? schedule[k + 1]!.threshold : Math.floor(o.requests * 0.9)));
    const load = await runLoad({
      baseURL: `${cluster.edgeUrl}/v1`,
      apiKey: traffic.secret,
      total: o.requests,
      clients: o.clients,
      concurrency: o.concurrency,
      gate: async (n) => {
        for (let k = 0; k < schedule.length; k++) if (n >= gateAt[k]!) await finished[k]!.promise;
      },
      onProgress: (done) => {
        schedule.forEach((s, k) => {
          if (s.started || done < s.threshold) return;
          s.started = true;
          chain = chain.then(async () => {
            if (loadDone) note(`${s.name}: started after the load had ended`);
            try {
              results[s.name] = await s.fn();
            } catch (err) {
              failures[s.name] = err as Error;
            } finally {
              finished[k]!.resolve();
            }
          });
        });
      },
    });
    loadDone = true;
    await chain;
    const lateSteps = events.filter((e) => e.includes('after the load had ended')).length;
    for (const [name, err] of Object.entries(failures)) throw new Error(`mid-run step "${name}" failed: ${err.stack}`, { cause: err });
    const rate = results['shared rate limit'] as Awaited<ReturnType<typeof checkSharedRateLimit>>;
    const revocation = results['revocation'] as Awaited<ReturnType<typeof checkRevocation>>;
    const rec = await reconcile(admin, traffic.key.id, load.requestIds, 180_000);
    const figures = {
      requests: o.requests,
      streamed: load.streamed,
      answeredOk: load.ok,
      relayErrors: load.relayErrors,
      noAnswer: load.noAnswer,
      elapsedMs: Math.round(load.elapsedMs),
      // the machine is shared: its load average says how much of it this run had
      loadAverage: loadavg().map((l) => Math.round(l * 10) / 10),
      // includes the pauses while mid-run steps finish (see the pacing above)
      throughputRps: Math.round((o.requests / load.elapsedMs) * 1000),
      latencyMs: { p50: round(percentile(load.latenciesMs, 50)), p99: round(percentile(load.latenciesMs, 99)) },
      stored: rec,
      rateLimit: rate,
      revocation,
      events,
    };
    const checks = {
      'every fault injected while the load ran': lateSteps === 0,
      'stored logs = answered requests, 0 lost, 0 duplicated': rec.pass,
      'every request answered by the relay': load.noAnswer.count === 0 && Object.keys(load.relayErrors).length === 0,
      [`shared rate limit exact across 3 gateways (${rate.admitted}/${rate.rpm} admitted)`]: rate.pass,
      [`revoked key refused by every gateway, new config on each within 1 s (max ${Math.max(...revocation.snapshotAfterMs)} ms; last refusal answered at ${revocation.maxMs} ms)`]: revocation.pass,
    };
    return { figures, checks, pass: Object.values(checks).every(Boolean) };
  } catch (err) {
    const tails = [cluster.admin, cluster.edge, ...cluster.gateways.map((g) => g.proc), ...cluster.processors.map((p) => p.proc)]
      .filter((p) => p)
      .map((p) => `--- ${p!.name}\n${p!.output().slice(-1500)}`);
    throw new Error(`${(err as Error).stack}\n${tails.join('\n')}`, { cause: err });
  } finally {
    redis?.disconnect();
    running.delete(cluster);
    await cluster.stop();
    await ferret?.stop();
  }
}

/** clusters being run, so an interrupted script still ends its processes and deletes its keys */
const running = new Set<Cluster>();

/** the run cannot start (a tool is missing, an option is wrong): exit 2 with the message alone */
export class MissingTool extends Error {}

const round = (n: number) => Math.round(n * 10) / 10;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      requests: { type: 'string', default: '20000' },
      clients: { type: 'string', default: '8' },
      concurrency: { type: 'string', default: '32' },
      rpm: { type: 'string', default: '60' },
      json: { type: 'string' },
      echo: { type: 'boolean', default: false },
      'no-drain': { type: 'boolean', default: false },
      store: { type: 'string', default: 'sqlite' },
    },
  });
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`scale-out: ${signal}, stopping the cluster`);
      void Promise.all([...running].map((c) => c.stop())).finally(() => process.exit(130));
    });
  }
  const opts = { requests: Number(values.requests), clients: Number(values.clients), concurrency: Number(values.concurrency), rpm: Number(values.rpm), redisUrl, echo: values.echo, restartWithoutDrain: values['no-drain'], store: values.store };
  console.log(`scale-out: ${opts.requests} requests (a third streamed), ${opts.clients} SDK clients, ${opts.concurrency} in flight`);
  try {
    const { figures, checks, pass } = await runScaleOut(opts);
    console.log(JSON.stringify(figures, null, 2));
    for (const [name, ok] of Object.entries(checks)) console.log(`${ok ? 'PASS' : 'FAIL'}  ${name}`);
    if (values.json) writeFileSync(values.json, JSON.stringify({ figures, checks, pass, at: new Date().toISOString() }, null, 2));
    process.exitCode = pass ? 0 : 1;
  } catch (err) {
    console.error(err instanceof MissingTool ? `scale-out: ${err.message}` : err);
    process.exitCode = err instanceof MissingTool ? 2 : 1;
  }
}

if (import.meta.main) await main();
