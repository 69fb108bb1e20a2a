import type { Provider, Settings } from '@llm-relay/contracts';
import type { AdminUser, AuditEntry, RelayKeyRecord, Store } from '../port.ts';
import type { PromptStore } from '../port-prompts.ts';
import type { ProjectStore } from '../port-projects.ts';
import { DUPLICATE_KEY, type Models } from './models.ts';

type ConfigMethods = Omit<
  Store,
  'info' | 'init' | 'close' | 'addRollups' | 'queryRollups' | 'insertLogs' | 'insertLogsWithRollups' | 'recoverRollups' | 'getLog' | 'listLogs' | 'iterateLogs' | 'countLogs' | 'applyRetention' | 'updateCosts' | keyof PromptStore | keyof ProjectStore
  | 'setScore' | 'deleteScore' | 'addPendingScore' | 'pendingScoresFor' | 'deletePendingScore' | 'expirePendingScores' | 'queryScoreRollups'
  | 'listSessions' | 'getSession'
>;

function stripId<T>(d: Record<string, unknown> | null): T | null {
  if (!d) return null;
  const { _id, ...rest } = d;
  return rest as T;
}

function docToKey(d: Record<string, unknown>): RelayKeyRecord {
  const { _id, ...rest } = d;
  // FerretDB v1 drops a null set by $setOnInsert, so a never-used key may come back without the field
  // keys stored before projects have no projectId or budget
  return { projectId: null, budget: null, ...rest, lastUsedAt: (rest.lastUsedAt as number | null | undefined) ?? null } as unknown as RelayKeyRecord;
}

/** Upserts can race on a new _id (two writers insert it at once); the loser retries as an update. */
async function retryOnDuplicate<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if ((err as { code?: number }).code !== DUPLICATE_KEY) throw err;
    return fn();
  }
}

export function mongoConfig(m: Models): ConfigMethods {
  return {
    // settings are stored as JSON text: price overrides are keyed by model names such as `gpt-4.1`, and dotted keys are not safe field names
    async getSettings() {
      const d = await m.meta.findById('settings').lean();
      return d?.json ? (JSON.parse(d.json) as Settings) : null;
    },
    async putSettings(s) {
      await m.meta.updateOne({ _id: 'settings' }, { $set: { json: JSON.stringify(s) } }, { upsert: true });
    },
    async bumpConfigVersion() {
      const d = await retryOnDuplicate(() =>
        m.meta.collection.findOneAndUpdate({ _id: 'config_version' as never }, { $inc: { v: 1 } }, { upsert: true, returnDocument: 'after' }),
      );
      return (d as unknown as { v: number }).v;
    },

    async listProviders() {
      const docs = await m.providers.find().sort({ priority: 1, _id: 1 }).lean();
      return docs.map((d) => stripId<Provider>(d)!);
    },
    async getProvider(id) {
      return stripId<Provider>(await m.providers.findById(id).lean());
    },
    async upsertProvider(p) {
      await m.providers.collection.replaceOne({ _id: p.id as never }, p, { upsert: true });
    },
    async deleteProvider(id) {
      return (await m.providers.deleteOne({ _id: id })).deletedCount > 0;
    },

    async listKeys() {
      const docs = await m.keys.find().sort({ createdAt: 1, _id: 1 }).lean();
      return docs.map(docToKey);
    },
    async getKey(id) {
      const d = await m.keys.findById(id).lean();
      return d ? docToKey(d) : null;
    },
    async upsertKey(k) {
      const { usage, lastUsedAt, ...data } = k;
      // an edit must not roll back counters that touchKeys advanced since the caller read the key
      await retryOnDuplicate(() =>
        m.keys.collection.updateOne(
          { _id: k.id as never },
          { $set: data, $setOnInsert: { usage, lastUsedAt }, ...(data.defaultProvider === undefined ? { $unset: { defaultProvider: '' } } : {}) },
          { upsert: true },
        ),
      );
    },
    async deleteKey(id) {
      return (await m.keys.deleteOne({ _id: id })).deletedCount > 0;
    },
    async touchKeys(updates) {
      if (updates.length === 0) return;
      const ops = updates.map((u) => ({
        updateOne: {
          filter: { _id: u.id },
          update: {
            $max: { lastUsedAt: u.lastUsedAt },
            $inc: { 'usage.requests': u.requests, 'usage.tokens': u.tokens, 'usage.costUsd': u.costUsd },
          },
        },
      }));
      await m.keys.collection.bulkWrite(ops as never[], { ordered: false });
    },

    async getUser(username) {
      return stripId<AdminUser>(await m.users.findById(username).lean());
    },
    async listUsers() {
      return (await m.users.find().sort({ _id: 1 }).lean()).map((d) => stripId<AdminUser>(d)!);
    },
    async upsertUser(u) {
      await m.users.collection.replaceOne({ _id: u.username as never }, u, { upsert: true });
    },
    async deleteUser(username) {
      return (await m.users.deleteOne({ _id: username })).deletedCount > 0;
    },

    // details are free-form (a settings diff may carry dotted model names), so they are kept as JSON text
    async addAudit(e) {
      const { details, ...rest } = e;
      const doc = { ...rest, _id: e.id, ...(details ? { detailsJson: JSON.stringify(details) } : {}) };
      try {
        await m.audit.collection.insertOne(doc as never);
      } catch (err) {
        if ((err as { code?: number }).code !== DUPLICATE_KEY) throw err;
      }
    },
    async listAudit({ limit, before }) {
      const q = before === undefined ? {} : { at: { $lt: before } };
      const docs = await m.audit.collection.find(q).sort({ at: -1, _id: -1 }).limit(limit).toArray();
      return docs.map((d) => {
        const { _id, detailsJson, ...rest } = d as Record<string, unknown>;
        const e = rest as unknown as AuditEntry;
        if (typeof detailsJson === 'string') e.details = JSON.parse(detailsJson);
        return e;
      });
    },
  };
}
