import type { LogFilter, StoredLog } from '@llm-relay/contracts';
import { pagedLogs } from '../log-pages.ts';
import type { Store, StoreTestHooks } from '../port.ts';
import { DEFAULT_BATCH, previewText, searchTextOf, yieldToLoop } from '../shared.ts';
import type { Db } from './db.ts';
import { applyRollups } from './rollups.ts';
import { applySessionDeltas } from './sessions.ts';
import { sessionDeltas } from '../attribution.ts';
import { FULL_COLUMNS, LIST_COLUMNS, attrRows, bodyParams, filterSql, logParams, rowToListItem, rowToLog, searchSql, type Row, type SqlValue } from './rows.ts';

type LogMethods = Pick<
  Store,
  'insertLogs' | 'insertLogsWithRollups' | 'recoverRollups' | 'getLog' | 'listLogs' | 'iterateLogs' | 'countLogs' | 'applyRetention' | 'updateCosts'
>;

const INSERT_LOG = `INSERT OR IGNORE INTO logs (id, created_at, route, method, path, model, upstream_model, provider, key_id, key_prefix, key_name,
  status, outcome, stream, incomplete, error, usage, cost, latency, request_preview, response_preview, client_ip, user_agent, gateway_id, bodies_expired,
  user_id, session_id, tags, properties, prompt, prompt_family, prompt_version, scores, project_id)
  VALUES (${Array(34).fill('?').join(', ')})`;
const INSERT_ATTR = 'INSERT OR IGNORE INTO log_attrs (k, v, seq) VALUES (?, ?, ?)';
const INSERT_BODY = 'INSERT INTO log_bodies (seq, detail, request_body, response_body, raw_stream) VALUES (?, ?, ?, ?, ?)';
const INSERT_FTS = 'INSERT INTO logs_fts (rowid, text) VALUES (?, ?)';

export function sqliteLogs(db: Db, testHooks?: StoreTestHooks): LogMethods {
  let searches = 0;
  /** one keyset page, newest first; `full` joins the bodies */
  function page(filter: LogFilter, limit: number, cursor: string | null | undefined, full: boolean, matchTable?: string): Row[] {
    const { where, params } = filterSql(filter, matchTable);
    const cols = full ? FULL_COLUMNS : LIST_COLUMNS;
    const join = full ? 'LEFT JOIN log_bodies b ON b.seq = l.seq' : '';
    const keyset = cursor ? ' AND l.id < ?' : '';
    const sql = `SELECT ${cols} FROM logs l ${join} WHERE ${where}${keyset} ORDER BY l.id DESC LIMIT ?`;
    const args: SqlValue[] = cursor ? [...params, cursor, limit] : [...params, limit];
    // a per-export table name would only pollute the statement cache
    return (matchTable ? db.raw.prepare(sql) : db.stmt(sql)).all(...args) as Row[];
  }

  /**
   * Every match newest first in keyset batches. A search is evaluated once into a temp table of
   * matching rows: re-running it for each of hundreds of export batches would re-read every match.
   */
  async function* batches(filter: LogFilter, size: number, full: boolean): AsyncGenerator<Row[]> {
    const search = filter.q === undefined ? null : searchSql(filter.q);
    const table = search ? `temp.search_${++searches}` : undefined;
    if (search && table) {
      db.raw.exec(`CREATE TEMP TABLE ${table.slice(5)} (seq INTEGER PRIMARY KEY)`);
      db.raw.prepare(`INSERT INTO ${table} SELECT rowid FROM logs_fts WHERE ${search.sql}`).run(...search.params);
    }
    try {
      let cursor: string | null = null;
      for (;;) {
        const rows = page(filter, size, cursor, full, table);
        if (rows.length > 0) yield rows;
        if (rows.length < size) return;
        cursor = rows[rows.length - 1]!.id as string;
        await yieldToLoop();
      }
    } finally {
      if (table && db.raw.isOpen) db.raw.exec(`DROP TABLE IF EXISTS ${table}`);
    }
  }

  function deleteSeqs(seqs: number[]): void {
    const list = seqs.join(',');
    db.raw.exec(`DELETE FROM logs WHERE seq IN (${list}); DELETE FROM log_bodies WHERE seq IN (${list}); DELETE FROM logs_fts WHERE rowid IN (${list}); DELETE FROM log_attrs WHERE seq IN (${list});`);
  }

  /** the logs really inserted (first copy of a repeated id), in one transaction or the caller's */
  function insertBatch(logs: StoredLog[]): StoredLog[] {
    if (logs.length === 0) return [];
    const insLog = db.stmt(INSERT_LOG);
    const insBody = db.stmt(INSERT_BODY);
    const insFts = db.stmt(INSERT_FTS);
    const insAttr = db.stmt(INSERT_ATTR);
    return db.tx(() => {
      const inserted: StoredLog[] = [];
      for (const log of logs) {
        const r = insLog.run(...logParams(log));
        // INSERT OR IGNORE: a redelivered id changes nothing, so replays are idempotent
        if (r.changes === 0) continue;
        const seq = r.lastInsertRowid as number;
        insBody.run(seq, ...bodyParams(log));
        insFts.run(seq, log.bodiesExpired ? previewText(log) : searchTextOf(log));
        for (const [k, v] of attrRows(log)) insAttr.run(k, v, seq);
        inserted.push(log);
      }
      return inserted;
    });
  }

  return {
    async insertLogs(logs) {
      return insertBatch(logs).map((l) => l.id);
    },

    async insertLogsWithRollups(logs, rollupsFor) {
      // one transaction: a crash leaves either the logs with their roll-ups or neither
      return db.tx(() => {
        const inserted = insertBatch(logs);
        void testHooks?.afterLogsInserted?.();
        if (inserted.length > 0) {
          applyRollups(db, rollupsFor(inserted));
          applySessionDeltas(db, sessionDeltas(inserted));
        }
        return inserted.map((l) => l.id);
      });
    },

    async recoverRollups() {
      return 0;
    },

    async getLog(id) {
      const row = db.stmt(`SELECT ${FULL_COLUMNS} FROM logs l LEFT JOIN log_bodies b ON b.seq = l.seq WHERE l.id = ?`).get(id) as Row | undefined;
      return row ? rowToLog(row) : null;
    },

    ...pagedLogs<Row>({ page: (f, l, c, full) => page(f, l, c, full), batches, toListItem: rowToListItem, toLog: rowToLog }),

    async countLogs(filter) {
      const { where, params } = filterSql(filter);
      const row = db.stmt(`SELECT count(*) AS n FROM logs l WHERE ${where}`).get(...params) as { n: number };
      return row.n;
    },

    async applyRetention({ bodiesBefore, metaBefore, batchSize = DEFAULT_BATCH }) {
      let logsDeleted = 0;
      let bodiesCleared = 0;
      const oldLogs = db.stmt('SELECT seq FROM logs WHERE created_at < ? LIMIT ?');
      for (;;) {
        const seqs = (oldLogs.all(metaBefore, batchSize) as { seq: number }[]).map((r) => r.seq);
        if (seqs.length === 0) break;
        db.tx(() => deleteSeqs(seqs));
        logsDeleted += seqs.length;
        await yieldToLoop();
      }
      const liveBodies = db.stmt(
        'SELECT seq, request_preview, response_preview FROM logs WHERE bodies_expired = 0 AND created_at < ? LIMIT ?',
      );
      const clear = db.stmt('UPDATE log_bodies SET request_body = NULL, response_body = NULL, raw_stream = NULL WHERE seq = ?');
      const mark = db.stmt('UPDATE logs SET bodies_expired = 1 WHERE seq = ?');
      // the prompt text goes with the bodies; search keeps working on the previews that remain
      const reindex = db.stmt('UPDATE logs_fts SET text = ? WHERE rowid = ?');
      for (;;) {
        const rows = liveBodies.all(bodiesBefore, batchSize) as { seq: number; request_preview: string; response_preview: string }[];
        if (rows.length === 0) break;
        db.tx(() => {
          for (const r of rows) {
            clear.run(r.seq);
            mark.run(r.seq);
            reindex.run(previewText({ requestPreview: r.request_preview, responsePreview: r.response_preview }), r.seq);
          }
        });
        bodiesCleared += rows.length;
        await yieldToLoop();
      }
      return { bodiesCleared, logsDeleted };
    },

    async updateCosts(filter, compute) {
      const setCost = db.stmt('UPDATE logs SET cost = ? WHERE id = ?');
      let updated = 0;
      for await (const rows of batches(filter, DEFAULT_BATCH, true)) {
        db.tx(() => {
          for (const r of rows) setCost.run(JSON.stringify(compute(rowToLog(r))), r.id as string);
        });
        updated += rows.length;
      }
      return updated;
    },
  };
}
