import type { Store, StoreTestHooks } from './port.ts';
import { parseDatabaseUrl } from './database-url.ts';
import { createSqliteStore } from './sqlite/store.ts';
import { withWriteThread } from './sqlite/threaded.ts';

export * from './port.ts';
export * from './port-prompts.ts';
export * from './port-projects.ts';
export { parseDatabaseUrl, type DatabaseTarget } from './database-url.ts';
export { toListItem, searchTerms, sumRollups } from './shared.ts';
export { isStoreUnavailable } from './unavailable.ts';
export { rollupDims, scoreRollupsFor, minuteOf, EMPTY_ATTRIBUTION, type DimSource } from './attribution.ts';

export interface CreateStoreOptions {
  /** run init() (schema, indexes, server detection) before returning; default true */
  init?: boolean;
  /** MongoDB only: how long to wait for a reachable server (default 10 s) */
  serverSelectionTimeoutMS?: number;
  /** tests only (crash at a chosen point); production passes none */
  testHooks?: StoreTestHooks;
  /**
   * SQLite only: run log, roll-up and key-usage writes on a worker thread with its own connection, so a
   * write lock held elsewhere or a large batch never blocks this thread's event loop (the processor).
   * Not for `:memory:` (a thread cannot share it) nor with testHooks (a hook cannot cross threads).
   */
  writeThread?: boolean;
}

/** Open the store `DATABASE_URL` names. The returned store is initialised unless `opts.init` is false. */
export async function createStore(databaseUrl: string, opts: CreateStoreOptions = {}): Promise<Store> {
  const target = parseDatabaseUrl(databaseUrl);
  let store: Store;
  if (target.kind === 'sqlite') {
    store = createSqliteStore(target.path, opts.testHooks);
    if (opts.writeThread && target.path !== ':memory:' && !opts.testHooks) store = withWriteThread(store, target.path);
  } else {
    const { createMongoStore } = await import('./mongodb/store.ts');
    store = createMongoStore(target.uri, { serverSelectionTimeoutMS: opts.serverSelectionTimeoutMS, testHooks: opts.testHooks });
  }
  if (opts.init !== false) {
    try {
      await store.init();
    } catch (err) {
      // an unreachable server must not leave a connection pool keeping the process alive
      await store.close().catch(() => {});
      throw err;
    }
  }
  return store;
}
