import type { Store, StoreTestHooks } from './port.ts';
import { parseDatabaseUrl } from './database-url.ts';
import { createSqliteStore } from './sqlite/store.ts';

export * from './port.ts';
export * from './port-prompts.ts';
export { parseDatabaseUrl, type DatabaseTarget } from './database-url.ts';
export { toListItem, searchTerms } from './shared.ts';
export { rollupDims, scoreRollupsFor, minuteOf, EMPTY_ATTRIBUTION, type DimSource } from './attribution.ts';

export interface CreateStoreOptions {
  /** run init() (schema, indexes, server detection) before returning; default true */
  init?: boolean;
  /** MongoDB only: how long to wait for a reachable server (default 10 s) */
  serverSelectionTimeoutMS?: number;
  /** tests only (crash at a chosen point); production passes none */
  testHooks?: StoreTestHooks;
}

/** Open the store `DATABASE_URL` names. The returned store is initialised unless `opts.init` is false. */
export async function createStore(databaseUrl: string, opts: CreateStoreOptions = {}): Promise<Store> {
  const target = parseDatabaseUrl(databaseUrl);
  let store: Store;
  if (target.kind === 'sqlite') {
    store = createSqliteStore(target.path, opts.testHooks);
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
