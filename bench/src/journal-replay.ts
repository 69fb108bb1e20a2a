/**
 * Micro-benchmark of the gateway journal's replay read (issue 18): one 8 MiB segment of ~1.7 KB events of which
 * only the newest `waiting` are not in the queue (the rest were queued before Redis stopped answering), read
 * the way EventSink's replay does (4 MiB chunks) until nothing is left. The cost is per replay attempt, and a
 * replay is attempted every second while Redis answers slowly.
 * Run: `node bench/src/journal-replay.ts [waiting=500] [rounds=20] [journal module, default the gateway's]`.
 */
import { resolve } from 'node:path';
import { createLogger } from '@llm-relay/server-kit';
import { tempDir } from '@llm-relay/testkit';
import type { Journal as JournalT } from '../../services/gateway/src/features/capture/journal.ts';

const waiting = Number(process.argv[2] ?? 500);
const rounds = Number(process.argv[3] ?? 20);
const mod = process.argv[4] ? resolve(process.argv[4]) : '../../services/gateway/src/features/capture/journal.ts';
const { Journal } = (await import(mod)) as { Journal: typeof JournalT };
const dir = tempDir('journal-bench');
try {
  const j = new Journal(dir.path, 'bench', 1 << 30, createLogger('journal-bench', 'silent'));
  await j.open();
  const body = 'x'.repeat(1500);
  const ids: string[] = [];
  for (let b = 0; b < 50; b++) {
    const lines = Array.from({ length: 100 }, (_, i) => {
      const id = `0190-${b}-${i}`;
      ids.push(id);
      return { id, line: JSON.stringify({ v: 1, id, gatewayId: 'bench', text: body }) };
    });
    await j.append(lines);
  }
  j.markQueued(ids.slice(0, ids.length - waiting));
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    let n = 0;
    for (;;) {
      const got = await j.readUnqueued(4 * 1024 * 1024);
      if (got.length === 0) break;
      n += got.length;
      j.markQueued(got.map((l) => l.id));
    }
    times.push(performance.now() - t0);
    if (n !== waiting) throw new Error(`read ${n}, expected ${waiting}`);
    j.requeueAll();
    j.markQueued(ids.slice(0, ids.length - waiting));
  }
  times.sort((a, b) => a - b);
  console.log(`${j.size} B journal, ${waiting} of ${ids.length} events waiting: replay read ${times[Math.floor(times.length / 2)]!.toFixed(2)} ms (median of ${rounds}), min ${times[0]!.toFixed(2)} ms`);
} finally {
  dir.remove();
}
