import type { Store, StoreTestHooks } from '../port.ts';
import { openDb } from './db.ts';
import { sqliteLogs } from './logs.ts';
import { sqliteConfig } from './config.ts';
import { sqliteRollups } from './rollups.ts';
import { sqlitePrompts } from './prompts.ts';
import { sqliteScores } from './scores.ts';
import { sqliteSessions } from './sessions.ts';
import { sqliteProjects } from './projects.ts';

/**
 * The embedded store on Node's built-in `node:sqlite` (no native addon). Calls are synchronous
 * under the hood; the async signatures match the port. Opening creates the schema, so init()
 * only has to exist for the port.
 */
export function createSqliteStore(path: string, testHooks?: StoreTestHooks): Store {
  const db = openDb(path);
  return {
    info: { kind: 'sqlite', features: { ttlIndexes: false, textSearch: true, atomicRollups: 'transaction', server: `sqlite ${sqliteVersion(db.raw)}` } },
    async init() {},
    async close() {
      db.close();
    },
    ...sqliteLogs(db, testHooks),
    ...sqliteConfig(db),
    ...sqliteRollups(db),
    ...sqlitePrompts(db),
    ...sqliteScores(db),
    ...sqliteSessions(db),
    ...sqliteProjects(db),
  };
}

function sqliteVersion(raw: ReturnType<typeof openDb>['raw']): string {
  return (raw.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
}
