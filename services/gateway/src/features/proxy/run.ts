import type { FastifyReply, FastifyRequest } from 'fastify';
import { RelayError, fromMicroUsd, toMicroUsd } from '@llm-relay/contracts';
import type { Candidate } from '../config/compiled.ts';
import { forward, type ForwardRequest } from '../upstream/forward.ts';
import type { Admission } from '../limits/limiter.ts';
import type { GatewayContext, RequestState } from './context.ts';
import { finishExchange } from './finish.ts';
import { relayResponse } from './relay-response.ts';

export interface ProxyPlan extends Omit<ForwardRequest, 'signal' | 'maxRetries'> {
  /** strip the usage-only chunk when the chosen candidate had stream usage injected */
  strip: (c: Candidate) => boolean;
}

/**
 * Take the limits of the caller's key; a refusal is a 429 with retry-after and x-ratelimit-*. A spent
 * budget (the key's or its project's) is a 429 `insufficient_quota` naming the budget and when it resets.
 */
export async function admit(ctx: GatewayContext, st: RequestState): Promise<Record<string, string> | undefined> {
  const key = st.key!;
  if (!key.hasLimits && key.budgets.length === 0) return undefined;
  const a = await ctx.limiter.admit(key.record.id, key.record.limits, st.ex.id, key.budgets);
  if (a.budget) {
    const { check, spentMicroUsd, resetsAt } = a.budget;
    const usd = (micro: number) => `$${fromMicroUsd(micro).toFixed(2)}`;
    throw new RelayError(
      'budget_exceeded',
      `Budget exceeded for ${check.label}: ${usd(spentMicroUsd)} spent of ${usd(toMicroUsd(check.budget.usd))} per ${check.budget.period}. It resets at ${new Date(resetsAt).toISOString()}.`,
      { headers: a.headers },
    );
  }
  if (!a.allowed) {
    // a spent budget was answered above, so the refusing limit is one of the rate limits
    const limit = a.limit as Exclude<Admission['limit'], 'budget' | undefined>;
    throw new RelayError(`rate_limit_${limit}`, `Rate limit reached for this relay key (${a.limit} limit). Retry after ${a.headers['retry-after']} s.`, { headers: a.headers });
  }
  st.admitted = !a.failOpen;
  return a.headers;
}

/**
 * Forward the request (retries and fallback inside), then stream the answer back. The reply is
 * hijacked only once an upstream response is in hand, so relay errors before that still go through
 * the app's error handler. A client that goes away aborts the upstream request at once.
 */
export async function runProxy(ctx: GatewayContext, request: FastifyRequest, reply: FastifyReply, plan: ProxyPlan, extraHeaders: Record<string, string> | undefined): Promise<void> {
  const st = request.relay!;
  st.proxying = true;
  const ex = st.ex;
  const res = reply.raw;
  const ac = new AbortController();
  let gone = false;
  const onClose = () => {
    if (!res.writableFinished) {
      gone = true;
      ac.abort();
    }
  };
  res.once('close', onClose);
  const settings = ctx.snapshots.current!.settings;
  let fwd;
  try {
    fwd = await forward({ ...plan, signal: ac.signal, maxRetries: settings.httpMaxRetries }, ex, ctx.upstreams, ctx.metrics);
  } catch (err) {
    if (!gone) throw err;
    st.hijacked = true;
    reply.hijack();
    ex.status = 499;
    ex.fail('client_abort', 'client closed the connection before the upstream answered');
    ctx.log.info({ exchangeId: ex.id }, 'client_abort before upstream response');
    finishExchange(ctx, st);
    return;
  }
  st.hijacked = true;
  reply.hijack();
  await relayResponse({
    res,
    upstream: fwd.res,
    ex,
    strip: plan.strip(fwd.candidate),
    retried: fwd.retried,
    captureMax: settings.captureMaxBytes,
    budget: ctx.captureBudget,
    keepAliveMs: ctx.env.SSE_KEEPALIVE_MS,
    metrics: ctx.metrics,
    extraHeaders,
    clientGone: () => gone,
  });
  if (fwd.res.statusCode >= 400 && ex.outcome === 'ok') ex.fail('upstream_error', `upstream answered ${fwd.res.statusCode}`);
  if (ex.outcome === 'client_abort') {
    ctx.log.info({ exchangeId: ex.id, bytes: ex.responseBody.bytes }, 'client_abort mid-response');
  } else if (ex.outcome !== 'ok') {
    ctx.log.warn({ exchangeId: ex.id, outcome: ex.outcome, error: ex.error }, 'exchange incomplete');
  }
  finishExchange(ctx, st);
}
