import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { expect, it } from 'vitest';
import { makeLog, startProcess, tempDir, waitFor } from '@llm-relay/testkit';
import { createStore } from '../src/index.ts';

it('sqlite: a writer killed with SIGKILL mid-run leaves whole batches, and replaying them stores each log once', async () => {
  const dir = tempDir('store-crash');
  const url = `sqlite:${join(dir.path, 'relay.db')}`;
  const batch = 250;
  const logs = Array.from({ length: 40 * batch }, (_, i) => makeLog({ searchText: `${'prompt text '.repeat(100)} marker-${i}-end` }));
  const file = join(dir.path, 'logs.json');
  writeFileSync(file, JSON.stringify(logs));
  const child = await startProcess({ name: 'insert-batches', script: 'packages/store/test/helpers/insert-batches.ts', args: [url, file, String(batch)] });
  try {
    await waitFor(() => child.output().includes('batch 3\n'), { timeoutMs: 60_000, what: 'three batches stored' });
    child.kill('SIGKILL');
    await child.exited;

    const raw = new DatabaseSync(join(dir.path, 'relay.db'));
    expect(raw.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
    const stored = (raw.prepare('SELECT count(*) AS n FROM logs').get() as { n: number }).n;
    raw.close();
    // the kill landed before the end, and no batch is half there
    expect(stored).toBeLessThan(logs.length);
    expect(stored % batch).toBe(0);

    const store = await createStore(url);
    try {
      let inserted = 0;
      for (let i = 0; i < logs.length; i += batch) inserted += (await store.insertLogs(logs.slice(i, i + batch))).length;
      expect(inserted).toBe(logs.length - stored);
      expect(await store.countLogs({})).toBe(logs.length);
      expect(await store.countLogs({ q: 'marker-7-end' })).toBe(1);
    } finally {
      await store.close();
    }
  } finally {
    child.kill('SIGKILL');
    dir.remove();
  }
}, 180_000);
