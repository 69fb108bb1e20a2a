import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { freePort, tempDir, waitFor, type TempDir } from './processes.ts';

/**
 * A Redis of the test's own on a free port (or the one given), so it can be stopped, frozen and restarted
 * without touching the shared one. By default append-only with fsync on every write, so what it acknowledged
 * survives a SIGKILL; `persistent: false` keeps nothing on disk, like the machine's Redis (benchmarks, where an
 * fsync per write would be measured too).
 */
export class OwnRedis {
  port = 0;
  child: ChildProcess | null = null;
  readonly dir: TempDir;
  readonly #persistent: boolean;

  constructor(label = 'own-redis', opts: { persistent?: boolean; port?: number } = {}) {
    this.dir = tempDir(label);
    this.#persistent = opts.persistent ?? true;
    this.port = opts.port ?? 0;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (!this.port) this.port = await freePort();
    const persistence = this.#persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir.path, '--save', '', ...persistence, '--daemonize', 'no'], { stdio: 'ignore' });
    await waitFor(async () => {
      const r = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      r.on('error', () => undefined);
      try {
        await r.connect();
        return (await r.ping()) === 'PONG';
      } finally {
        r.disconnect();
      }
    }, { what: 'own redis' });
  }

  freeze(): void {
    this.child?.kill('SIGSTOP');
  }

  thaw(): void {
    this.child?.kill('SIGCONT');
  }

  async kill(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    c.kill('SIGCONT');
    c.kill('SIGKILL');
    await once(c, 'exit');
    this.child = null;
  }

  /** Delete what it persisted (AOF, RDB): the next start is a Redis that kept nothing, as one without persistence. */
  wipe(): void {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) throw new Error('stop the redis before wiping it');
    for (const name of readdirSync(this.dir.path)) rmSync(join(this.dir.path, name), { recursive: true, force: true });
  }

  async remove(): Promise<void> {
    await this.kill();
    this.dir.remove();
  }
}
