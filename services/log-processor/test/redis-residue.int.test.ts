/**
 * Redis is a transport: once an exchange is stored, nothing unredacted of it may remain there. With
 * redaction on, a request carrying personal data goes SDK-free through the real gateway and this processor;
 * after the log is stored, every key under the test's prefix is read back and must not hold the text. A poison
 * job (it fails for good) is kept for a replay, redacted, and with an age bound.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { FAILED_JOB_MAX_AGE_SECONDS, type StoredLog } from '@llm-relay/contracts';
import { startRelayStack, waitFor, type RelayStack } from '@llm-relay/testkit';
import { REDIS_URL, startHarness, type Harness } from './helpers/harness.ts';
import { chatEvent } from './helpers/events.ts';

const PROXY_KEY = 'sk-lp-residue-key';
const EMAIL = 'residue.owner@example.com';
const PHONE = '13800138000';
const SECRET_KEY = 'sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z';
let stack: RelayStack;
let h: Harness;

beforeAll(async () => {
  stack = await startRelayStack({ label: 'lp-residue', redisUrl: REDIS_URL, proxyKey: PROXY_KEY, parts: [], env: { REDACT_LOGS: 'true' } });
  h = await startHarness({ prefix: stack.prefix, databaseUrl: stack.databaseUrl });
  await waitFor(() => h.processor.settings.current.redactLogs || null, { what: 'redaction on' });
  await stack.startPart('gateway');
}, 90_000);
afterAll(async () => {
  await stack?.stopPart('gateway');
  await h?.close();
  await stack?.stop();
});

/** Every value of every key under the prefix, as text. */
async function dumpPrefix(redis: Redis, prefix: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      const type = await redis.type(key);
      let value: unknown;
      if (type === 'string') value = await redis.get(key);
      else if (type === 'hash') value = await redis.hgetall(key);
      else if (type === 'list') value = await redis.lrange(key, 0, -1);
      else if (type === 'set') value = await redis.smembers(key);
      else if (type === 'zset') value = await redis.zrange(key, 0, -1);
      else if (type === 'stream') value = await redis.xrange(key, '-', '+');
      out.set(key, JSON.stringify(value));
    }
  } while (cursor !== '0');
  return out;
}

async function keysHolding(texts: string[]): Promise<string[]> {
  const dump = await dumpPrefix(h.redis, stack.prefix);
  return [...dump].filter(([, v]) => texts.some((t) => v.includes(t))).map(([k]) => k);
}

describe('nothing unredacted stays in Redis', () => {
  it('after an exchange is stored, no key under the prefix holds its personal data', async () => {
    const res = await fetch(`${stack.gatewayUrl}/v1/chat/completions?contact=${PHONE}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${PROXY_KEY}`, 'content-type': 'application/json', 'user-agent': `residue-test (${EMAIL})` },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `mail ${EMAIL}, call ${PHONE}, key ${SECRET_KEY}` }] }),
    });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    const id = res.headers.get('x-request-id')!;
    const log = (await waitFor(() => h.processor.store.getLog(id), { what: `log ${id}` })) as StoredLog;
    expect(log.requestPreview).toBe('mail [EMAIL], call [PHONE], key [SECRET]');
    // the gateway's batch job completes right after its events are stored; completion removes it with its data
    await waitFor(async () => {
      const c = await h.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      return Object.values(c).every((n) => n === 0) || null;
    }, { what: 'job removed' });
    expect(await keysHolding([EMAIL, PHONE, SECRET_KEY])).toEqual([]);
    // the count of completed jobs survives the removal
    expect((await h.queue.getMetrics('completed', 0, 0)).meta.count).toBeGreaterThanOrEqual(1);
  });

  it('a job that fails for good is kept for a replay, redacted, and removed after an age bound', async () => {
    const ev = chatEvent({ prompt: `poison from ${EMAIL}, ${PHONE}, ${SECRET_KEY}` });
    await h.add({ ...ev, v: 99 }, ev.id);
    const job = await waitFor(async () => {
      const j = await h.queue.getJob(ev.id);
      return j?.failedReason && !JSON.stringify(j.data).includes(EMAIL) ? j : null;
    }, { what: 'failed job redacted' });
    expect(job.opts.removeOnFail).toMatchObject({ age: FAILED_JOB_MAX_AGE_SECONDS });
    expect(JSON.stringify(job.data)).toContain('poison from [EMAIL], [PHONE], [SECRET]');
    expect((job.data as { id: string }).id).toBe(ev.id);
    expect(await keysHolding([EMAIL, PHONE, SECRET_KEY])).toEqual([]);
  });
});
