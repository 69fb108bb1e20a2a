/**
 * The log processor (SQLite) under a saturation burst, as the bench's pipeline "drain" measure starts it (N events
 * queued as fast as Redis takes them, half of them streamed chat completions of 64 chunks), under --cpu-prof.
 * Run: `node bench/src/processor-profile.ts DIR [n=4000]`; the .cpuprofile files (main thread, SQLite writer
 * thread) land in DIR; skip the first `throughputStartMs` of the printed result when reading them.
 */
import { mkdirSync } from 'node:fs';
import { startProcess, freePort } from '@llm-relay/testkit';
import { synthesizeEvents } from './events.ts';
import { pipelineBench } from './pipeline.ts';
const dir = process.argv[2];
if (!dir) throw new Error('usage: processor-profile.ts DIR [n]');
mkdirSync(dir, { recursive: true });
const port = await freePort();
const mock = await startProcess({ name: 'mock', script: 'packages/mock-provider/src/cli.ts', args: ['--port', String(port), '--mode', 'stream', '--chunks', '64', '--interval-ms', '0'], readyUrl: `http://127.0.0.1:${port}/healthz` });
const samples = await synthesizeEvents(`http://127.0.0.1:${port}`);
await mock.stop();
const r = await pipelineBench({ redisUrl: 'redis://127.0.0.1:6379', store: 'sqlite', samples, n: Number(process.argv[3] ?? 4000), peakRate: 0, lagSec: 0, dir, cpuProfDir: dir });
console.log(JSON.stringify(r));
process.exit(0);
