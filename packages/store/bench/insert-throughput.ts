// Rough insert throughput of an adapter: `node bench/insert-throughput.ts [DATABASE_URL|ferretdb] [N] [BATCH]`.
// Not a test (no timing assertions); the processor's bench measures the whole pipeline.
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { makeLog, startFerretDb } from '@llm-relay/testkit';
import { createStore } from '../src/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'store-bench-'));
const ferret = process.argv[2] === 'ferretdb' ? await startFerretDb() : null;
const url = ferret ? `${ferret.uri}bench` : process.argv[2] || `sqlite:${join(dir, 'bench.db')}`;
const n = Number(process.argv[3] ?? 20_000);
const batch = Number(process.argv[4] ?? 100);
const store = await createStore(url);
const text = 'Explain the difference between TCP and UDP in detail, with examples. '.repeat(Number(process.env.REPEAT ?? 20));
// ids arrive roughly in time order, as they do from the gateways
const start = Date.now() - n;
const logs = Array.from({ length: n }, (_, i) => makeLog({ searchText: text, createdAt: start + i }));
const t0 = performance.now();
for (let i = 0; i < n; i += batch) await store.insertLogs(logs.slice(i, i + batch));
const secs = (performance.now() - t0) / 1000;
const t1 = performance.now();
const page = await store.listLogs({ q: 'difference', model: 'gpt-4o-mini' }, { limit: 50 });
const listMs = performance.now() - t1;
console.log(JSON.stringify({ adapter: store.info.kind, n, batch, seconds: +secs.toFixed(2), logsPerSecond: Math.round(n / secs), searchPageMs: +listMs.toFixed(1), items: page.items.length }));
await store.close();
await ferret?.stop();
rmSync(dir, { recursive: true, force: true });
