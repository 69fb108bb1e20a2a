import type { Provider, Settings } from '@llm-relay/contracts';
import type { AdminUser, AuditEntry, RelayKeyRecord, Store } from '../port.ts';
import type { PromptStore } from '../port-prompts.ts';
import type { ProjectStore } from '../port-projects.ts';
import type { Db } from './db.ts';
import type { Row } from './rows.ts';

type ConfigMethods = Omit<
  Store,
  'info' | 'init' | 'close' | 'addRollups' | 'queryRollups' | 'insertLogs' | 'insertLogsWithRollups' | 'recoverRollups' | 'getLog' | 'listLogs' | 'iterateLogs' | 'countLogs' | 'applyRetention' | 'updateCosts' | keyof PromptStore | keyof ProjectStore
  | 'setScore' | 'deleteScore' | 'addPendingScore' | 'pendingScoresFor' | 'deletePendingScore' | 'expirePendingScores' | 'queryScoreRollups'
  | 'listSessions' | 'getSession'
>;

function rowToKey(r: Row): RelayKeyRecord {
  const data = JSON.parse(r.data as string) as Omit<RelayKeyRecord, 'usage' | 'lastUsedAt'>;
  return {
    ...data,
    // keys stored before projects have neither field
    projectId: data.projectId ?? null,
    budget: data.budget ?? null,
    lastUsedAt: r.last_used_at as number | null,
    usage: { requests: r.requests as number, tokens: r.tokens as number, costUsd: r.cost_usd as number },
  };
}

export function sqliteConfig(db: Db): ConfigMethods {
  const one = <T>(sql: string, ...args: (string | number)[]) => db.stmt(sql).get(...args) as T | undefined;
  const all = <T>(sql: string, ...args: (string | number)[]) => db.stmt(sql).all(...args) as T[];
  const parseData = <T>(rows: { data: string }[]) => rows.map((r) => JSON.parse(r.data) as T);

  return {
    async getSettings() {
      const r = one<{ v: string }>("SELECT v FROM meta WHERE k = 'settings'");
      return r ? (JSON.parse(r.v) as Settings) : null;
    },
    async putSettings(s) {
      db.stmt("INSERT INTO meta (k, v) VALUES ('settings', ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v").run(JSON.stringify(s));
    },
    async bumpConfigVersion() {
      const r = one<{ v: number }>("INSERT INTO meta (k, v) VALUES ('config_version', 1) ON CONFLICT (k) DO UPDATE SET v = v + 1 RETURNING v");
      return r!.v;
    },

    async listProviders() {
      return parseData<Provider>(all('SELECT data FROM providers ORDER BY priority, id'));
    },
    async getProvider(id) {
      const r = one<{ data: string }>('SELECT data FROM providers WHERE id = ?', id);
      return r ? (JSON.parse(r.data) as Provider) : null;
    },
    async upsertProvider(p) {
      db.stmt('INSERT INTO providers (id, priority, data) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET priority = excluded.priority, data = excluded.data').run(
        p.id,
        p.priority,
        JSON.stringify(p),
      );
    },
    async deleteProvider(id) {
      return db.stmt('DELETE FROM providers WHERE id = ?').run(id).changes > 0;
    },

    async listKeys() {
      return all<Row>('SELECT * FROM relay_keys ORDER BY created_at, id').map(rowToKey);
    },
    async getKey(id) {
      const r = one<Row>('SELECT * FROM relay_keys WHERE id = ?', id);
      return r ? rowToKey(r) : null;
    },
    async upsertKey(k) {
      const { usage, lastUsedAt, ...data } = k;
      // an edit must not roll back counters that touchKeys advanced since the caller read the key
      db.stmt(
        `INSERT INTO relay_keys (id, created_at, data, last_used_at, requests, tokens, cost_usd) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET created_at = excluded.created_at, data = excluded.data`,
      ).run(k.id, k.createdAt, JSON.stringify(data), lastUsedAt, usage.requests, usage.tokens, usage.costUsd);
    },
    async deleteKey(id) {
      return db.stmt('DELETE FROM relay_keys WHERE id = ?').run(id).changes > 0;
    },
    async touchKeys(updates) {
      if (updates.length === 0) return;
      const st = db.stmt(
        `UPDATE relay_keys SET last_used_at = max(coalesce(last_used_at, 0), ?), requests = requests + ?, tokens = tokens + ?, cost_usd = cost_usd + ?
         WHERE id = ?`,
      );
      db.tx(() => {
        for (const u of updates) st.run(u.lastUsedAt, u.requests, u.tokens, u.costUsd, u.id);
      });
    },

    async getUser(username) {
      const r = one<{ data: string }>('SELECT data FROM users WHERE username = ?', username);
      return r ? (JSON.parse(r.data) as AdminUser) : null;
    },
    async listUsers() {
      return parseData<AdminUser>(all('SELECT data FROM users ORDER BY username'));
    },
    async upsertUser(u) {
      db.stmt('INSERT INTO users (username, data) VALUES (?, ?) ON CONFLICT (username) DO UPDATE SET data = excluded.data').run(u.username, JSON.stringify(u));
    },
    async deleteUser(username) {
      return db.stmt('DELETE FROM users WHERE username = ?').run(username).changes > 0;
    },

    async addAudit(e) {
      db.stmt('INSERT OR IGNORE INTO audit (id, at, data) VALUES (?, ?, ?)').run(e.id, e.at, JSON.stringify(e));
    },
    async listAudit({ limit, before }) {
      const rows =
        before === undefined
          ? all<{ data: string }>('SELECT data FROM audit ORDER BY at DESC, id DESC LIMIT ?', limit)
          : all<{ data: string }>('SELECT data FROM audit WHERE at < ? ORDER BY at DESC, id DESC LIMIT ?', before, limit);
      return parseData<AuditEntry>(rows);
    },
  };
}
