import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { rssMiB } from './procstat.ts';
import type { Target } from './stack.ts';

export interface SlowResult {
  streams: number;
  connected: number;
  /** streams that got a 200 status line */
  answered: number;
  /** seconds until every stream had its status line (or the timeout) */
  answerSec: number;
  rssBeforeMiB: number;
  rssPeakMiB: number;
  rssAfterMiB: number;
  /** bytes each stream would carry if read to the end */
  bytesPerStream: number;
  holdSec: number;
}

/**
 * Open `streams` streaming requests whose clients read 1 KiB a second, hold them for `holdSec`, and watch
 * the gateway's memory. Each answer is large (chunks × ~300 B, no pacing), so a gateway that ignores
 * backpressure buffers all of it; one that respects it holds roughly its socket buffers.
 */
export async function slowReaders(t: Target, pid: number, opts: { streams: number; chunks: number; holdSec: number; answerTimeoutSec: number; beforeClose?: () => void }): Promise<SlowResult> {
  const url = new URL(t.origin);
  const body = JSON.stringify({ model: t.model, stream: true, messages: [{ role: 'user', content: 'slow reader' }] });
  const head = [
    'POST /v1/chat/completions HTTP/1.1',
    `host: ${url.host}`,
    'content-type: application/json',
    `content-length: ${Buffer.byteLength(body)}`,
    `x-mock-chunks: ${opts.chunks}`,
    'x-mock-interval-ms: 0',
    ...Object.entries(t.headers).map(([k, v]) => `${k}: ${v}`),
    '',
    '',
  ].join('\r\n');
  const rssBefore = rssMiB(pid);
  const sockets: Socket[] = [];
  let connected = 0;
  let answered = 0;
  for (let i = 0; i < opts.streams; i++) {
    const s = connect(Number(url.port), url.hostname);
    s.on('error', () => undefined);
    s.once('connect', () => {
      connected++;
      s.write(head + body);
    });
    // paused mode: nothing is read unless read() is called, so the kernel buffers fill and the sender blocks
    s.once('readable', () => {
      const first = s.read(16) as Buffer | null;
      if (first?.toString().startsWith('HTTP/1.1 200')) answered++;
    });
    sockets.push(s);
    if (i % 100 === 99) await sleep(20);
  }
  const reader = setInterval(() => {
    for (const s of sockets) s.read(1024);
  }, 1000);
  let peak = rssMiB(pid);
  const watch = async (ms: number, done?: () => boolean) => {
    const until = Date.now() + ms;
    while (Date.now() < until && !done?.()) {
      await sleep(250);
      peak = Math.max(peak, rssMiB(pid));
    }
  };
  // every stream answered first (on a busy machine that takes a while), then the hold
  const t0 = Date.now();
  await watch(opts.answerTimeoutSec * 1000, () => answered >= opts.streams);
  const answerSec = (Date.now() - t0) / 1000;
  await watch(opts.holdSec * 1000);
  clearInterval(reader);
  opts.beforeClose?.();
  for (const s of sockets) s.destroy();
  await watch(5000);
  return { streams: opts.streams, connected, answered, answerSec, rssBeforeMiB: rssBefore, rssPeakMiB: peak, rssAfterMiB: rssMiB(pid), bytesPerStream: opts.chunks * 300, holdSec: opts.holdSec };
}
