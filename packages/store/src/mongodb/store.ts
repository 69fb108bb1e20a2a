import mongoose from 'mongoose';
import type { Store, StoreInfo } from '../port.ts';
import { defineModels } from './models.ts';
import { mongoLogs } from './logs.ts';
import { mongoConfig } from './config.ts';
import { mongoRollups } from './rollups.ts';
import { mongoRollupBatches } from './rollup-batches.ts';
import { migrateMongo } from './schema-version.ts';
import { mongoPrompts } from './prompts.ts';
import { mongoScores } from './scores.ts';
import { mongoSessions } from './sessions.ts';
import { mongoProjects } from './projects.ts';
import type { StoreTestHooks } from '../port.ts';

const TTL_INDEX = 'retention_ttl';
const TEXT_INDEX = 'search_text';
/** the largest expireAfterSeconds MongoDB accepts: "never", until a retention window is set */
const TTL_NEVER = 2147483647;

/**
 * The MongoDB adapter (mongoose). init() detects what the server can do: MongoDB gets a TTL index
 * (retention without a running processor) and a text index (search); a server that rejects them
 * (FerretDB v1 answers "not implemented") gets periodic deletion and substring search instead.
 * The chosen paths are in `info.features`.
 */
export function createMongoStore(uri: string, opts: { serverSelectionTimeoutMS?: number; testHooks?: StoreTestHooks } = {}): Store {
  // ignoreUndefined: an optional field left undefined must stay absent, not come back as null
  const conn = mongoose.createConnection(uri, {
    ignoreUndefined: true,
    autoIndex: false,
    autoCreate: false,
    serverSelectionTimeoutMS: opts.serverSelectionTimeoutMS ?? 10_000,
  });
  const m = defineModels(conn);
  const info: StoreInfo = { kind: 'mongodb', features: { ttlIndexes: false, textSearch: false } };
  let ttlSeconds: number | null = null;

  async function tryIndex(create: () => Promise<unknown>): Promise<boolean> {
    try {
      await create();
      return true;
    } catch (err) {
      // a server without the feature says so on creation (FerretDB v1: NotImplemented, or an index
      // it cannot find afterwards); nothing else in init depends on these two indexes
      (info.features.fallbackReasons ??= []).push(String((err as Error).message));
      return false;
    }
  }

  const hooks = {
    async syncTtl(metaBefore: number) {
      if (!info.features.ttlIndexes || metaBefore <= 0) return;
      const seconds = Math.max(0, Math.min(TTL_NEVER, Math.ceil((Date.now() - metaBefore) / 1000)));
      // collMod only when the window moved by more than a minute: retention runs often, windows change rarely
      if (ttlSeconds !== null && Math.abs(ttlSeconds - seconds) < 60) return;
      await conn.db!.command({ collMod: 'logs', index: { name: TTL_INDEX, expireAfterSeconds: seconds } });
      ttlSeconds = seconds;
    },
  };

  return {
    info,
    async init() {
      await conn.asPromise();
      const build = (await conn.db!.admin().command({ buildInfo: 1 })) as { version?: string; ferretdbVersion?: string };
      info.features.server = build.ferretdbVersion ? `ferretdb ${build.ferretdbVersion} (mongodb ${build.version})` : `mongodb ${build.version}`;
      // transactions need a replica set or mongos; FerretDB v1 answers hello without a set and has none
      const hello = (await conn.db!.admin().command({ hello: 1 }).catch(() => ({}))) as { setName?: string; msg?: string };
      const transactions = !build.ferretdbVersion && (hello.setName !== undefined || hello.msg === 'isdbgrid');
      info.features.atomicRollups = transactions ? 'transaction' : 'journal';
      for (const model of Object.values(m)) {
        await model.createCollection().catch((err: { code?: number }) => {
          if (err.code !== 48) throw err; // NamespaceExists
        });
        await model.createIndexes();
      }
      await migrateMongo(m);
      const logs = m.logs.collection;
      const existing = await logs.listIndexes().toArray();
      const ttl = existing.find((i) => i.name === TTL_INDEX);
      info.features.ttlIndexes =
        ttl !== undefined || (await tryIndex(() => logs.createIndex({ createdAtDate: 1 }, { name: TTL_INDEX, expireAfterSeconds: TTL_NEVER })));
      ttlSeconds = ttl?.expireAfterSeconds ?? (info.features.ttlIndexes ? TTL_NEVER : null);
      // language 'none': no stemming or stop words, so English, Chinese and code are treated alike
      info.features.textSearch =
        existing.some((i) => i.name === TEXT_INDEX) ||
        (await tryIndex(() => logs.createIndex({ searchText: 'text' }, { name: TEXT_INDEX, default_language: 'none' })));
    },
    async close() {
      await conn.close();
    },
    ...mongoLogs(m, info, hooks),
    ...mongoConfig(m),
    ...mongoRollups(m),
    ...mongoPrompts(m),
    ...mongoScores(m),
    ...mongoSessions(m),
    ...mongoProjects(m),
    ...mongoRollupBatches(conn, m, info, opts.testHooks?.afterLogsInserted),
  };
}
