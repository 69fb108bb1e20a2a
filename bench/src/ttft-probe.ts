// Probe for the 1-stream TTFT: direct vs both gateways, one stream at a time, interleaved.
// usage: node src/ttft-probe.ts [rounds=20] [cpu-profile-dir]  (with a dir, the gateways run under --cpu-prof)
import { startStack } from './stack.ts';
import { streamLoad, emptyStreamResult } from './stream-load.ts';
import { summarize } from './stats.ts';

const rounds = Number(process.argv[2] ?? 20);
const profDir = process.argv[3];
const stack = await startStack({ redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', withPeer: false, gatewayEnv: profDir ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profDir}` } : {} });
try {
  const res = Object.fromEntries(stack.arms.map((a) => [a.name, emptyStreamResult()]));
  for (const a of stack.arms) await streamLoad(a.target('stream'), { concurrency: 1, total: 2, expectedChunks: 64 });
  for (let r = 0; r < rounds; r++) for (const a of stack.arms) await streamLoad(a.target('stream'), { concurrency: 1, total: 1, expectedChunks: 64 }, res[a.name]);
  const direct = summarize(res.direct!.ttftMs).p50;
  for (const a of stack.arms) {
    const s = summarize(res[a.name]!.ttftMs);
    console.log(a.name, 'ttft p50', s.p50.toFixed(3), 'added', (s.p50 - direct).toFixed(3), 'p90', s.p90?.toFixed(3));
  }
} finally {
  await stack.cleanup();
}
