import type { LiveServerMessage } from '@llm-relay/contracts';
import { api } from './api.ts';
import type { LiveConnection, LiveHandlers, LiveSource } from './live-logs.svelte.ts';

/**
 * The admin WebSocket as a LiveSource: a single-use ticket from POST /admin/ws-ticket, then
 * /admin/live?ticket=…&lastId=…; reconnects with capped exponential backoff and resumes after the
 * last stream id seen.
 */
export function webSocketSource(path = '/admin/live'): LiveSource {
  return {
    connect(lastId: () => string | null, h: LiveHandlers): LiveConnection {
      let ws: WebSocket | null = null;
      let closed = false;
      let attempt = 0;
      let timer: ReturnType<typeof setTimeout> | null = null;

      const retry = () => {
        if (closed) return;
        h.status('reconnecting');
        const delay = Math.min(15_000, 300 * 2 ** attempt++);
        timer = setTimeout(open, delay);
      };

      async function open() {
        if (closed) return;
        h.status(attempt === 0 ? 'connecting' : 'reconnecting');
        let ticket: string;
        try {
          ticket = (await api.post<{ ticket: string }>('/ws-ticket')).ticket;
        } catch {
          retry();
          return;
        }
        if (closed) return;
        const qs = new URLSearchParams({ ticket });
        const last = lastId();
        if (last) qs.set('lastId', last);
        const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
        const sock = new WebSocket(`${proto}//${location.host}${path}?${qs}`);
        ws = sock;
        sock.onopen = () => {
          attempt = 0;
          h.status('open');
          h.opened();
        };
        sock.onmessage = (ev) => {
          try {
            h.message(JSON.parse(String(ev.data)) as LiveServerMessage);
          } catch {
            // a malformed frame is skipped; the next one still counts
          }
        };
        sock.onclose = () => {
          if (ws === sock) ws = null;
          retry();
        };
      }

      void open();
      return {
        send(msg) {
          if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
        },
        close() {
          closed = true;
          if (timer) clearTimeout(timer);
          ws?.close();
          ws = null;
          h.status('closed');
        },
      };
    },
  };
}
