import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

/** The repository root, for starting services by path. */
export const REPO_ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

/** The Node 24 binary running this test: services run under the same one. */
export const NODE_BIN = process.execPath;

export async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as { port: number }).port;
  srv.close();
  await once(srv, 'close');
  return port;
}

/** A Redis key prefix of this test's own; BullMQ queues and every relay key live under it. */
export function uniquePrefix(label = 't'): string {
  return `test-${label}-${randomBytes(4).toString('hex')}`;
}

export interface TempDir {
  path: string;
  remove(): void;
}
export function tempDir(label = 'llm-relay'): TempDir {
  const path = mkdtempSync(join(tmpdir(), `${label}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface RunningProcess {
  name: string;
  child: ChildProcess;
  /** everything the process printed so far (stdout + stderr) */
  output(): string;
  /** SIGTERM, wait for exit (SIGKILL after timeoutMs) */
  stop(timeoutMs?: number): Promise<number | null>;
  kill(signal?: NodeJS.Signals): void;
  exited: Promise<number | null>;
}

export interface StartOptions {
  name: string;
  /** script path relative to the repo root, e.g. `services/gateway/src/index.ts` */
  script: string;
  args?: string[];
  env?: Record<string, string | undefined>;
  /** URL polled until it answers 2xx */
  readyUrl?: string;
  readyTimeoutMs?: number;
  /** print the process's output to this process's stderr as it comes (debugging) */
  echo?: boolean;
}

/** Start a service as a real process under Node 24 and wait until its ready URL answers. */
export async function startProcess(opts: StartOptions): Promise<RunningProcess> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, LOG_LEVEL: 'warn', ...opts.env })) if (v !== undefined) env[k] = v;
  const child = spawn(NODE_BIN, [resolve(REPO_ROOT, opts.script), ...(opts.args ?? [])], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const onData = (d: Buffer) => {
    out += d.toString();
    if (out.length > 2_000_000) out = out.slice(-1_000_000);
    if (opts.echo || process.env.TEST_ECHO) process.stderr.write(`[${opts.name}] ${d}`);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  const proc: RunningProcess = {
    name: opts.name,
    child,
    output: () => out,
    exited,
    kill: (signal = 'SIGKILL') => {
      child.kill(signal);
    },
    stop: async (timeoutMs = 10_000) => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
  if (opts.readyUrl) {
    const deadline = Date.now() + (opts.readyTimeoutMs ?? 20_000);
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${opts.name} exited with ${child.exitCode} before it was ready:\n${out}`);
      try {
        const res = await fetch(opts.readyUrl);
        if (res.ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await proc.stop();
        throw new Error(`${opts.name} not ready at ${opts.readyUrl} in time:\n${out}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return proc;
}

/** Poll `check` until it returns a truthy value (an event that cannot be awaited directly). */
export async function waitFor<T>(check: () => Promise<T> | T, opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${opts.what ?? 'condition'}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 25));
  }
}
