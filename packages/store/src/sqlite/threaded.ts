import { Worker } from 'node:worker_threads';
import type { Store } from '../port.ts';
import type { SerializedError, WriteCall, WriteReply } from './write-thread.ts';

/**
 * A SQLite store whose writes run on a worker thread with its own connection. `node:sqlite` is synchronous:
 * on the caller's thread a batch waiting for another process's write lock (busy_timeout) or a large batch
 * transaction would freeze everything else the process does (health checks, queue lock renewals). Reads stay
 * on the caller's connection: in WAL mode they never wait for a writer.
 *
 * `rollupsFor` cannot cross threads, so insertLogsWithRollups sends each log's own roll-up rows and the thread
 * adds up those of the logs it really inserted; this needs `rollupsFor` to be additive (see the port).
 * If the thread dies, its pending calls fail as "store unavailable" and the next call starts a new one.
 */
export function withWriteThread(store: Store, path: string): Store {
  let worker: Worker | null = null;
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  const spawn = (): Worker => {
    const w = new Worker(new URL('./write-thread.ts', import.meta.url), { workerData: { path } });
    w.unref();
    w.on('message', (reply: WriteReply) => {
      const p = pending.get(reply.id);
      if (!p) return;
      pending.delete(reply.id);
      if (pending.size === 0) w.unref();
      if (reply.ok) p.resolve(reply.result);
      else p.reject(revive(reply.error));
    });
    const fail = (err: Error) => {
      if (worker === w) worker = null;
      for (const p of pending.values()) p.reject(Object.assign(new Error(`store write thread stopped: ${err.message}`), { storeUnavailable: true }));
      pending.clear();
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`exit code ${code}`)));
    return w;
  };

  // opened now, while the caller is starting, rather than at the first write
  worker = spawn();

  const call = <T>(method: WriteCall['method'], args: unknown[]): Promise<T> => {
    worker ??= spawn();
    const w = worker;
    const id = nextId++;
    // pending work keeps the process alive, an idle thread does not
    w.ref();
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      w.postMessage({ id, method, args } satisfies WriteCall);
    });
  };

  return {
    ...store,
    insertLogs: (logs) => call('insertLogs', [logs]),
    insertLogsWithRollups: (logs, rollupsFor) => call('insertLogsWithRollups', [logs, logs.map((l) => rollupsFor([l]))]),
    touchKeys: (updates) => call('touchKeys', [updates]),
    applyRetention: (opts) => call('applyRetention', [opts]),
    addRollups: (rows) => call('addRollups', [rows]),
    // the processor's prompt detector writes these while it handles a job
    ensurePromptFamily: (f) => call('ensurePromptFamily', [f]),
    ensurePromptVersion: (v) => call('ensurePromptVersion', [v]),
    touchPromptVersions: (seen) => call('touchPromptVersions', [seen]),
    createProject: (p) => call('createProject', [p]),
    updateProject: (id, patch) => call('updateProject', [id, patch]),
    deleteProject: (id) => call('deleteProject', [id]),
    async close() {
      const w = worker;
      worker = null;
      if (w) await w.terminate();
      await store.close();
    },
  };
}

/** An error from the thread, with the SQLite result code kept so the caller can classify it. */
function revive(e: SerializedError): Error {
  const err = new Error(e.message) as Error & { errcode?: number; errstr?: string; code?: string };
  err.name = e.name;
  if (e.errcode !== undefined) err.errcode = e.errcode;
  if (e.errstr !== undefined) err.errstr = e.errstr;
  if (e.code !== undefined) err.code = e.code;
  return err;
}
