import { request } from 'node:http';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { waitFor } from '@llm-relay/testkit';
import { redisKeys } from '@llm-relay/contracts';
import { World, type TestKey } from './helpers.ts';

/** GATEWAY_WORKERS=2: two processes serve one port, each a replica with its own id and journal. */
const w = new World();
let base: string;
let key: TestKey;

beforeAll(async () => {
  ({ base, key } = await w.startWithMock({}, { GATEWAY_WORKERS: '2' }));
});
afterAll(() => w.close());

/** One request on a connection of its own, so the cluster's round-robin can hand it to either worker. */
function chat(): Promise<{ status: number; id: string }> {
  const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'which worker?' }] });
  return new Promise((resolve, reject) => {
    const req = request(`${base}/v1/chat/completions`, { method: 'POST', agent: false, headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, id: String(res.headers['x-request-id']) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const segments = (dir: string) => readdirSync(join(w.journal.path, dir)).filter((f) => f.endsWith('.ndjson'));

it('two workers both serve the port, and every answered request is queued once, then stored', async () => {
  const id = `${w.prefix}-gw0`;
  // the port answers once one worker listens; the other may still be starting on a busy machine
  await waitFor(async () => (await w.redis.hkeys(redisKeys(w.prefix).gateways)).length === 2 || null, { what: 'both workers beating', timeoutMs: 45_000 });
  const answers: { status: number; id: string }[] = [];
  // requests go on until both have served some (a worker beats just before it listens)
  await waitFor(async () => {
    for (let i = 0; i < 4; i++) answers.push(await chat());
    return new Set((await w.events()).map((e) => e.gatewayId)).size === 2 || null;
  }, { what: 'both workers serving', timeoutMs: 20_000 });
  const served = await waitFor(async () => {
    const events = await w.events();
    return events.length >= answers.length ? events : null;
  }, { what: 'every answer queued' });
  expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
  expect(served.map((e) => e.id).sort()).toEqual(answers.map((a) => a.id).sort());
  expect(new Set(served.map((e) => e.gatewayId))).toEqual(new Set([`${id}-w0`, `${id}-w1`]));
  // each worker journals in its own directory until a processor has stored its events
  expect(segments('w0').length + segments('w1').length).toBeGreaterThan(0);
  await w.startProcessor();
  await waitFor(() => segments('w0').length + segments('w1').length === 0 || null, { what: 'both journals emptied by stored acks', timeoutMs: 30_000 });
});
