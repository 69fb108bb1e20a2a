import type { ServerResponse } from 'node:http';
import type { Redis } from 'ioredis';
import type { Logger } from '@llm-relay/server-kit';
import type { GatewayEnv } from '../../env.ts';
import type { Metrics } from '../../plugins/metrics.ts';
import type { CompiledKey } from '../config/compiled.ts';
import type { SnapshotStore } from '../config/snapshot-store.ts';
import type { EventSink } from '../capture/event-sink.ts';
import type { CaptureBudget } from '../capture/capture-budget.ts';
import type { Exchange } from '../capture/exchange.ts';
import type { Journal } from '../capture/journal.ts';
import type { Limiter } from '../limits/limiter.ts';
import type { Upstreams } from '../upstream/pools.ts';
import type { RejectSampler } from '../auth/reject-sampler.ts';
import type { FeedbackQueue } from '../feedback/feedback-queue.ts';

/** Everything a request handler needs, built once by app.ts. */
export interface GatewayContext {
  env: GatewayEnv;
  log: Logger;
  metrics: Metrics;
  redis: Redis;
  snapshots: SnapshotStore;
  upstreams: Upstreams;
  /** the Redis limiter, enforced locally while Redis does not answer (OutageLimits) */
  limiter: Pick<Limiter, 'admit' | 'release'>;
  sink: EventSink;
  feedback: FeedbackQueue;
  captureBudget: CaptureBudget;
  journal: Journal;
  /** which requests refused for their relay key are recorded */
  rejectSampler: RejectSampler;
  startedAt: number;
  inflight: number;
  /** set on SIGTERM: /readyz says 503, requests are still served (with `connection: close`) */
  draining: boolean;
  /** set when the listener closes after the drain: new requests get 503, in-flight ones finish */
  closing: boolean;
  /** every exchange not yet finished, by id: what the shutdown timeout cuts */
  active: Map<string, ActiveExchange>;
}

export interface ActiveExchange {
  st: RequestState;
  res: ServerResponse;
}

/** Per-request state hung on the fastify request. */
export interface RequestState {
  ex: Exchange;
  key: CompiledKey | null;
  /** set when a concurrency slot / RPM entry was taken, so it is released exactly once */
  admitted: boolean;
  /** the handler writes the response itself; onResponse must not emit the event */
  hijacked: boolean;
  /** runProxy owns the exchange from here on, client aborts included */
  proxying: boolean;
  /** refused for its relay key and not sampled: answered and counted, but no event is emitted */
  unrecorded?: boolean;
}
