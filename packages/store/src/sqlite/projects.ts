import { projectNameKey, projectNameTaken, type ProjectRecord, type ProjectStore, type SpendByScope, type SpendTotals } from '../port-projects.ts';
import { minuteOf } from '../attribution.ts';
import type { Db } from './db.ts';

/** SQLite names the column of a violated UNIQUE constraint: `UNIQUE constraint failed: projects.name_key` */
function conflictOf(err: unknown, name: string): unknown {
  return /constraint failed: projects\.name_key/.test((err as Error).message) ? projectNameTaken(name) : err;
}

const toRecord = (r: { data: string }): ProjectRecord => JSON.parse(r.data) as ProjectRecord;

export function sqliteProjects(db: Db): ProjectStore {
  const getRow = (id: string) => db.stmt('SELECT data FROM projects WHERE id = ?').get(id) as { data: string } | undefined;
  const write = (p: ProjectRecord, sql: string) => {
    try {
      db.stmt(sql).run(p.id, projectNameKey(p.name), p.createdAt, JSON.stringify(p));
    } catch (err) {
      throw conflictOf(err, p.name);
    }
  };
  return {
    async listProjects() {
      return (db.stmt('SELECT data FROM projects ORDER BY created_at, id').all() as { data: string }[]).map(toRecord);
    },
    async getProject(id) {
      const r = getRow(id);
      return r ? toRecord(r) : null;
    },
    async createProject(p) {
      write(p, 'INSERT INTO projects (id, name_key, created_at, data) VALUES (?, ?, ?, ?)');
    },
    async updateProject(id, patch) {
      // read, merge and write in one write transaction, so two edits of different fields both land
      return db.tx(() => {
        const r = getRow(id);
        if (!r) return null;
        const next: ProjectRecord = { ...toRecord(r), ...definedOnly(patch) };
        write(next, 'UPDATE projects SET id = ?1, name_key = ?2, created_at = ?3, data = ?4 WHERE id = ?1');
        return next;
      });
    },
    async deleteProject(id) {
      return db.tx(() => {
        const gone = db.stmt('DELETE FROM projects WHERE id = ?').run(id).changes > 0;
        // the keys stay, outside any project; a key's data is JSON (see config.ts)
        db.stmt("UPDATE relay_keys SET data = json_set(data, '$.projectId', json('null')) WHERE json_extract(data, '$.projectId') = ?").run(id);
        return gone;
      });
    },
    async spendSince(since) {
      const out: SpendByScope = { keys: {}, projects: {} };
      const scopes = { key: out.keys, project: out.projects } as const;
      const at = (m: Record<string, SpendTotals>, id: string) => (m[id] ??= { usd: 0, unpricedCalls: 0 });
      const cost = db.stmt("SELECT dim, value, sum(cost_usd) AS usd FROM rollups WHERE dim IN ('key', 'project') AND minute >= ? GROUP BY dim, value");
      for (const r of cost.all(minuteOf(since)) as { dim: 'key' | 'project'; value: string; usd: number }[]) {
        // logs without a key count under the key value 'none' (rollupDims)
        if (r.dim === 'key' && r.value === 'none') continue;
        at(scopes[r.dim], r.value).usd = r.usd;
      }
      // the conditions repeat the partial index logs_unpriced (schema.ts v4) term for term, so SQLite uses it
      const unpriced = db.stmt(
        `SELECT key_id, project_id, count(*) AS n FROM logs INDEXED BY logs_unpriced
         WHERE created_at >= ? AND json_extract(cost, '$.price') IS NULL AND (json_extract(usage, '$.prompt') IS NOT NULL OR json_extract(usage, '$.completion') IS NOT NULL)
         GROUP BY key_id, project_id`,
      );
      for (const r of unpriced.all(since) as { key_id: string | null; project_id: string | null; n: number }[]) {
        if (r.key_id !== null) at(out.keys, r.key_id).unpricedCalls += r.n;
        if (r.project_id !== null) at(out.projects, r.project_id).unpricedCalls += r.n;
      }
      return out;
    },
  };
}

/** an update's fields that are set: `undefined` means "leave as is", `null` is a value (no budget) */
function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
