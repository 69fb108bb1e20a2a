import type { LogFilter, Price, StoredLog } from '@llm-relay/contracts';
import type { Store } from '@llm-relay/store';
import { costDeltaRollups, type RollupDims } from '../rollups/rollups.ts';
import { computeCost, priceFor } from './pricing.ts';

/**
 * Recompute the cost of the logs matching `filter` (typically a time range after a price correction)
 * with the table and these overrides, and move the roll-ups by the difference so the dashboard agrees.
 */
export async function recomputeCosts(store: Store, filter: LogFilter, overrides: Record<string, Price>): Promise<{ updated: number; deltaUsd: number }> {
  const changes: { log: RollupDims; deltaUsd: number }[] = [];
  const updated = await store.updateCosts(filter, (log) => {
    const cost = computeCost(log.usage, priceFor([log.upstreamModel, responseModel(log), log.model], log.createdAt, overrides));
    // keep only what the roll-up correction needs: a long range must not hold every body in memory
    const { createdAt, model, upstreamModel, key, provider, attribution, prompt } = log;
    changes.push({ log: { createdAt, model, upstreamModel, key, provider, attribution, prompt }, deltaUsd: (cost.usd ?? 0) - (log.cost.usd ?? 0) });
    return cost;
  });
  const rows = costDeltaRollups(changes);
  if (rows.length > 0) await store.addRollups(rows);
  return { updated, deltaUsd: changes.reduce((s, c) => s + c.deltaUsd, 0) };
}

function responseModel(log: StoredLog): string | null {
  const b = log.response.body as { model?: unknown } | null;
  return b && typeof b === 'object' && typeof b.model === 'string' ? b.model : null;
}
