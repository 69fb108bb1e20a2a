/**
 * Helpers of the processor and store scenarios: another process holding the SQLite write lock, a probe of
 * the processor's /healthz while a fault lasts, the processor's metrics, and admin's system page.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { SystemInfo } from '@llm-relay/contracts';
import type { FaultWorld } from './harness.ts';

/** The SQLite file of the stack's store (`sqlite:<path>`). */
export function sqlitePath(w: FaultWorld): string {
  if (!w.stack.databaseUrl.startsWith('sqlite:')) throw new Error('this scenario needs the SQLite store');
  return w.stack.databaseUrl.slice('sqlite:'.length);
}

/**
 * Another process takes the database's write lock (BEGIN IMMEDIATE) and keeps it until `release()`, as a
 * long write transaction of another program on the same file would.
 */
export async function holdWriteLock(path: string): Promise<{ release(): Promise<void> }> {
  const script = `
    const { DatabaseSync } = require('node:sqlite');
    const db = new DatabaseSync(process.argv[1]);
    db.exec('PRAGMA busy_timeout = 30000; BEGIN IMMEDIATE');
    process.stdout.write('locked\\n');
    process.stdin.once('data', () => { db.exec('COMMIT'); db.close(); process.exit(0); });`;
  const child = spawn(process.execPath, ['-e', script, path], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('locked') && resolve());
    child.once('exit', (code) => reject(new Error(`lock holder exited with ${code}`)));
  });
  return {
    async release() {
      const exited = once(child, 'exit');
      child.stdin.write('release\n');
      await exited;
    },
  };
}

/**
 * Polls /healthz every `everyMs` with a `timeoutMs` deadline per probe: a processor whose event loop is
 * blocked (a synchronous write waiting for the lock) misses the deadline.
 */
export function probeHealth(url: string, opts: { everyMs?: number; timeoutMs?: number } = {}) {
  const everyMs = opts.everyMs ?? 250;
  const timeoutMs = opts.timeoutMs ?? 3000;
  const result = { probes: 0, missed: 0, maxMs: 0 };
  let running = true;
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      try {
        const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(timeoutMs) });
        if (res.status !== 200) result.missed++;
        await res.arrayBuffer();
      } catch {
        result.missed++;
      }
      result.probes++;
      result.maxMs = Math.max(result.maxMs, Math.round(performance.now() - t0));
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    result,
    async stop() {
      running = false;
      await loop;
      return result;
    },
  };
}

/** One value of the processor's /metrics (first sample of that name). */
export async function processorMetric(url: string, name: string): Promise<number | null> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : null;
}

/** Admin's GET /admin/system, as the dashboard reads it. */
export async function system(w: FaultWorld, token: string): Promise<SystemInfo> {
  const res = await fetch(`${w.stack.adminUrl}/admin/system`, { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`GET /admin/system: ${res.status} ${await res.text()}`);
  return (await res.json()) as SystemInfo;
}
