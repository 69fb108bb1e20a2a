import { createGzip } from 'node:zlib';
import { baseHeaders } from './respond.ts';
import type { Ctx } from './types.ts';

/** One SSE frame, already serialized; `paced` frames wait the stream's interval before they go out. */
export interface Frame {
  text: string;
  paced: boolean;
}

export function dataFrame(obj: unknown, paced = false): Frame {
  return { text: `data: ${JSON.stringify(obj)}\n\n`, paced };
}

export function eventFrame(event: string, obj: unknown, paced = false): Frame {
  return { text: `event: ${event}\ndata: ${JSON.stringify(obj)}\n\n`, paced };
}

export const DONE: Frame = { text: 'data: [DONE]\n\n', paced: false };

interface Sink {
  write(s: string): boolean;
  flush(cb: () => void): void;
  end(): void;
  once(ev: 'drain', cb: () => void): void;
}

/**
 * Write frames as an SSE response honouring the request's behaviour: interval between content frames,
 * one silence mid-stream, a socket cut after N frames, gzip, and the reader's backpressure (a slow
 * reader slows the mock instead of growing its buffers).
 */
export function streamSse(ctx: Ctx, given: Frame[]): void {
  const { res, b } = ctx;
  // frames are written with LF; JSON.stringify escapes every newline inside a value, so each LF is framing
  const frames = b.lineEnding === '\n' ? given : given.map((f) => ({ ...f, text: f.text.replaceAll('\n', b.lineEnding) }));
  const headers = baseHeaders(ctx, 'text/event-stream; charset=utf-8');
  headers['cache-control'] = 'no-cache';
  if (b.intervalMs === 0 && b.silenceMs === 0 && b.cutAfter === undefined && !b.gzip) {
    // the instant path: one write, so a benchmark through the mock is not bound by it
    res.writeHead(200, headers);
    res.end(frames.map((f) => f.text).join(''));
    return;
  }
  let sink: Sink;
  if (b.gzip) {
    headers['content-encoding'] = 'gzip';
    const gz = createGzip();
    gz.pipe(res);
    sink = {
      write: (s) => {
        const ok = gz.write(s);
        gz.flush();
        return ok;
      },
      flush: (cb) => gz.flush(cb),
      end: () => gz.end(),
      once: (ev, cb) => gz.once(ev, cb),
    };
  } else {
    sink = {
      write: (s) => res.write(s),
      flush: (cb) => cb(),
      end: () => res.end(),
      once: (ev, cb) => res.once(ev, cb),
    };
  }
  res.writeHead(200, headers);
  res.flushHeaders();

  const paced = frames.flatMap((f, i) => (f.paced ? [i] : []));
  const silenceAt = b.silenceMs > 0 ? (paced[Math.floor(paced.length / 2)] ?? Math.floor(frames.length / 2)) : -1;
  let i = 0;
  let waited = false;
  let closed = false;
  res.once('close', () => {
    closed = true;
  });
  const cut = () => {
    const sock = ctx.req.socket;
    // end() first: what was written (possibly still corked) reaches the client, then the connection dies
    // without the chunked terminator, exactly like an upstream that crashed mid-stream
    sink.flush(() => sock.end(() => sock.destroy()));
  };
  const step = (): void => {
    while (!closed && i < frames.length) {
      if (b.cutAfter !== undefined && i >= b.cutAfter) return cut();
      const f = frames[i]!;
      const wait = (f.paced ? b.intervalMs : 0) + (i === silenceAt ? b.silenceMs : 0);
      if (wait > 0 && !waited) {
        waited = true;
        setTimeout(step, wait);
        return;
      }
      waited = false;
      i++;
      if (!sink.write(f.text)) {
        sink.once('drain', step);
        return;
      }
    }
    if (closed) return;
    if (b.cutAfter !== undefined && i >= b.cutAfter) return cut();
    sink.end();
  };
  step();
}
