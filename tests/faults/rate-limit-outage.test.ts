/**
 * Issue 14 item 4: an RPM-5 key while Redis is down and after it comes back empty. The limits do not
 * vanish: the gateway enforces them locally at limit / live replicas (one replica here) while Redis is
 * away, and hands what it admitted over to Redis's window when it returns, so the minute still holds 5.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@llm-relay/testkit';
import { FaultWorld } from './harness.ts';

let w: FaultWorld;
beforeAll(async () => {
  w = await FaultWorld.start({ label: 'limits-outage', redisPort: 7305 });
});
afterAll(() => w?.close());

interface Readyz {
  snapshotVersion: number | null;
  redis: string;
}
const readyz = async (): Promise<Readyz> => (await fetch(`${w.stack.gatewayUrl}/readyz`)).json() as Promise<Readyz>;

describe('fault: rate limits during a Redis outage', () => {
  it('an RPM-5 key gets 5 answers in the minute, across the outage and the empty restart', async () => {
    const token = await w.stack.login();
    const before = (await readyz()).snapshotVersion ?? 0;
    const res = await fetch(`${w.stack.adminUrl}/admin/api-keys`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'rpm-5', limits: { rpm: 5 } }) });
    expect(res.status).toBe(201);
    const { secret } = (await res.json()) as { secret: string };
    await waitFor(async () => ((await readyz()).snapshotVersion ?? 0) > before, { what: 'gateway has the new key' });

    await w.redis.kill();
    const during = await w.chatWith(secret, 7, 'redis down');
    await w.restartRedisEmpty();
    await waitFor(async () => (await readyz()).redis === 'ready', { timeoutMs: 15_000, what: 'gateway back on Redis' });
    const after = await w.chatWith(secret, 5, 'redis back empty');

    const admitted = [...during, ...after].filter((a) => a.status === 200).length;
    const row = await w.row('RPM-5 key: 7 requests while Redis is down, 5 after it restarts empty (one minute)', { note: `${admitted} of 12 admitted (limit 5); 429s are logged too` });
    expect(during.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 429, 429]);
    expect(after.map((a) => a.status)).toEqual([429, 429, 429, 429, 429]);
    expect(row.lost).toBe(0);
    expect(row.duplicated).toBe(0);
    const metrics = await (await fetch(`${w.stack.gatewayUrl}/metrics`)).text();
    expect(metrics).toMatch(/gateway_ratelimit_local_total\{result="refused"\} 2\b/);
    expect(metrics).toMatch(/gateway_ratelimit_local_mode 0\b/);
  });
});
