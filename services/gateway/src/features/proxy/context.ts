import type { Redis } from 'ioredis';
import type { Logger } from '@llm-relay/server-kit';
import type { GatewayEnv } from '../../env.ts';
import type { Metrics } from '../../plugins/metrics.ts';
import type { CompiledKey } from '../config/compiled.ts';
import type { SnapshotStore } from '../config/snapshot-store.ts';
import type { EventSink } from '../capture/event-sink.ts';
import type { CaptureBudget } from '../capture/body-capture.ts';
import type { Exchange } from '../capture/exchange.ts';
import type { Journal } from '../capture/journal.ts';
import type { Limiter } from '../limits/limiter.ts';
import type { Upstreams } from '../upstream/pools.ts';

/** Everything a request handler needs, built once by app.ts. */
export interface GatewayContext {
  env: GatewayEnv;
  log: Logger;
  metrics: Metrics;
  redis: Redis;
  snapshots: SnapshotStore;
  upstreams: Upstreams;
  limiter: Limiter;
  sink: EventSink;
  captureBudget: CaptureBudget;
  journal: Journal;
  startedAt: number;
  inflight: number;
  /** set on SIGTERM: /readyz says 503, requests are still served (with `connection: close`) */
  draining: boolean;
  /** set when the listener closes after the drain: new requests get 503, in-flight ones finish */
  closing: boolean;
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
}

const TOKEN_TAIL = 4096;

/** Tokens an exchange used, read from the tail of the captured response (OpenAI and Anthropic usage shapes). */
export function tokensFrom(ex: Exchange): number {
  const text = ex.responseBody.text;
  if (!text) return 0;
  const tail = text.length > TOKEN_TAIL ? text.slice(-TOKEN_TAIL) : text;
  const total = [...tail.matchAll(/"total_tokens"\s*:\s*(\d+)/g)].pop();
  if (total) return Number(total[1]);
  const input = [...text.matchAll(/"input_tokens"\s*:\s*(\d+)/g)].pop();
  const output = [...tail.matchAll(/"output_tokens"\s*:\s*(\d+)/g)].pop();
  return Number(input?.[1] ?? 0) + Number(output?.[1] ?? 0);
}

/** The single place an exchange ends: metrics, limit release, and the event handed to the sink. */
export function finishExchange(ctx: GatewayContext, st: RequestState): void {
  const ex = st.ex;
  if (ex.finished) return;
  ex.finished = true;
  ctx.inflight--;
  ctx.metrics.inflight.dec();
  const seconds = (performance.timeOrigin + performance.now() - ex.startedAt) / 1000;
  const model = ex.provider ? (ex.model ?? 'none') : 'none';
  const knownModel = model === 'none' || (ctx.snapshots.current?.providers.some((p) => p.exact.has(model)) ?? false);
  ctx.metrics.requests.inc({ route: ex.route, provider: ex.provider ?? 'none', model, status: ex.status }, knownModel);
  ctx.metrics.duration.observe({ route: ex.route }, seconds);
  if (ex.firstByteAt !== null) ctx.metrics.ttfb.observe({ route: ex.route }, (ex.firstByteAt - ex.startedAt) / 1000);
  if (st.admitted && st.key && (st.key.record.limits.concurrency || st.key.record.limits.tpm)) ctx.limiter.release(st.key.record.id, ex.id, st.key.record.limits.tpm ? tokensFrom(ex) : 0);
  ctx.sink.push(ex.toEvent(ctx.env.GATEWAY_ID), ex.held);
  ex.held = 0;
}
