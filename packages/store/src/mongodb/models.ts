import { Schema, type Connection, type Model } from 'mongoose';
import type { LogListItem, StoredLog } from '@llm-relay/contracts';
import type { Rollup } from '../port.ts';
import type { SessionDelta } from '../attribution.ts';
import type { ProjectRecord } from '../port-projects.ts';

/** MongoDB's duplicate key error code (E11000): an insert or upsert raced another writer, or a redelivery. */
export const DUPLICATE_KEY = 11000;

/**
 * A log document. Bodies are kept as JSON text, not as BSON: request bodies carry keys MongoDB
 * treats specially (`$schema`, `$ref` in tool schemas, dotted names), and nobody queries inside them.
 */
export interface LogDoc extends Omit<LogListItem, 'id'> {
  _id: string;
  bodiesExpired: boolean;
  detail: Pick<StoredLog, 'timing' | 'attempts' | 'redactions'> & {
    request: Omit<StoredLog['request'], 'body'>;
    response: Omit<StoredLog['response'], 'body' | 'rawStream'>;
  };
  requestBody: string | null;
  responseBody: string | null;
  rawStream: string | null;
  /** prompt + answer text (or the previews) for search; replaced by the previews when bodies expire */
  searchText: string;
  /** createdAt as a Date: TTL indexes only expire Date fields */
  createdAtDate: Date;
  /** createdAt again, only on calls that used tokens at no known price (isUnpricedCall): a sparse index finds them */
  unpricedAt?: number;
  /** journal mode only: the roll-up batch that inserted this log (recovery counts exactly these) */
  rollupBatch?: string;
}

/** A roll-up batch in flight (journal mode): deleted once its roll-ups are applied and pruned. */
export interface RollupBatchDoc {
  _id: string;
  /** when the batch started, ms: recovery takes only batches older than its grace period */
  at: number;
  /** who may take its next step: the writer, or the recovery that took it over */
  owner: string;
  state: 'inserting' | 'applying' | 'applied';
  /** the ids the batch tried to insert; the ones carrying `rollupBatch` = this id are its own */
  ids: string[];
  /** the increments, fixed once computed so a recovery re-applies exactly them */
  rows?: Rollup[];
  /** the session increments of the same logs, fixed with `rows` */
  sessions?: SessionDelta[];
}

export interface RollupDoc {
  _id: string;
  dim: string;
  value: string;
  minute: number;
  [counter: string]: number | string;
}

const mixed = Schema.Types.Mixed;
const opts = { versionKey: false, strict: false, autoIndex: false, autoCreate: false } as const;

const logSchema = new Schema<LogDoc>(
  {
    _id: String,
    createdAt: { type: Number, required: true },
    route: String,
    method: String,
    path: String,
    model: String,
    upstreamModel: String,
    provider: String,
    key: mixed,
    status: Number,
    outcome: String,
    stream: Boolean,
    incomplete: Boolean,
    error: String,
    usage: mixed,
    cost: mixed,
    latency: mixed,
    requestPreview: String,
    responsePreview: String,
    clientIp: String,
    userAgent: String,
    gatewayId: String,
    attribution: mixed,
    prompt: mixed,
    scores: mixed,
    bodiesExpired: Boolean,
    detail: mixed,
    requestBody: String,
    responseBody: String,
    rawStream: String,
    searchText: String,
    createdAtDate: Date,
    unpricedAt: Number,
  },
  { ...opts, collection: 'logs', timestamps: false },
);
// every admin filter, each followed by _id so a filtered page is read in time order from the index
logSchema.index({ createdAt: -1 });
for (const field of ['key.id', 'model', 'provider', 'status', 'outcome', 'route']) logSchema.index({ [field]: 1, _id: -1 });
// project and attribution filters; sparse: most logs carry no project, user, session, tag or prompt
for (const field of ['key.projectId', 'attribution.user', 'attribution.session', 'attribution.tags', 'prompt.familyId', 'prompt.versionId']) logSchema.index({ [field]: 1, _id: -1 }, { sparse: true });
logSchema.index({ bodiesExpired: 1, createdAt: 1 });
logSchema.index({ unpricedAt: 1 }, { sparse: true });

const rollupSchema = new Schema<RollupDoc>({ _id: String, dim: String, value: String, minute: Number }, { ...opts, collection: 'rollups' });
rollupSchema.index({ dim: 1, minute: 1, value: 1 });

const rollupBatchSchema = new Schema<RollupBatchDoc>({ _id: String, at: Number }, { ...opts, collection: 'rollup_batches' });
rollupBatchSchema.index({ at: 1 });

const promptFamilySchema = new Schema({ _id: String, createdAt: Number, updatedAt: Number }, { ...opts, collection: 'prompt_families' });
promptFamilySchema.index({ createdAt: -1, _id: -1 });
promptFamilySchema.index({ updatedAt: 1 });
const promptVersionSchema = new Schema({ _id: String, familyId: String, label: String, createdAt: Number }, { ...opts, collection: 'prompt_versions' });
// one label per family: two writers numbering a new version at once cannot both take "vN"
promptVersionSchema.index({ familyId: 1, label: 1 }, { unique: true });
promptVersionSchema.index({ createdAt: 1 });

/** `_id`: dim, name, minute, value joined by NUL (scoreRollupId) */
export interface ScoreRollupDoc {
  _id: string;
  dim: string;
  value: string;
  minute: number;
  name: string;
  sum: number;
  count: number;
}
const scoreRollupSchema = new Schema<ScoreRollupDoc>({ _id: String, dim: String, name: String, minute: Number }, { ...opts, collection: 'score_rollups' });
scoreRollupSchema.index({ dim: 1, name: 1, minute: 1 });

/** `_id`: log id, NUL, score name */
export interface PendingScoreDoc {
  _id: string;
  logId: string;
  name: string;
  keyId: string;
  score: { value: number; comment?: string; at: number; by: 'key' | 'admin' };
  at: number;
}
const pendingScoreSchema = new Schema<PendingScoreDoc>({ _id: String, logId: String, at: Number }, { ...opts, collection: 'pending_scores' });
pendingScoreSchema.index({ logId: 1 });
pendingScoreSchema.index({ at: 1 });

export interface SessionDoc {
  _id: string;
  firstAt: number;
  lastAt: number;
  count: number;
  tokens: number;
  costUsd: number;
  errors: number;
  users: string[];
  /** journal mode: the roll-up batches already counted (see rollup-batches.ts) */
  batches?: string[];
}
const sessionSchema = new Schema<SessionDoc>({ _id: String, lastAt: Number, users: [String] }, { ...opts, collection: 'sessions' });
sessionSchema.index({ lastAt: -1, _id: -1 });
sessionSchema.index({ users: 1, lastAt: -1 });

/** A project; `nameKey` (the lower-case name) is unique. */
export interface ProjectDoc extends Omit<ProjectRecord, 'id'> {
  _id: string;
  nameKey: string;
}
const projectSchema = new Schema<ProjectDoc>({ _id: String, nameKey: String, createdAt: Number }, { ...opts, collection: 'projects' });
projectSchema.index({ nameKey: 1 }, { unique: true });
projectSchema.index({ createdAt: 1, _id: 1 });

const auditSchema = new Schema({ _id: String, at: Number }, { ...opts, collection: 'audit' });
auditSchema.index({ at: -1, _id: -1 });

const plain = (collection: string) => new Schema({ _id: String }, { ...opts, collection });

export interface Models {
  logs: Model<LogDoc>;
  rollups: Model<RollupDoc>;
  rollupBatches: Model<RollupBatchDoc>;
  scoreRollups: Model<ScoreRollupDoc>;
  pendingScores: Model<PendingScoreDoc>;
  sessions: Model<SessionDoc>;
  meta: Model<{ _id: string; v?: number; json?: string }>;
  providers: Model<Record<string, unknown> & { _id: string }>;
  keys: Model<Record<string, unknown> & { _id: string }>;
  users: Model<Record<string, unknown> & { _id: string }>;
  audit: Model<Record<string, unknown> & { _id: string }>;
  promptFamilies: Model<Record<string, unknown> & { _id: string }>;
  promptVersions: Model<Record<string, unknown> & { _id: string }>;
  projects: Model<ProjectDoc>;
}

export function defineModels(conn: Connection): Models {
  return {
    logs: conn.model<LogDoc>('Log', logSchema),
    rollups: conn.model<RollupDoc>('Rollup', rollupSchema),
    rollupBatches: conn.model<RollupBatchDoc>('RollupBatch', rollupBatchSchema),
    scoreRollups: conn.model<ScoreRollupDoc>('ScoreRollup', scoreRollupSchema),
    pendingScores: conn.model<PendingScoreDoc>('PendingScore', pendingScoreSchema),
    sessions: conn.model<SessionDoc>('Session', sessionSchema),
    meta: conn.model('Meta', plain('meta')),
    providers: conn.model('Provider', plain('providers')),
    keys: conn.model('RelayKey', plain('relay_keys')),
    users: conn.model('User', plain('users')),
    audit: conn.model('Audit', auditSchema),
    promptFamilies: conn.model('PromptFamily', promptFamilySchema),
    promptVersions: conn.model('PromptVersion', promptVersionSchema),
    projects: conn.model<ProjectDoc>('Project', projectSchema),
  } as unknown as Models;
}
