/**
 * Queue and Redis names shared by producer (gateway) and consumers (processor, admin).
 * All keys live under one prefix so tests can isolate themselves and so a Redis Cluster
 * deployment can wrap the prefix in a hash tag (`{llmrelay}`) to keep BullMQ's keys on one slot.
 */
export const EXCHANGES_QUEUE = 'exchanges' as const;
/** A job of one exchange event (see ExchangeEventSchema): how the processor re-queues an event of a batch it could not store. */
export const EXCHANGE_JOB_NAME = 'exchange' as const;
/**
 * A job of several exchange events (see ExchangeBatchJobSchema): how a gateway queues its events. One BullMQ
 * job per event cost the gateway ~12 % of its main thread and Redis ~60–90 µs of CPU per request
 * (bench/FINDINGS.md, L8); a batch pays that once. Job id `batch-<first event id>-<count>-<hash of the ids>`
 * (CONTRIBUTING.md rule 8: the same events queued twice are deduplicated; storing is idempotent anyway).
 */
export const EXCHANGE_BATCH_JOB_NAME = 'exchange-batch' as const;
/** A gateway cuts its batch jobs at about this much JSON, so a processor's held jobs stay bounded in memory. */
export const EXCHANGE_BATCH_JOB_MAX_BYTES = 1024 * 1024;

/** How long a failed exchange job (a poison event) is kept for a replay after a fix. */
export const FAILED_JOB_MAX_AGE_SECONDS = 7 * 24 * 3600;

/**
 * One place for the exchange job's options (CONTRIBUTING.md rule 9), for single events and batches alike.
 * A job holds the raw, unredacted exchange: once its log is stored the job is removed with its data at once
 * (the processor's BullMQ metrics keep the completed count; the store's idempotent ids, not kept job ids,
 * absorb a redelivery). A failed job is kept at most FAILED_JOB_MAX_AGE_SECONDS and 50,000 jobs, and the
 * processor redacts its data when redaction is on.
 */
export const EXCHANGE_JOB_OPTIONS = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 500 },
  removeOnComplete: true,
  removeOnFail: { age: FAILED_JOB_MAX_AGE_SECONDS, count: 50_000 },
} as const;

/** Budget threshold alerts: the processor queues one job per threshold crossed, its worker POSTs the webhook. */
export const BUDGET_ALERTS_QUEUE = 'budget-alerts' as const;
export const BUDGET_ALERT_JOB_NAME = 'budget-alert' as const;

/**
 * The alert job's options (CONTRIBUTING.md rule 9): five attempts with exponential backoff (2 s, 4 s, 8 s, 16 s
 * by default; the processor's BUDGET_ALERT_BACKOFF_MS sets the first delay). The last failure is written to
 * the audit log; the failed job is kept a week for a look, at most 1,000.
 */
export const BUDGET_ALERT_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: true,
  removeOnFail: { age: 7 * 24 * 3600, count: 1000 },
} as const;

export const LIVE_STREAM_MAXLEN = 10_000;

export function redisKeys(prefix: string) {
  return {
    /** BullMQ `prefix` option */
    queuePrefix: prefix,
    /** the gateway configuration snapshot (JSON of GatewaySnapshot) */
    snapshot: `${prefix}:config:snapshot`,
    /** the settings alone (JSON of PublishedSettings), written with every snapshot, for the log processor */
    settings: `${prefix}:config:settings`,
    /** pub/sub channel: a new snapshot version was written */
    snapshotChannel: `${prefix}:config:changed`,
    /** stream of stored-log summaries for live views */
    liveStream: `${prefix}:live-logs`,
    /** rate-limit counters: `${rateLimit}:${keyId}:...` */
    rateLimit: `${prefix}:rl`,
    /** gateway replica heartbeats (hash of gatewayId -> JSON status) */
    gateways: `${prefix}:gateways`,
    /** last-used timestamps and usage counters per relay key (hash keyId -> JSON) */
    keyUsage: `${prefix}:key-usage`,
    /** processor replica heartbeats (hash of processorId -> JSON status) */
    processors: `${prefix}:processors`,
    /**
     * this Redis's data epoch: a random id a gateway sets when the key is missing. It changes only when
     * Redis lost its data (a restart without persistence, a failover to an empty replica), which tells
     * each gateway to queue again every journaled event not yet acknowledged as stored.
     */
    epoch: `${prefix}:epoch`,
    /**
     * set (without expiry) once the spend counters of the current day and month were rebuilt from the store;
     * missing means Redis lost them (or never had them), and one processor rebuilds them
     */
    spendRebuilt: `${prefix}:spend-rebuilt`,
  } as const;
}

/**
 * The stream where processors acknowledge stored events to the gateway replica that journals them
 * (entries `ids` = comma-separated event ids); that gateway reads and trims it.
 */
export function storedAcksKey(prefix: string, gatewayId: string): string {
  return `${prefix}:stored-acks:${gatewayId}`;
}
export const STORED_ACKS_MAXLEN = 100_000;
export type RedisKeys = ReturnType<typeof redisKeys>;
