import { ALL_TIME_MINUTE, PROMPT_TOTAL_DIMS, decodePromptCursor, encodePromptCursor } from '../port-prompts.ts';
import type { PromptFamilyRecord, PromptStore, PromptTotals, PromptVersionRecord } from '../port-prompts.ts';
import type { Db } from './db.ts';
import { rowToRollup } from './rollups.ts';
import type { Row } from './rows.ts';

function rowToFamily(r: Row): PromptFamilyRecord {
  return {
    id: r.id as string,
    name: r.name as string,
    source: r.source as PromptFamilyRecord['source'],
    createdAt: r.created_at as number,
    updatedAt: r.updated_at as number,
    firstAt: r.first_at as number | null,
    lastAt: r.last_at as number | null,
  };
}

function rowToVersion(r: Row): PromptVersionRecord {
  return {
    id: r.id as string,
    familyId: r.family_id as string,
    label: r.label as string,
    text: r.text as string,
    createdAt: r.created_at as number,
    firstAt: r.first_at as number | null,
    lastAt: r.last_at as number | null,
  };
}

function totalsOf(r: Row | undefined): PromptTotals | null {
  if (!r) return null;
  const { minute: _m, dim: _d, value: _v, ...totals } = rowToRollup(r);
  return totals;
}

/** Prompt families and versions on SQLite: label assignment is one IMMEDIATE transaction, so labels never repeat. */
export function sqlitePrompts(db: Db): PromptStore {
  const one = <T>(sql: string, ...args: (string | number)[]) => db.stmt(sql).get(...args) as T | undefined;
  const all = <T>(sql: string, ...args: (string | number)[]) => db.stmt(sql).all(...args) as T[];
  const totalsRow = (dim: string, value: string) =>
    one<Row>('SELECT * FROM rollups WHERE dim = ? AND value = ? AND minute = ?', dim, value, ALL_TIME_MINUTE);

  return {
    async ensurePromptFamily(f) {
      db.stmt('INSERT OR IGNORE INTO prompt_families (id, name, source, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run(
        f.id,
        f.name,
        f.source,
        f.createdAt,
        f.createdAt,
      );
      return rowToFamily(one<Row>('SELECT * FROM prompt_families WHERE id = ?', f.id)!);
    },

    async ensurePromptVersion(v) {
      return db.tx(() => {
        const existing = one<Row>('SELECT * FROM prompt_versions WHERE id = ?', v.id);
        if (existing) return rowToVersion(existing);
        let label = v.label;
        if (label === undefined) {
          let n = one<{ n: number }>('SELECT COUNT(*) AS n FROM prompt_versions WHERE family_id = ?', v.familyId)!.n + 1;
          while (one('SELECT 1 FROM prompt_versions WHERE family_id = ? AND label = ?', v.familyId, `v${n}`)) n++;
          label = `v${n}`;
        } else {
          // an explicit label names the version: a version already holding it is that version
          const taken = one<Row>('SELECT * FROM prompt_versions WHERE family_id = ? AND label = ?', v.familyId, label);
          if (taken) return rowToVersion(taken);
        }
        db.stmt('INSERT INTO prompt_versions (id, family_id, label, text, created_at) VALUES (?, ?, ?, ?, ?)').run(v.id, v.familyId, label, v.text, v.createdAt);
        return rowToVersion(one<Row>('SELECT * FROM prompt_versions WHERE id = ?', v.id)!);
      });
    },

    async touchPromptVersions(seen) {
      if (seen.length === 0) return;
      const widen = (table: string) =>
        db.stmt(`UPDATE ${table} SET first_at = min(coalesce(first_at, ?1), ?1), last_at = max(coalesce(last_at, ?2), ?2) WHERE id = ?3`);
      db.tx(() => {
        for (const s of seen) {
          widen('prompt_versions').run(s.firstAt, s.lastAt, s.versionId);
          widen('prompt_families').run(s.firstAt, s.lastAt, s.familyId);
        }
      });
    },

    async listPromptIndex(opts = {}) {
      const since = opts.since ?? 0;
      return {
        families: all<Row>('SELECT * FROM prompt_families WHERE updated_at >= ? ORDER BY created_at, id', since).map(rowToFamily),
        versions: all<Row>('SELECT * FROM prompt_versions WHERE created_at >= ? ORDER BY created_at, id', since).map(rowToVersion),
      };
    },

    async listPromptFamilies({ limit, cursor }) {
      const after = decodePromptCursor(cursor);
      const select = `SELECT f.*, (SELECT COUNT(*) FROM prompt_versions v WHERE v.family_id = f.id) AS version_count FROM prompt_families f`;
      const rows = after
        ? all<Row>(`${select} WHERE (f.created_at, f.id) < (?, ?) ORDER BY f.created_at DESC, f.id DESC LIMIT ?`, after.createdAt, after.id, limit + 1)
        : all<Row>(`${select} ORDER BY f.created_at DESC, f.id DESC LIMIT ?`, limit + 1);
      const page = rows.slice(0, limit);
      const items = page.map((r) => ({
        ...rowToFamily(r),
        versionCount: r.version_count as number,
        totals: totalsOf(totalsRow(PROMPT_TOTAL_DIMS.family, r.id as string)),
      }));
      return { items, nextCursor: rows.length > limit ? encodePromptCursor(items.at(-1)!) : null };
    },

    async getPromptFamily(id) {
      const f = one<Row>('SELECT * FROM prompt_families WHERE id = ?', id);
      if (!f) return null;
      const versions = all<Row>('SELECT * FROM prompt_versions WHERE family_id = ? ORDER BY created_at, id', id).map((r) => ({
        ...rowToVersion(r),
        totals: totalsOf(totalsRow(PROMPT_TOTAL_DIMS.version, r.id as string)),
      }));
      return { family: rowToFamily(f), versions };
    },

    async renamePromptFamily(id, name, at) {
      db.stmt('UPDATE prompt_families SET name = ?, updated_at = ? WHERE id = ?').run(name, at, id);
      const f = one<Row>('SELECT * FROM prompt_families WHERE id = ?', id);
      return f ? rowToFamily(f) : null;
    },
  };
}
