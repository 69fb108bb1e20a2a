import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { LIVE_STREAM_MAXLEN, liveEntryFields, redisKeys, type StoredLog } from '@llm-relay/contracts';
import { toListItem, type Store } from '@llm-relay/store';
import type { Metrics } from '../ops/metrics.ts';
import type { SpanExport } from '../otel/span-export.ts';
import { keyUsageFor, promptsSeen, rollupsFor } from '../rollups/rollups.ts';
import { applyPendingScores } from '../feedback/scores.ts';
import type { StoreGate } from './store-gate.ts';
import { addSpend } from '../budgets/spend-counter.ts';
import type { Budgets } from '../budgets/budgets.ts';

export type PersistOutcome = 'inserted' | 'duplicate' | { error: Error };

export interface PersistDeps {
  store: Store;
  redis: Redis;
  prefix: string;
  metrics: Metrics;
  log: Logger;
  /** OpenTelemetry spans for newly stored logs; absent when no OTLP endpoint is set */
  spans?: SpanExport;
  /** threshold alerts after each batch's spend is counted; absent in tests that build persist alone */
  budgets?: Pick<Budgets, 'counted'>;
  /** store writes go through it: while the store is unavailable they wait and retry instead of failing */
  gate: StoreGate;
}

/**
 * Store one batch. Only the logs the store reports as newly inserted produce roll-ups (in the same store
 * call), key usage and live-stream entries, so a redelivered or replayed job changes nothing. The insert
 * is the commit point. A store that is unavailable makes it wait (StoreGate); any other error thrown by it
 * fails the batch, which persistIsolating then writes log by log.
 */
export async function persistBatch(deps: PersistDeps, logs: StoredLog[]): Promise<PersistOutcome[]> {
  const { store, metrics } = deps;
  const t0 = performance.now();
  // the logs and their roll-ups are stored together (exactly once per log, even across a crash)
  const insertedIds = new Set(await deps.gate.run(() => store.insertLogsWithRollups(logs, rollupsFor)));
  // The same event can sit twice in one batch (a redelivery racing the original): the first copy is the
  // inserted one, every other copy is a duplicate.
  const claimed = new Set<string>();
  const isFresh = logs.map((l) => {
    if (!insertedIds.has(l.id) || claimed.has(l.id)) return false;
    claimed.add(l.id);
    return true;
  });
  const fresh = logs.filter((_, i) => isFresh[i]);
  // the logs are stored: announce them now, while key usage is written, not after
  const announced = fresh.length > 0 ? announce(deps, fresh) : Promise.resolve();
  // retried on their own: the logs are committed, a retry of the whole batch would find them stored and count nothing
  if (fresh.length > 0) {
    await Promise.all([deps.gate.run(() => store.touchKeys(keyUsageFor(fresh))), deps.gate.run(() => store.touchPromptVersions(promptsSeen(fresh)))]);
  }
  metrics.storeLatency.observe((performance.now() - t0) / 1000);
  metrics.batchSize.observe(logs.length);
  const now = Date.now();
  for (const l of fresh) {
    metrics.queueLag.observe(Math.max(0, now - l.timing.endedAt) / 1000);
    for (const [type, n] of Object.entries(l.redactions)) if (n > 0) metrics.redactions.inc({ type }, n);
    const model = metrics.modelLabel.of(l.model ?? 'unknown');
    if (l.usage.prompt) metrics.tokens.inc({ model, type: 'input' }, l.usage.prompt);
    if (l.usage.completion) metrics.tokens.inc({ model, type: 'output' }, l.usage.completion);
    if (l.cost.usd) metrics.costUsd.inc({ model }, l.cost.usd);
  }
  metrics.inserted.inc(fresh.length);
  // once per stored log, like the live entries: a redelivered job makes no second span
  deps.spans?.export(fresh);
  metrics.duplicates.inc(logs.length - fresh.length);
  await announced;
  await deps.gate.run(() => applyPendingScores(deps, logs.map((l) => l.id)));
  return isFresh.map((f) => (f ? 'inserted' : 'duplicate'));
}

/**
 * Store a batch; if the batch write fails, store its logs one by one so a single log the store rejects
 * (a MongoDB document over 16 MB, say) fails only its own job instead of every job it was batched with.
 */
export async function persistIsolating(deps: PersistDeps, logs: StoredLog[]): Promise<PersistOutcome[]> {
  try {
    return await persistBatch(deps, logs);
  } catch (err) {
    if (logs.length === 1) return [{ error: err as Error }];
    deps.log.warn({ err, size: logs.length }, 'batch write failed; storing its logs one by one');
    const out: PersistOutcome[] = [];
    for (const l of logs) {
      try {
        out.push(...(await persistBatch(deps, [l])));
      } catch (e) {
        out.push({ error: e as Error });
      }
    }
    return out;
  }
}

/**
 * The spend counters (budgets) and the live views, in one pipeline per batch. Both are best effort: the log
 * is already stored, so a failure is logged, not retried (a retry would find the log stored and count
 * nothing); a spend increment lost that way is recounted from the store when the counters are rebuilt.
 */
async function announce(deps: PersistDeps, logs: StoredLog[]): Promise<void> {
  const key = redisKeys(deps.prefix).liveStream;
  const pipeline = deps.redis.pipeline();
  // first in the pipeline: the answers at their indexes are the counters' new totals (the alert check reads them)
  const counted = addSpend(pipeline, deps.prefix, logs);
  const spendCommands = pipeline.length;
  for (const l of logs) pipeline.xadd(key, 'MAXLEN', '~', LIVE_STREAM_MAXLEN, '*', ...liveEntryFields(toListItem(l)));
  try {
    const results = (await pipeline.exec()) ?? [];
    const failedSpend = results.slice(0, spendCommands).filter(([err]) => err).length;
    const failed = results.slice(spendCommands).filter(([err]) => err).length;
    if (failedSpend > 0) {
      deps.metrics.spendCountFailures.inc();
      deps.log.warn({ failed: failedSpend }, 'spend counter update failed for some logs');
    } else await deps.budgets?.counted(counted, results);
    if (failed > 0) deps.log.warn({ failed }, 'live stream append failed for some logs');
  } catch (err) {
    deps.metrics.spendCountFailures.inc();
    deps.log.warn({ err, count: logs.length }, 'live stream append and spend count failed');
  }
}
