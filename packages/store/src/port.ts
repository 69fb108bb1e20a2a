import type { Budget, LogFilter, LogListItem, StoredLog, Settings, Provider, KeyLimits, Score } from '@llm-relay/contracts';
import type { PromptStore } from './port-prompts.ts';
import type { ProjectStore } from './port-projects.ts';

/**
 * The store port: everything the processor and admin persist. Two adapters implement it
 * (SQLite embedded, MongoDB through mongoose) and both pass one conformance suite.
 * Writes of logs are idempotent by id: inserting an id that exists is a no-op.
 */

export interface RelayKeyRecord {
  id: string;
  name: string;
  /** recognisable, shown in lists: `sk-relay-abcd` */
  prefix: string;
  /** SHA-256 hex of the secret; the secret itself is never stored */
  hash: string;
  status: 'active' | 'disabled';
  createdAt: number;
  expiresAt: number | null;
  allowedModels: string[];
  limits: KeyLimits;
  defaultProvider?: string;
  /** the project the key belongs to (at most one); keys stored before projects read as null */
  projectId: string | null;
  /** the key's own spend limit per period */
  budget: Budget | null;
  lastUsedAt: number | null;
  /** lifetime counters, advanced by touchKeys; upsertKey sets them only when it creates the key */
  usage: { requests: number; tokens: number; costUsd: number };
}

export interface AdminUser {
  id: string;
  username: string;
  /** `scrypt$N$r$p$salt$hash` */
  passwordHash: string;
  role: 'admin' | 'viewer';
  createdAt: number;
}

export interface AuditEntry {
  id: string;
  at: number;
  actor: string;
  action: string;
  target: string | null;
  details?: Record<string, unknown>;
}

/**
 * A roll-up dimension. Attribution dimensions count only the logs that have them: `tag` once per tag,
 * `property.<name>` per property name, `prompt` / `promptVersion` by family and version id, per minute.
 * Prompt families and versions also keep lifetime rows (`promptFamilyTotal` / `promptVersionTotal`, minute
 * ALL_TIME_MINUTE: port-prompts.ts).
 */
export type RollupDim =
  | 'all'
  | 'model'
  | 'key'
  | 'project'
  | 'provider'
  | 'user'
  | 'session'
  | 'tag'
  | 'prompt'
  | 'promptVersion'
  | `property.${string}`
  | 'promptFamilyTotal'
  | 'promptVersionTotal';

/** One per minute per dimension value. */
export interface Rollup {
  /** start of the minute, ms since epoch */
  minute: number;
  dim: RollupDim;
  value: string;
  count: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  latencySumMs: number;
  /** counts per latency bucket (upper bounds in ms: ROLLUP_LATENCY_BUCKETS, last is +Inf) */
  latencyBuckets: number[];
}
/**
 * Score sums per minute (of the scored log's creation), dimension value and score name, so stats can show an
 * average score per model, user, prompt version, … without reading logs. Changed when a score is set,
 * replaced (the difference) or cleared.
 */
export interface ScoreRollup {
  minute: number;
  dim: RollupDim;
  value: string;
  name: string;
  sum: number;
  count: number;
}

/** What a score write did: `stale` = the log holds a newer score of that name; `wrong_key` = made with another key. */
export type ScoreResult = 'applied' | 'unchanged' | 'stale' | 'not_found' | 'wrong_key';

/** A score that arrived before its log was stored; applied (and removed) once the log is. */
export interface PendingScore {
  logId: string;
  name: string;
  /** the relay key that sent it; only a log made with it may take it */
  keyId: string;
  score: Score;
}

/** A conversation: the logs that carried one `x-relay-session`, summed as they are stored. */
export interface SessionSummary {
  id: string;
  firstAt: number;
  lastAt: number;
  count: number;
  /** distinct users seen in the session (at most SESSION_MAX_USERS) */
  users: string[];
  tokens: number;
  costUsd: number;
  errors: number;
}
export const SESSION_MAX_USERS = 20;

/**
 * Roll-up increments for newly stored logs; pure, since a store may call it again after a crash, and
 * additive (the rows of a batch are the sum of each log's rows: `sumRollups`), since a store writing on
 * another thread computes them per log.
 */
export type RollupsFor = (inserted: StoredLog[]) => Rollup[];
export const ROLLUP_LATENCY_BUCKETS = [50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000] as const;

/**
 * Test-only hooks, inert unless a test passes them: `afterLogsInserted` runs after a batch's logs are
 * written and before their roll-ups are (inside the transaction where there is one), the point where a
 * crash used to lose roll-ups; a crash test SIGKILLs the process there.
 */
export interface StoreTestHooks {
  /** awaited where the write is asynchronous (MongoDB); SQLite calls it synchronously inside its transaction */
  afterLogsInserted?: () => void | Promise<void>;
}

export interface LogPage {
  items: LogListItem[];
  /** pass as `cursor` to get the next (older) page; null at the end */
  nextCursor: string | null;
}

export interface StoreInfo {
  kind: 'sqlite' | 'mongodb';
  /** e.g. which fallbacks are active on a MongoDB-compatible server without TTL/text indexes */
  features: {
    ttlIndexes: boolean;
    textSearch: boolean;
    server?: string;
    fallbackReasons?: string[];
    /** how insertLogsWithRollups keeps roll-ups exactly once: one transaction, or a journal + recovery (MongoDB without transactions) */
    atomicRollups?: 'transaction' | 'journal';
  };
}

export interface Store extends PromptStore, ProjectStore {
  readonly info: StoreInfo;
  /** create tables/collections and indexes; safe to call every start */
  init(): Promise<void>;
  close(): Promise<void>;

  // logs
  /**
   * insert many in one batch; existing ids (and repeats within the batch) are skipped. Returns ids actually
   * inserted. Adds no roll-ups: for seeding and imports. The processor uses insertLogsWithRollups.
   */
  insertLogs(logs: StoredLog[]): Promise<string[]>;
  /**
   * insertLogs plus the roll-ups of the logs it really inserted, applied exactly once per stored log even if
   * the process dies half-way: SQLite and MongoDB replica sets in one transaction; a server without
   * transactions through a batch journal that recoverRollups completes. `rollupsFor` gets the inserted logs
   * (first copy of a repeated id) — or, in a SQLite store with a write thread, each log of the batch alone,
   * whose rows the thread adds up for the logs it inserted — and must be pure, deterministic and additive: it
   * may run again on a retry or in recovery.
   */
  insertLogsWithRollups(logs: StoredLog[], rollupsFor: RollupsFor): Promise<string[]>;
  /**
   * complete the roll-ups of batches a crashed writer left half-done (journal older than `olderThanMs`,
   * default 5 minutes, so a live writer's batch is never taken over); returns how many it completed.
   * A no-op where batches are transactions. Call on start and periodically.
   */
  recoverRollups(rollupsFor: RollupsFor, opts?: { olderThanMs?: number }): Promise<number>;
  /** the whole log; `searchText` is search-only and not returned */
  getLog(id: string): Promise<StoredLog | null>;
  /**
   * newest first (by id, a UUIDv7); cursor = id of the last item seen. Filter `from` is inclusive and
   * `to` exclusive (ms, on createdAt); `q` terms must all occur, case-insensitively, in the prompt/answer text.
   */
  listLogs(filter: LogFilter, opts: { limit: number; cursor?: string | null }): Promise<LogPage>;
  /** stream every matching list item (or whole logs) newest first, without loading all into memory */
  iterateLogs(filter: LogFilter, opts?: { full?: boolean; batchSize?: number }): AsyncIterable<LogListItem | StoredLog>;
  countLogs(filter: LogFilter): Promise<number>;
  /** retention: drop bodies older than `bodiesBefore`, whole logs older than `metaBefore`; returns counts */
  applyRetention(opts: { bodiesBefore: number; metaBefore: number; batchSize?: number }): Promise<{ bodiesCleared: number; logsDeleted: number }>;
  /** recompute cost for a time range with a new price function */
  updateCosts(filter: LogFilter, compute: (log: StoredLog) => StoredLog['cost']): Promise<number>;

  // roll-ups
  /** add (increment) roll-up rows, not idempotent: for corrections such as a cost recompute */
  addRollups(rows: Rollup[]): Promise<void>;
  /** rows with from <= minute < to, ordered by minute then value */
  queryRollups(q: { from: number; to: number; dim: RollupDim; value?: string }): Promise<Rollup[]>;

  // scores (feedback and admin)
  /**
   * Set the score `name` of a log: the one with the later `at` wins (an equal one changes nothing), and the
   * score roll-ups move by the difference. With `keyId`, a log made with another key is left alone (`wrong_key`).
   */
  setScore(logId: string, name: string, score: Score, opts?: { keyId?: string }): Promise<ScoreResult>;
  /** clear a score (and take it out of the score roll-ups); false when the log had none of that name */
  deleteScore(logId: string, name: string): Promise<boolean>;
  /** keep a score for a log not stored yet; a later one (by `at`) for the same (log, name) replaces it */
  addPendingScore(p: PendingScore): Promise<void>;
  /** the pending scores of these logs */
  pendingScoresFor(logIds: string[]): Promise<PendingScore[]>;
  /** remove a pending score once applied (only that one: a newer pending score of the same name stays) */
  deletePendingScore(p: PendingScore): Promise<void>;
  /** drop pending scores received before `before` (their log never came); returns how many */
  expirePendingScores(before: number): Promise<number>;
  /** score roll-ups with from <= minute < to of one dimension and score name */
  queryScoreRollups(q: { from: number; to: number; dim: RollupDim; name: string }): Promise<ScoreRollup[]>;

  // sessions (kept up to date by insertLogsWithRollups)
  /** most recently active first; `user` keeps the sessions that user took part in */
  listSessions(q: { limit: number; cursor?: string | null; user?: string }): Promise<{ items: SessionSummary[]; nextCursor: string | null }>;
  getSession(id: string): Promise<SessionSummary | null>;

  // settings (single document)
  getSettings(): Promise<Settings | null>;
  putSettings(s: Settings): Promise<void>;
  /** monotonically increasing config version, bumped on every change to settings/providers/keys */
  bumpConfigVersion(): Promise<number>;

  // providers
  listProviders(): Promise<Provider[]>;
  getProvider(id: string): Promise<Provider | null>;
  upsertProvider(p: Provider): Promise<void>;
  deleteProvider(id: string): Promise<boolean>;

  // relay keys
  listKeys(): Promise<RelayKeyRecord[]>;
  getKey(id: string): Promise<RelayKeyRecord | null>;
  /** create or replace a key; an existing key keeps its stored usage and lastUsedAt (touchKeys owns them) */
  upsertKey(k: RelayKeyRecord): Promise<void>;
  deleteKey(id: string): Promise<boolean>;
  touchKeys(updates: { id: string; lastUsedAt: number; requests: number; tokens: number; costUsd: number }[]): Promise<void>;

  // admin users
  getUser(username: string): Promise<AdminUser | null>;
  listUsers(): Promise<AdminUser[]>;
  upsertUser(u: AdminUser): Promise<void>;
  deleteUser(username: string): Promise<boolean>;

  // audit
  addAudit(e: AuditEntry): Promise<void>;
  /** newest first; `before` (ms) is exclusive */
  listAudit(opts: { limit: number; before?: number }): Promise<AuditEntry[]>;
}
