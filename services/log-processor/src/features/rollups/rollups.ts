import type { StoredLog } from '@llm-relay/contracts';
import { ALL_TIME_MINUTE, ROLLUP_LATENCY_BUCKETS, promptTotalDims, rollupDims, type Rollup } from '@llm-relay/store';

const MINUTE = 60_000;

function bucketIndex(ms: number): number {
  const i = ROLLUP_LATENCY_BUCKETS.findIndex((upper) => ms <= upper);
  return i === -1 ? ROLLUP_LATENCY_BUCKETS.length : i;
}

export function isError(log: Pick<StoredLog, 'outcome' | 'status'>): boolean {
  return log.outcome !== 'ok' || log.status >= 400;
}

export type RollupDims = Pick<StoredLog, 'createdAt' | 'model' | 'upstreamModel' | 'key' | 'provider' | 'attribution' | 'prompt'>;

/** The dimension values a log counts under (store's rollupDims: also its user, session, tags, properties, prompt). */
const dims = rollupDims;

/**
 * The rows a log counts in: per minute for each dimension, and the lifetime rows of its prompt family and
 * version (one row each for all time, so the prompts pages never sum minutes).
 */
function cells(log: RollupDims): [Rollup['dim'], string, number][] {
  const minute = Math.floor(log.createdAt / MINUTE) * MINUTE;
  return [
    ...dims(log).map(([dim, value]): [Rollup['dim'], string, number] => [dim, value, minute]),
    ...promptTotalDims(log.prompt).map(([dim, value]): [Rollup['dim'], string, number] => [dim, value, ALL_TIME_MINUTE]),
  ];
}

/**
 * Roll-up increments (per minute, and lifetime for prompts) for newly stored logs, summed within the batch so one store write
 * covers it. Unknown token counts and costs add nothing (the log itself keeps them as null).
 */
export function rollupsFor(logs: StoredLog[]): Rollup[] {
  const rows = new Map<string, Rollup>();
  for (const log of logs) {
    for (const [dim, value, minute] of cells(log)) {
      const k = `${minute}|${dim}|${value}`;
      let row = rows.get(k);
      if (!row) {
        row = { minute, dim, value, count: 0, errors: 0, promptTokens: 0, completionTokens: 0, costUsd: 0, latencySumMs: 0, latencyBuckets: new Array<number>(ROLLUP_LATENCY_BUCKETS.length + 1).fill(0) };
        rows.set(k, row);
      }
      row.count += 1;
      row.errors += isError(log) ? 1 : 0;
      row.promptTokens += log.usage.prompt ?? 0;
      row.completionTokens += log.usage.completion ?? 0;
      row.costUsd += log.cost.usd ?? 0;
      row.latencySumMs += log.latency.total;
      row.latencyBuckets[bucketIndex(log.latency.total)]! += 1;
    }
  }
  return [...rows.values()];
}

/** Cost corrections after a price change: rows that add only the difference in cost. */
export function costDeltaRollups(changes: { log: RollupDims; deltaUsd: number }[]): Rollup[] {
  const rows = new Map<string, Rollup>();
  for (const { log, deltaUsd } of changes) {
    if (deltaUsd === 0) continue;
    for (const [dim, value, minute] of cells(log)) {
      const k = `${minute}|${dim}|${value}`;
      const row = rows.get(k) ?? { minute, dim, value, count: 0, errors: 0, promptTokens: 0, completionTokens: 0, costUsd: 0, latencySumMs: 0, latencyBuckets: new Array<number>(ROLLUP_LATENCY_BUCKETS.length + 1).fill(0) };
      row.costUsd += deltaUsd;
      rows.set(k, row);
    }
  }
  return [...rows.values()];
}

/** Key usage counters for newly stored logs, one update per key. */
export function keyUsageFor(logs: StoredLog[]): { id: string; lastUsedAt: number; requests: number; tokens: number; costUsd: number }[] {
  const byKey = new Map<string, { id: string; lastUsedAt: number; requests: number; tokens: number; costUsd: number }>();
  for (const log of logs) {
    if (!log.key) continue;
    const u = byKey.get(log.key.id) ?? { id: log.key.id, lastUsedAt: 0, requests: 0, tokens: 0, costUsd: 0 };
    u.lastUsedAt = Math.max(u.lastUsedAt, log.timing.endedAt);
    u.requests += 1;
    u.tokens += log.usage.total ?? (log.usage.prompt ?? 0) + (log.usage.completion ?? 0);
    u.costUsd += log.cost.usd ?? 0;
    byKey.set(log.key.id, u);
  }
  return [...byKey.values()];
}

/** First and last time each prompt version (and so its family) was used in newly stored logs. */
export function promptsSeen(logs: StoredLog[]): { versionId: string; familyId: string; firstAt: number; lastAt: number }[] {
  const byVersion = new Map<string, { versionId: string; familyId: string; firstAt: number; lastAt: number }>();
  for (const log of logs) {
    if (!log.prompt) continue;
    const s = byVersion.get(log.prompt.versionId) ?? { versionId: log.prompt.versionId, familyId: log.prompt.familyId, firstAt: log.createdAt, lastAt: log.createdAt };
    s.firstAt = Math.min(s.firstAt, log.createdAt);
    s.lastAt = Math.max(s.lastAt, log.createdAt);
    byVersion.set(log.prompt.versionId, s);
  }
  return [...byVersion.values()];
}
