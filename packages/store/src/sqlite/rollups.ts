import type { Rollup, Store } from '../port.ts';
import { BUCKET_COUNT } from '../shared.ts';
import type { Db } from './db.ts';
import type { Row } from './rows.ts';

const B = Array.from({ length: BUCKET_COUNT }, (_, i) => `b${i}`);
const ROLLUP_UPSERT = `INSERT INTO rollups (dim, value, minute, count, errors, prompt_tokens, completion_tokens, cost_usd, latency_sum_ms, ${B.join(', ')})
  VALUES (${Array(9 + BUCKET_COUNT).fill('?').join(', ')})
  ON CONFLICT (dim, value, minute) DO UPDATE SET
  count = count + excluded.count, errors = errors + excluded.errors,
  prompt_tokens = prompt_tokens + excluded.prompt_tokens, completion_tokens = completion_tokens + excluded.completion_tokens,
  cost_usd = cost_usd + excluded.cost_usd, latency_sum_ms = latency_sum_ms + excluded.latency_sum_ms,
  ${B.map((b) => `${b} = ${b} + excluded.${b}`).join(', ')}`;

/** Add roll-up rows inside the caller's transaction (or one of its own): the log insert shares it. */
export function applyRollups(db: Db, rows: Rollup[]): void {
  if (rows.length === 0) return;
  const up = db.stmt(ROLLUP_UPSERT);
  db.tx(() => {
    for (const r of rows) {
      const buckets = Array.from({ length: BUCKET_COUNT }, (_, i) => r.latencyBuckets[i] ?? 0);
      up.run(r.dim, r.value, r.minute, r.count, r.errors, r.promptTokens, r.completionTokens, r.costUsd, r.latencySumMs, ...buckets);
    }
  });
}

export function rowToRollup(r: Row): Rollup {
  return {
    minute: r.minute as number,
    dim: r.dim as Rollup['dim'],
    value: r.value as string,
    count: r.count as number,
    errors: r.errors as number,
    promptTokens: r.prompt_tokens as number,
    completionTokens: r.completion_tokens as number,
    costUsd: r.cost_usd as number,
    latencySumMs: r.latency_sum_ms as number,
    latencyBuckets: B.map((b) => r[b] as number),
  };
}

export function sqliteRollups(db: Db): Pick<Store, 'addRollups' | 'queryRollups'> {
  const all = <T>(sql: string, ...args: (string | number)[]) => db.stmt(sql).all(...args) as T[];
  return {
    async addRollups(rows) {
      applyRollups(db, rows);
    },
    async queryRollups({ from, to, dim, value }) {
      const rows =
        value === undefined
          ? all<Row>('SELECT * FROM rollups WHERE dim = ? AND minute >= ? AND minute < ? ORDER BY minute, value', dim, from, to)
          : all<Row>('SELECT * FROM rollups WHERE dim = ? AND value = ? AND minute >= ? AND minute < ? ORDER BY minute', dim, value, from, to);
      return rows.map(rowToRollup);
    },
  };
}
