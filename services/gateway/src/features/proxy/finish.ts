import type { GatewayContext, RequestState } from './context.ts';
import { tokensFrom } from './tokens.ts';

/** The single place an exchange ends: metrics, limit release, and the event handed to the sink. */
export function finishExchange(ctx: GatewayContext, st: RequestState): void {
  const ex = st.ex;
  if (ex.finished) return;
  ex.finished = true;
  ctx.active.delete(ex.id);
  ctx.inflight--;
  ctx.metrics.inflight.dec();
  const seconds = (performance.timeOrigin + performance.now() - ex.startedAt) / 1000;
  const model = ex.provider ? (ex.model ?? 'none') : 'none';
  const knownModel = model === 'none' || (ctx.snapshots.current?.providers.some((p) => p.exact.has(model)) ?? false);
  ctx.metrics.requests.inc({ route: ex.route, provider: ex.provider ?? 'none', model, status: ex.status }, knownModel);
  ctx.metrics.duration.observe({ route: ex.route }, seconds);
  if (ex.firstByteAt !== null) ctx.metrics.ttfb.observe({ route: ex.route }, (ex.firstByteAt - ex.startedAt) / 1000);
  if (st.admitted && st.key && (st.key.record.limits.concurrency || st.key.record.limits.tpm)) ctx.limiter.release(st.key.record.id, ex.id, st.key.record.limits.tpm ? tokensFrom(ex) : 0);
  if (st.unrecorded) {
    ctx.metrics.authRejectedUnlogged.inc();
    ctx.captureBudget.give(ex.held);
  } else {
    ctx.sink.push(ex.toEvent(ctx.env.GATEWAY_ID), ex.held);
  }
  ex.held = 0;
}
