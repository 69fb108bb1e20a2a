import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createStore } from '@llm-relay/store';
import { makeLog, T0 } from '@llm-relay/testkit';
import { startAdmin, type AdminProcess } from './helper.ts';

// 50,000 logs make a ~100 MiB JSONL export: more than the admin's whole V8 heap (96 MiB below) and far more than
// the growth allowed, at half the time 100,000 took in CI
const N = 50_000;
let admin: AdminProcess;
let base: string;
let token: string;

/** Peak and current resident memory of a process, from the kernel (bytes). */
function memoryOf(pid: number): { hwm: number; rss: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)![1]) * 1024;
  return { hwm: kb('VmHWM'), rss: kb('VmRSS') };
}

beforeAll(async () => {
  admin = await startAdmin(
    'export',
    // a heap far smaller than the export: an implementation that buffered it would die here, not just grow
    { NODE_OPTIONS: '--max-old-space-size=96' },
    async (url) => {
      const store = await createStore(url);
      const batch = [];
      for (let i = 0; i < N; i++) {
        batch.push(makeLog({ createdAt: T0 + i * 1000, requestPreview: `request ${i} `.padEnd(300, 'r'), responsePreview: `answer ${i} `.padEnd(300, 'a') }));
        if (batch.length === 2000) await store.insertLogs(batch.splice(0));
      }
      await store.close();
    },
  );
  base = admin.url;
  token = await admin.login();
}, 300_000);
afterAll(async () => {
  await admin?.close();
});

async function exportAll(format: 'jsonl' | 'csv', full: boolean): Promise<{ rows: number; bytes: number; firstId: string }> {
  const res = await fetch(`${base}/admin/logs/export?format=${format}&full=${full}`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  let rows = 0;
  let bytes = 0;
  let rest = '';
  let firstId = '';
  const decoder = new TextDecoder();
  for await (const chunk of res.body!) {
    bytes += chunk.byteLength;
    const lines = (rest + decoder.decode(chunk, { stream: true })).split('\n');
    rest = lines.pop()!;
    for (const line of lines) {
      // parse every row, as a consumer would: the client is the slow side, so the server must wait for it
      if (format === 'jsonl') {
        const row = JSON.parse(line) as { id: string };
        firstId ||= row.id;
      }
      rows++;
    }
  }
  return { rows, bytes, firstId };
}

describe('export of 50,000 logs', () => {
  it('streams every row with bounded memory in the admin process', async () => {
    const pid = admin.proc.child.pid!;
    const atStart = memoryOf(pid);
    await exportAll('jsonl', false); // warm up code paths and the store cache before the baseline
    const before = memoryOf(pid);
    const jsonl = await exportAll('jsonl', true);
    const csv = await exportAll('csv', true);
    const after = memoryOf(pid);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    const heapUsed = Number(/llm_relay_admin_nodejs_heap_size_used_bytes (\d+)/.exec(metrics)?.[1]);
    expect(jsonl.rows).toBe(N);
    expect(csv.rows).toBeGreaterThan(N); // header + rows (quoted newlines make it more lines, never fewer)
    const growth = after.hwm - before.hwm;
    console.log(
      `export of ${N} logs: JSONL ${(jsonl.bytes / 2 ** 20).toFixed(0)} MiB, CSV ${(csv.bytes / 2 ** 20).toFixed(0)} MiB; ` +
        `admin RSS at start ${(atStart.rss / 2 ** 20).toFixed(0)} MiB, after a warm-up export ${(before.rss / 2 ** 20).toFixed(0)} MiB, peak before ${(before.hwm / 2 ** 20).toFixed(0)} MiB, peak after ${(after.hwm / 2 ** 20).toFixed(0)} MiB (growth ${(growth / 2 ** 20).toFixed(1)} MiB); V8 heap used after ${(heapUsed / 2 ** 20).toFixed(0)} MiB`,
    );
    // the export is far larger than the growth allowed: holding it (or a large part) in memory fails this
    expect(jsonl.bytes).toBeGreaterThan(96 * 2 ** 20);
    expect(growth).toBeLessThan(40 * 2 ** 20);
    expect(admin.proc.child.exitCode).toBeNull();
  }, 300_000);
});
