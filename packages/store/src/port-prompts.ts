import type { LogPromptRef } from '@llm-relay/contracts';
import type { Rollup, RollupDim } from './port.ts';

/**
 * Prompt families and versions (the processor discovers them from the instructions of each exchange).
 * A version is one normalised template (exact text); a family groups near-identical versions, or is named
 * by the client (`x-relay-prompt`). Their counters are lifetime roll-up rows (`PROMPT_TOTAL_DIMS` at
 * `ALL_TIME_MINUTE`), written in the same exactly-once store call as the per-minute ones; firstAt/lastAt
 * are minimum/maximum and so idempotent, written apart by touchPromptVersions.
 */
export interface PromptFamilyRecord {
  id: string;
  name: string;
  /** detected from traffic, or named by the client's `x-relay-prompt` */
  source: 'detected' | 'explicit';
  createdAt: number;
  /** bumped by a rename, so replicas' caches pick new names up */
  updatedAt: number;
  firstAt: number | null;
  lastAt: number | null;
}

export interface PromptVersionRecord {
  id: string;
  familyId: string;
  /** "v1", "v2", … in the order versions were created in their family, or the client's explicit label */
  label: string;
  /** the normalised template */
  text: string;
  createdAt: number;
  firstAt: number | null;
  lastAt: number | null;
}

/** Lifetime counters of a family or version: a roll-up row without its key. */
export type PromptTotals = Omit<Rollup, 'minute' | 'dim' | 'value'>;

export interface PromptFamilySummary extends PromptFamilyRecord {
  versionCount: number;
  totals: PromptTotals | null;
}

export interface PromptFamilyDetail {
  family: PromptFamilyRecord;
  versions: (PromptVersionRecord & { totals: PromptTotals | null })[];
}

export interface PromptPage {
  items: PromptFamilySummary[];
  /** pass as `cursor` for the next (older) page; null at the end */
  nextCursor: string | null;
}

/** the minute of lifetime roll-up rows: one row per family or version spanning all time */
export const ALL_TIME_MINUTE = 0;
export const PROMPT_TOTAL_DIMS = { family: 'promptFamilyTotal', version: 'promptVersionTotal' } as const;

/** The lifetime rows (at ALL_TIME_MINUTE) a log with this prompt counts in: its family's and its version's. */
export function promptTotalDims(prompt: LogPromptRef | null | undefined): [RollupDim, string][] {
  return prompt ? [[PROMPT_TOTAL_DIMS.family, prompt.familyId], [PROMPT_TOTAL_DIMS.version, prompt.versionId]] : [];
}

export interface PromptStore {
  /**
   * create the family unless its id exists; returns the stored one (an existing family wins, with its name,
   * so two replicas creating one family at once agree)
   */
  ensurePromptFamily(f: { id: string; name: string; source: PromptFamilyRecord['source']; createdAt: number }): Promise<PromptFamilyRecord>;
  /**
   * create the version unless its id exists; returns the stored one. Without `label` it gets the next free
   * "vN" of its family (N = versions in the family + 1, skipping labels taken), assigned atomically so two
   * writers never give one label twice. With `label`, a version of the family already holding that label is
   * returned as it is (an explicit label names its version).
   */
  ensurePromptVersion(v: { id: string; familyId: string; text: string; label?: string; createdAt: number }): Promise<PromptVersionRecord>;
  /** widen firstAt/lastAt of versions and their families (min/max: repeating an update changes nothing) */
  touchPromptVersions(seen: { versionId: string; familyId: string; firstAt: number; lastAt: number }[]): Promise<void>;
  /** families and versions created or renamed at or after `since` (all when absent): the detector's cache */
  listPromptIndex(opts?: { since?: number }): Promise<{ families: PromptFamilyRecord[]; versions: PromptVersionRecord[] }>;
  /** newest family first (by createdAt, then id); cursor from the previous page */
  listPromptFamilies(opts: { limit: number; cursor?: string | null }): Promise<PromptPage>;
  getPromptFamily(id: string): Promise<PromptFamilyDetail | null>;
  /** null when there is no such family */
  renamePromptFamily(id: string, name: string, at: number): Promise<PromptFamilyRecord | null>;
}

/** Cursor of the family list: createdAt and id of the last item, so pages stay stable while families grow. */
export function encodePromptCursor(f: { createdAt: number; id: string }): string {
  return `${f.createdAt}_${f.id}`;
}

export function decodePromptCursor(cursor: string | null | undefined): { createdAt: number; id: string } | null {
  if (!cursor) return null;
  const i = cursor.indexOf('_');
  const createdAt = Number(cursor.slice(0, i));
  if (i <= 0 || !Number.isFinite(createdAt)) return null;
  return { createdAt, id: cursor.slice(i + 1) };
}
