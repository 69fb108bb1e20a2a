/**
 * Issue 14 item 2: SIGTERM with 20 streams that outlast SHUTDOWN_TIMEOUT_MS. The timeout cuts them, and
 * each cut exchange is still finished — outcome `gateway_error`, the error naming the shutdown — and
 * queued or journaled before the process exits, so all 20 are stored, as incomplete.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredLog } from '@llm-relay/contracts';
import { waitFor } from '@llm-relay/testkit';
import { FaultWorld } from './harness.ts';

const STREAMS = 20;
let w: FaultWorld;
beforeAll(async () => {
  w = await FaultWorld.start({ label: 'shutdown-cut', redisPort: 7304, parts: ['gateway', 'processor'], env: { SHUTDOWN_DRAIN_MS: '0', SHUTDOWN_TIMEOUT_MS: '1500' } });
});
afterAll(() => w?.close());

describe('fault: shutdown timeout cutting streams', () => {
  it(`stores all ${STREAMS} cut streams as incomplete, saying why`, async () => {
    const client = w.client();
    const firstChunks: Promise<void>[] = [];
    const ends: Promise<string>[] = [];
    for (let i = 0; i < STREAMS; i++) {
      w.sent++;
      const { data, response } = await client.chat.completions
        .create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: `long stream ${i}` }] }, { headers: { 'x-mock-chunks': '400', 'x-mock-interval-ms': '50' } })
        .withResponse();
      w.answers.push({ id: response.headers.get('x-request-id')!, status: response.status });
      const it = data[Symbol.asyncIterator]();
      firstChunks.push(it.next().then(() => undefined));
      ends.push(
        (async () => {
          try {
            for (let r = await it.next(); !r.done; r = await it.next());
            return 'completed';
          } catch {
            return 'cut';
          }
        })(),
      );
    }
    await Promise.all(firstChunks);
    const t0 = Date.now();
    await w.stack.stopPart('gateway');
    const exitMs = Date.now() - t0;
    expect(await Promise.all(ends)).toEqual(Array(STREAMS).fill('cut'));

    const row = await w.row(`SIGTERM with ${STREAMS} streams running, SHUTDOWN_TIMEOUT_MS=1500`, { note: `gateway exited ${exitMs} ms after SIGTERM; every cut stream stored incomplete` });
    expect(row.answered).toBe(STREAMS);
    expect(row.lost).toBe(0);
    expect(row.duplicated).toBe(0);
    const store = await w.openStore();
    for (const a of w.answers) {
      const log = (await waitFor(() => store.getLog(a.id), { what: `log ${a.id}` })) as StoredLog;
      expect(log.incomplete).toBe(true);
      expect(log.outcome).toBe('gateway_error');
      expect(log.error).toMatch(/cut by the gateway's shutdown/);
    }
  });
});
