import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { LabelBound, boundLabels } from '@llm-relay/server-kit';

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
/** distinct model names not named in the configuration that get a series of their own; later ones are `other` */
export const MODEL_LABELS_MAX = 100;

type RequestLabels = Record<'route' | 'provider' | 'model' | 'status', string | number>;

/** Every gateway metric in one registry of its own, so tests can build several apps in one process. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ['route', 'provider', 'model', 'status'] as const;
  const requests = new Counter({ name: 'gateway_requests_total', help: 'requests answered, by route, provider, model and status', labelNames, registers: [registry] });
  const upstreamAttempts = new Counter({ name: 'gateway_upstream_attempts_total', help: 'upstream attempts by provider and result', labelNames: ['provider', 'result'], registers: [registry] });
  // label values that come from a client (the model) or an upstream (status, error codes) are bounded
  const modelLabel = new LabelBound(MODEL_LABELS_MAX);
  const requestLabels = boundLabels<RequestLabels>({ provider: 64, status: 64 });
  const attemptLabels = boundLabels<Record<'provider' | 'result', string>>({ provider: 64, result: 32 });
  return {
    registry,
    requests: {
      /** `knownModel`: the configuration names this model, so it always keeps its own series */
      inc(labels: RequestLabels, knownModel: boolean): void {
        requests.inc({ ...requestLabels(labels), route: labels.route, model: modelLabel.of(labels.model, knownModel) });
      },
    },
    duration: new Histogram({ name: 'gateway_request_duration_seconds', help: 'total time from request to last byte', labelNames: ['route'], buckets: LATENCY_BUCKETS, registers: [registry] }),
    upstream: new Histogram({ name: 'gateway_upstream_duration_seconds', help: 'time from the upstream request to its response headers', labelNames: ['route', 'provider'], buckets: LATENCY_BUCKETS, registers: [registry] }),
    ttfb: new Histogram({ name: 'gateway_ttfb_seconds', help: 'time from request to the first body byte sent to the client', labelNames: ['route'], buckets: LATENCY_BUCKETS, registers: [registry] }),
    streamsInFlight: new Gauge({ name: 'gateway_streams_in_flight', help: 'streamed responses in progress', registers: [registry] }),
    inflight: new Gauge({ name: 'gateway_requests_in_flight', help: 'requests in progress', registers: [registry] }),
    upstreamAttempts: {
      inc(labels: Record<'provider' | 'result', string>): void {
        upstreamAttempts.inc(attemptLabels(labels));
      },
    },
    enqueueBatches: new Counter({ name: 'gateway_enqueue_batches_total', help: 'event batches handed to the queue or the journal', labelNames: ['result'], registers: [registry] }),
    enqueuedEvents: new Counter({ name: 'gateway_enqueued_events_total', help: 'events added to the queue (directly or on replay)', registers: [registry] }),
    journalBytes: new Gauge({ name: 'gateway_journal_bytes', help: 'bytes of the local journal on disk (bounded by JOURNAL_MAX_BYTES)', registers: [registry] }),
    journalWaiting: new Gauge({ name: 'gateway_journal_events_waiting', help: 'journaled events not yet acknowledged as stored by a processor', registers: [registry] }),
    journalFull: new Gauge({ name: 'gateway_journal_full', help: '1 while the journal is full: new events are queued without a local copy', registers: [registry] }),
    journalEvents: new Counter({ name: 'gateway_journaled_events_total', help: 'events written to the journal', registers: [registry] }),
    replayedEvents: new Counter({ name: 'gateway_replayed_events_total', help: 'journaled events queued after Redis was unreachable or lost its data', registers: [registry] }),
    storedAcks: new Counter({ name: 'gateway_stored_acks_total', help: 'journaled events acknowledged as stored and removed from the journal', registers: [registry] }),
    redisDataLoss: new Counter({ name: 'gateway_redis_data_loss_total', help: 'times Redis was seen to have lost its data (its epoch changed)', registers: [registry] }),
    dropped: new Counter({ name: 'gateway_dropped_events_total', help: 'events lost: not kept by the journal (full) while Redis was unreachable', registers: [registry] }),
    limitLocalMode: new Gauge({ name: 'gateway_ratelimit_local_mode', help: "1 while Redis does not answer and each key's limits are enforced locally at limit / replicas", registers: [registry] }),
    limitLocal: new Counter({ name: 'gateway_ratelimit_local_total', help: 'limit checks decided locally during a Redis outage, by result', labelNames: ['result'], registers: [registry] }),
    limitReplicas: new Gauge({ name: 'gateway_ratelimit_replicas', help: 'live gateway replicas last seen in Redis: the divisor of the local limits during an outage', registers: [registry] }),
    limitFailOpen: new Counter({ name: 'gateway_ratelimit_fail_open_total', help: 'limit checks skipped because Redis did not answer', registers: [registry] }),
    budgetRejections: new Counter({ name: 'gateway_budget_rejections_total', help: "429s because a relay key's or its project's budget for the period is spent, by scope (key, project)", labelNames: ['scope'], registers: [registry] }),
    budgetUnchecked: new Counter({ name: 'gateway_budget_unchecked_total', help: 'requests with a budget admitted without a check because Redis did not answer (fail open)', registers: [registry] }),
    rateLimited: new Counter({ name: 'gateway_rate_limited_total', help: '429s from relay key limits', labelNames: ['limit'], registers: [registry] }),
    captureBytesInFlight: new Gauge({ name: 'gateway_capture_bytes_in_flight', help: 'captured body bytes held in memory until their events leave the process (bounded by CAPTURE_BUDGET_BYTES)', registers: [registry] }),
    captureBudgetBytes: new Gauge({ name: 'gateway_capture_budget_bytes', help: 'CAPTURE_BUDGET_BYTES: the most captured bytes held in memory at once', registers: [registry] }),
    captureTruncated: new Counter({ name: 'gateway_capture_budget_truncated_total', help: 'bodies captured only in part because the capture budget was used up', registers: [registry] }),
    feedback: new Counter({ name: 'gateway_feedback_total', help: 'POST /v1/relay/feedback answers: accepted (queued), invalid (400), unavailable (queue did not take it)', labelNames: ['result'], registers: [registry] }),
    snapshotVersion: new Gauge({ name: 'gateway_snapshot_version', help: 'version of the configuration snapshot in use (-1: none)', registers: [registry] }),
    authRejectedUnlogged: new Counter({
      name: 'gateway_auth_rejected_unlogged_total',
      help: 'requests refused for a missing or invalid relay key that were answered but not recorded (past one per client IP per second, or the global cap)',
      registers: [registry],
    }),
    badTargets: new Counter({ name: 'gateway_bad_request_target_total', help: 'requests refused before routing: absolute- or authority-form targets, dot segments, encoded slashes', registers: [registry] }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
