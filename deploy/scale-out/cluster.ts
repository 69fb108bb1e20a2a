/**
 * The scaled-out relay on loopback, as real processes: the mock provider, `cli.ts init`, admin, N gateways,
 * M processors and a real haproxy running deploy/edge/haproxy.cfg. One Redis prefix and one temp SQLite
 * file of its own; `stop()` ends every process it started and deletes its Redis keys.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { deleteRedisPrefix, freePort, REPO_ROOT, startProcess, tempDir, uniquePrefix, waitFor, type RunningProcess, type TempDir } from '@llm-relay/testkit';
import { localEdgeConfig } from './edge-config.ts';

export const ADMIN_USER = 'admin';
export const ADMIN_PASSWORD = 'scale-out-admin-password';
export const PROXY_KEY = 'sk-scale-out-proxy-key';

export interface ClusterOptions {
  gateways: number;
  processors: number;
  redisUrl: string;
  /** BullMQ lock: how long a SIGKILLed processor's jobs wait before another processor takes them */
  processorLockMs: number;
  /** the store every service shares; default a SQLite file in the cluster's temp dir */
  databaseUrl?: string;
  echo?: boolean;
}

export function findHaproxy(): string | null {
  for (const p of ['/usr/sbin/haproxy', '/usr/bin/haproxy', '/usr/local/sbin/haproxy']) if (existsSync(p)) return p;
  const which = spawnSync('sh', ['-c', 'command -v haproxy'], { encoding: 'utf8' });
  return which.status === 0 ? which.stdout.trim() : null;
}

export class Cluster {
  readonly prefix = uniquePrefix('scale');
  readonly dir: TempDir = tempDir('scale-out');
  readonly gateways: { port: number; proc: RunningProcess | null }[] = [];
  readonly processors: { port: number; proc: RunningProcess | null }[] = [];
  admin!: RunningProcess;
  mock!: RunningProcess;
  edge!: RunningProcess;
  edgePort = 0;
  adminPort = 0;
  private restarts = 0;
  private readonly opts: ClusterOptions;
  private readonly haproxy: string;

  constructor(opts: ClusterOptions, haproxy: string) {
    this.opts = opts;
    this.haproxy = haproxy;
  }

  get edgeUrl(): string {
    return `http://127.0.0.1:${this.edgePort}`;
  }
  gatewayUrl(i: number): string {
    return `http://127.0.0.1:${this.gateways[i]!.port}`;
  }
  private get statsSocket(): string {
    return join(this.dir.path, 'haproxy.sock');
  }

  private baseEnv(): Record<string, string> {
    return {
      REDIS_URL: this.opts.redisUrl,
      REDIS_PREFIX: this.prefix,
      DATABASE_URL: this.opts.databaseUrl ?? `sqlite:${join(this.dir.path, 'relay.db')}`,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      JWT_SECRET: 'scale-out-jwt-secret-0123456789abcdef0123456789',
      COOKIE_SECURE: 'false',
    };
  }

  async start(): Promise<void> {
    const mockPort = await freePort();
    this.mock = await startProcess({
      name: 'mock',
      script: 'packages/mock-provider/src/cli.ts',
      args: ['--port', String(mockPort), '--mode', 'instant'],
      readyUrl: `http://127.0.0.1:${mockPort}/v1/models`,
      echo: this.opts.echo,
    });
    const init = spawnSync(process.execPath, [join(REPO_ROOT, 'services/admin/src/cli.ts'), 'init'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: {
        ...process.env,
        ...this.baseEnv(),
        PROXY_KEY,
        TARGET_BASE_URL: `http://127.0.0.1:${mockPort}/v1`,
        TARGET_API_KEY: 'mock-key',
        ADMIN_USERNAME: ADMIN_USER,
        ADMIN_PASSWORD,
      },
    });
    if (init.status !== 0) throw new Error(`cli.ts init failed (${init.status}):\n${init.stdout}${init.stderr}`);

    this.adminPort = await freePort();
    this.admin = await startProcess({
      name: 'admin',
      script: 'services/admin/src/index.ts',
      env: { ...this.baseEnv(), ADMIN_PORT: String(this.adminPort), ADMIN_HOST: '127.0.0.1', PROXY_BASE_URL: 'http://127.0.0.1:1' },
      readyUrl: `http://127.0.0.1:${this.adminPort}/healthz`,
      readyTimeoutMs: 30_000,
      echo: this.opts.echo,
    });
    for (let i = 0; i < this.opts.processors; i++) this.processors.push({ port: await freePort(), proc: null });
    for (let i = 0; i < this.opts.gateways; i++) this.gateways.push({ port: await freePort(), proc: null });
    await Promise.all([...this.processors.map((_, i) => this.startProcessor(i)), ...this.gateways.map((_, i) => this.startGateway(i))]);
    await this.startEdge();
  }

  async startGateway(i: number): Promise<void> {
    const g = this.gateways[i]!;
    g.proc = await startProcess({
      name: `gateway-${i + 1}`,
      script: 'services/gateway/src/index.ts',
      env: {
        ...this.baseEnv(),
        GATEWAY_PORT: String(g.port),
        GATEWAY_HOST: '127.0.0.1',
        GATEWAY_ID: `gateway-${i + 1}.${++this.restarts}`,
        JOURNAL_DIR: join(this.dir.path, `journal-${i + 1}`),
        // on a loaded shared machine an event-loop stall can exceed the 250 ms default and fail the limit
        // check open; the proof is about exactness across replicas, and fail-opens are counted anyway
        LIMITS_TIMEOUT_MS: '2000',
      },
      readyUrl: `http://127.0.0.1:${g.port}/readyz`,
      readyTimeoutMs: 30_000,
      echo: this.opts.echo,
    });
  }

  async startProcessor(i: number): Promise<void> {
    const p = this.processors[i]!;
    p.proc = await startProcess({
      name: `processor-${i + 1}`,
      script: 'services/log-processor/src/index.ts',
      env: {
        ...this.baseEnv(),
        PROCESSOR_PORT: String(p.port),
        PROCESSOR_HOST: '127.0.0.1',
        PROCESSOR_ID: `processor-${i + 1}.${++this.restarts}`,
        PROCESSOR_LOCK_MS: String(this.opts.processorLockMs),
      },
      readyUrl: `http://127.0.0.1:${p.port}/healthz`,
      readyTimeoutMs: 30_000,
      echo: this.opts.echo,
    });
  }

  private async startEdge(): Promise<void> {
    this.edgePort = await freePort();
    const cfg = localEdgeConfig(readFileSync(join(REPO_ROOT, 'deploy/edge/haproxy.cfg'), 'utf8'), {
      port: this.edgePort,
      upstreams: { gateway: this.gateways.map((g) => g.port), admin: [this.adminPort] },
      statsSocket: this.statsSocket,
      maxconn: 4096,
    });
    const file = join(this.dir.path, 'haproxy.cfg');
    writeFileSync(file, cfg);
    const child = spawn(this.haproxy, ['-db', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.length > 200_000) out = out.slice(-100_000);
      if (this.opts.echo) process.stderr.write(`[edge] ${d}`);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const exited = new Promise<number | null>((res) => child.once('exit', (c) => res(c)));
    this.edge = {
      name: 'edge',
      child,
      output: () => out,
      exited,
      kill: (s = 'SIGKILL') => void child.kill(s),
      stop: async () => {
        if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
        child.kill('SIGTERM');
        return exited;
      },
    };
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`haproxy exited with ${child.exitCode}:\n${out}`);
        return (await fetch(`${this.edgeUrl}/edge/healthz`)).ok;
      },
      { timeoutMs: 10_000, what: `haproxy on ${this.edgeUrl}` },
    );
    // every gateway is UP in haproxy before traffic starts
    await waitFor(async () => (await this.serverStates('gateways')).every((s) => s === 2), { timeoutMs: 10_000, what: 'haproxy sees every gateway up' });
  }

  /** A command on haproxy's admin socket (the runtime API an orchestrator would use). */
  async haproxyCommand(cmd: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const sock = createConnection(this.statsSocket);
      let out = '';
      sock.on('data', (d) => (out += d.toString()));
      sock.on('end', () => resolve(out));
      sock.on('error', reject);
      sock.end(`${cmd}\n`);
    });
  }

  /** srv_op_state of each server of a backend (2 = running). */
  async serverStates(backend: string): Promise<number[]> {
    const out = await this.haproxyCommand(`show servers state ${backend}`);
    return out
      .split('\n')
      .filter((l) => /^\d+ /.test(l))
      .map((l) => Number(l.split(' ')[5]));
  }

  /**
   * A rolling restart of one gateway as an orchestrator does it: take it out of the balancer (drain), let
   * its connections finish, SIGTERM (graceful shutdown), start a new process on the same port, put it back.
   * Without `drain` the SIGTERM comes while the balancer still sends it traffic (a crash-like restart:
   * only the gateway's graceful shutdown and the balancer's health checks and retries protect the clients).
   */
  async restartGateway(i: number, drain = true): Promise<{ downMs: number }> {
    const server = `gateways/gateway${i + 1}`;
    if (drain) {
      await this.haproxyCommand(`set server ${server} state drain`);
      await waitFor(async () => (await this.serverSessions(server)) === 0, { timeoutMs: 10_000, intervalMs: 20, what: `${server} drained` });
    }
    const t0 = Date.now();
    const code = await this.gateways[i]!.proc!.stop(30_000);
    if (code !== 0) throw new Error(`gateway-${i + 1} exited with ${code} on SIGTERM:\n${this.gateways[i]!.proc!.output().slice(-4000)}`);
    await this.startGateway(i);
    if (drain) await this.haproxyCommand(`set server ${server} state ready`);
    await waitFor(async () => (await this.serverStates('gateways'))[i] === 2, { timeoutMs: 10_000, what: `${server} up again` });
    return { downMs: Date.now() - t0 };
  }

  private async serverSessions(server: string): Promise<number> {
    const [backend, name] = server.split('/');
    const csv = await this.haproxyCommand('show stat');
    const header = csv.split('\n')[0]!.replace(/^# /, '').split(',');
    const scur = header.indexOf('scur');
    for (const line of csv.split('\n')) {
      const f = line.split(',');
      if (f[0] === backend && f[1] === name) return Number(f[scur]);
    }
    return 0;
  }

  async killProcessor(i: number): Promise<void> {
    const p = this.processors[i]!.proc!;
    p.kill('SIGKILL');
    await p.exited;
  }

  async stop(): Promise<void> {
    const procs = [this.edge, ...this.gateways.map((g) => g.proc), ...this.processors.map((p) => p.proc), this.admin, this.mock];
    await Promise.all(procs.map((p) => p?.stop(15_000).catch(() => undefined)));
    try {
      await deleteRedisPrefix(this.opts.redisUrl, this.prefix);
    } finally {
      this.dir.remove();
    }
  }
}
