import { parentPort, workerData } from 'node:worker_threads';
import type { StoredLog } from '@llm-relay/contracts';
import type { Rollup, Store } from '../port.ts';
import { sumRollups } from '../shared.ts';
import { createSqliteStore } from './store.ts';

/**
 * The SQLite write thread (see threaded.ts): its own connection to the same file runs the write calls, so
 * waiting for the write lock (busy_timeout) and the CPU time of a batch transaction never block the event
 * loop of the process that queued them.
 */
export interface WriteCall {
  id: number;
  method:
    | 'insertLogs'
    | 'insertLogsWithRollups'
    | 'touchKeys'
    | 'applyRetention'
    | 'addRollups'
    | 'ensurePromptFamily'
    | 'ensurePromptVersion'
    | 'touchPromptVersions'
    | 'createProject'
    | 'updateProject'
    | 'deleteProject';
  args: unknown[];
}
export type WriteReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: SerializedError };
export interface SerializedError {
  name: string;
  message: string;
  errcode?: number;
  errstr?: string;
  code?: string;
}

const port = parentPort;
if (port) {
  // the caller's connection migrated the schema: opening this one takes no write lock
  const store = createSqliteStore((workerData as { path: string }).path);
  port.on('message', (call: WriteCall) => {
    void run(store, call).then((reply) => port.postMessage(reply));
  });
}

async function run(store: Store, call: WriteCall): Promise<WriteReply> {
  try {
    return { id: call.id, ok: true, result: await dispatch(store, call) };
  } catch (err) {
    const e = err as Error & { errcode?: number; errstr?: string; code?: string };
    return { id: call.id, ok: false, error: { name: e.name, message: e.message, errcode: e.errcode, errstr: e.errstr, code: e.code } };
  }
}

function dispatch(store: Store, call: WriteCall): Promise<unknown> {
  switch (call.method) {
    case 'insertLogsWithRollups': {
      // the caller's rollupsFor cannot cross threads: it sent each log's own rows, which add up (sumRollups)
      const [logs, perLog] = call.args as [StoredLog[], Rollup[][]];
      const rowsOf = new Map(logs.map((l, i) => [l, perLog[i] ?? []]));
      return store.insertLogsWithRollups(logs, (inserted) => sumRollups(inserted.flatMap((l) => rowsOf.get(l) ?? [])));
    }
    case 'insertLogs':
      return store.insertLogs(...(call.args as Parameters<Store['insertLogs']>));
    case 'touchKeys':
      return store.touchKeys(...(call.args as Parameters<Store['touchKeys']>));
    case 'applyRetention':
      return store.applyRetention(...(call.args as Parameters<Store['applyRetention']>));
    case 'addRollups':
      return store.addRollups(...(call.args as Parameters<Store['addRollups']>));
    case 'ensurePromptFamily':
      return store.ensurePromptFamily(...(call.args as Parameters<Store['ensurePromptFamily']>));
    case 'ensurePromptVersion':
      return store.ensurePromptVersion(...(call.args as Parameters<Store['ensurePromptVersion']>));
    case 'touchPromptVersions':
      return store.touchPromptVersions(...(call.args as Parameters<Store['touchPromptVersions']>));
    case 'createProject':
      return store.createProject(...(call.args as Parameters<Store['createProject']>));
    case 'updateProject':
      return store.updateProject(...(call.args as Parameters<Store['updateProject']>));
    case 'deleteProject':
      return store.deleteProject(...(call.args as Parameters<Store['deleteProject']>));
  }
}
