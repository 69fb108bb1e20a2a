// Child process for the crash test: inserts the logs in a JSON file batch by batch, printing each
// finished batch, until it is killed.
import { readFileSync } from 'node:fs';
import type { StoredLog } from '@llm-relay/contracts';
import { createStore } from '../../src/index.ts';

const [url, file, batchArg] = process.argv.slice(2) as [string, string, string];
const logs = JSON.parse(readFileSync(file, 'utf8')) as StoredLog[];
const batch = Number(batchArg);
const store = await createStore(url);
for (let i = 0; i < logs.length; i += batch) {
  await store.insertLogs(logs.slice(i, i + batch));
  process.stdout.write(`batch ${i / batch + 1}\n`);
}
await store.close();
