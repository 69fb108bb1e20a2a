import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { freePort, tempDir, waitFor, type TempDir } from './processes.ts';

/**
 * A Redis of the test's own on a free port, so it can be stopped, frozen and restarted without touching
 * the shared one. Append-only with fsync on every write, so what it acknowledged survives a SIGKILL.
 */
export class OwnRedis {
  port = 0;
  child: ChildProcess | null = null;
  readonly dir: TempDir;

  constructor(label = 'own-redis') {
    this.dir = tempDir(label);
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (!this.port) this.port = await freePort();
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir.path, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--daemonize', 'no'], { stdio: 'ignore' });
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
