import type { WebSocket } from 'ws';
import type { LiveFilter, LiveLogSummary, LiveServerMessage } from '@llm-relay/contracts';
import { compareStreamIds, matchesLive } from './filter.ts';

/** One stream entry, with its `log` message already serialised once for every client. */
export interface LiveEntry {
  id: string;
  log: LiveLogSummary;
  message: string;
}

export interface LiveClientOptions {
  /** bytes queued on the socket above which messages are dropped and counted */
  highWaterBytes: number;
  /** entries held while the client is catching up from lastId */
  maxPending: number;
  onSkipped?: (n: number) => void;
}

/**
 * One WebSocket client of the live view. The hub hands it every entry; it applies the filter, never sends
 * an entry twice or out of order (catch-up from lastId and live delivery overlap), and when the socket's
 * buffer passes the high-water mark it drops entries and, once drained, says `{type:'lagged', skipped}`.
 */
export function createLiveClient(ws: WebSocket, initialFilter: LiveFilter, opts: LiveClientOptions) {
  let filter = initialFilter;
  let paused = false;
  let skipped = 0;
  let lagging = false;
  let overflowed = false;
  let catchingUp = false;
  let pending: LiveEntry[] = [];
  let lastSeen: string | null = null;

  const sendRaw = (data: string) => {
    if (ws.readyState === ws.OPEN) ws.send(data);
  };
  const send = (msg: LiveServerMessage) => sendRaw(JSON.stringify(msg));

  const noteSkipped = () => {
    skipped++;
    opts.onSkipped?.(1);
  };

  const flushLagNotice = () => {
    if (!lagging || ws.readyState !== ws.OPEN) return;
    lagging = false;
    const n = skipped;
    skipped = 0;
    send({ type: 'lagged', skipped: n });
  };

  /** drop from now on; the notice goes out once the client has read what was queued, not when the next entry comes */
  const startLagging = () => {
    if (lagging) return;
    lagging = true;
    const socket = (ws as unknown as { _socket?: NodeJS.EventEmitter })._socket;
    if (ws.bufferedAmount <= opts.highWaterBytes || !socket) queueMicrotask(flushLagNotice);
    else socket.once('drain', flushLagNotice);
  };

  const deliver = (e: LiveEntry) => {
    if (lastSeen !== null && compareStreamIds(e.id, lastSeen) <= 0) return;
    lastSeen = e.id;
    if (!matchesLive(filter, e.log)) return;
    if (paused) {
      skipped++;
      return;
    }
    if (lagging) {
      noteSkipped();
      return;
    }
    if (ws.bufferedAmount > opts.highWaterBytes) {
      noteSkipped();
      startLagging();
      return;
    }
    sendRaw(e.message);
  };

  return {
    send,
    /** from the hub: live entries (held back while catching up) */
    offer(e: LiveEntry) {
      if (!catchingUp) return deliver(e);
      pending.push(e);
      if (pending.length > opts.maxPending) {
        pending.shift();
        noteSkipped();
        overflowed = true;
      }
    },
    startCatchUp(fromId: string) {
      catchingUp = true;
      lastSeen = fromId;
    },
    /** catch-up entries read with XRANGE, in order */
    catchUp(e: LiveEntry) {
      deliver(e);
    },
    endCatchUp() {
      catchingUp = false;
      const held = pending;
      pending = [];
      for (const e of held) deliver(e);
      // entries dropped while catching up are reported like any other lag
      if (overflowed) {
        overflowed = false;
        startLagging();
      }
    },
    setFilter(f: LiveFilter) {
      filter = f;
    },
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      if (skipped > 0 && !lagging) {
        const n = skipped;
        skipped = 0;
        send({ type: 'lagged', skipped: n });
      }
    },
  };
}
export type LiveClient = ReturnType<typeof createLiveClient>;
