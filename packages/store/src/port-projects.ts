import type { Budget } from '@llm-relay/contracts';

/**
 * Projects (a team's keys grouped under one budget and alert webhook) and the spend the store can recount.
 * The live spend of a period is a Redis counter the processor increments; `spendSince` recounts it from the
 * store when that counter is gone (a Redis that lost its data).
 */
export interface ProjectRecord {
  id: string;
  /** unique, compared case-insensitively */
  name: string;
  budget: Budget | null;
  alertWebhookUrl: string | null;
  /** fractions of the budget, ascending */
  alertThresholds: number[];
  createdAt: number;
  updatedAt: number;
}

/** The fields an update may change; the ones left out stay as they are. */
export type ProjectUpdate = Partial<Pick<ProjectRecord, 'name' | 'budget' | 'alertWebhookUrl' | 'alertThresholds'>> & { updatedAt: number };

/** One scope's spend: cost in USD of the priced calls, and how many calls had no known price (counted as $0). */
export interface SpendTotals {
  usd: number;
  unpricedCalls: number;
}

/** Spend per key id and per project id; an id with no calls in the range is absent. */
export interface SpendByScope {
  keys: Record<string, SpendTotals>;
  projects: Record<string, SpendTotals>;
}

/**
 * A write the data refuses because it would break a uniqueness rule (`code`: `project_name_taken`). Kept
 * recognisable by name rather than class, so it survives the SQLite write thread (see threaded.ts).
 */
export class StoreConflictError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'StoreConflictError';
    this.code = code;
  }
}

export function isStoreConflict(err: unknown): err is Error & { code: string } {
  return err instanceof Error && err.name === 'StoreConflictError';
}

export const projectNameTaken = (name: string): StoreConflictError => new StoreConflictError('project_name_taken', `a project named "${name}" already exists`);

/** the form names are compared in: "Search" and "search " are one project */
export const projectNameKey = (name: string): string => name.trim().toLowerCase();

export interface ProjectStore {
  /** ordered by creation (createdAt, then id) */
  listProjects(): Promise<ProjectRecord[]>;
  getProject(id: string): Promise<ProjectRecord | null>;
  /** throws StoreConflictError `project_name_taken` when another project has that name */
  createProject(p: ProjectRecord): Promise<void>;
  /** the project as stored after the update; null when there is none with that id. Same conflict as create. */
  updateProject(id: string, patch: ProjectUpdate): Promise<ProjectRecord | null>;
  /** removes the project; its keys stay, without a project (their projectId becomes null). False when absent. */
  deleteProject(id: string): Promise<boolean>;
  /**
   * Spend per key and per project of the calls stored at or after `since` (ms; rounded down to its minute,
   * so pass a whole minute such as a period start): `usd` from the `key` and `project` roll-ups (the cost of
   * the logs the processor stored with insertLogsWithRollups, plus cost corrections), `unpricedCalls` from
   * the logs whose `cost.usd` is null (an index of those logs, never a scan of the range). Logs count under
   * the project their key had when the call was made (`key.projectId`).
   */
  spendSince(since: number): Promise<SpendByScope>;
}
