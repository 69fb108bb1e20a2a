import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import { LiveClientMessageSchema, LiveFilterSchema, RelayError, foldLogFilterQuery } from '@llm-relay/contracts';
import { STREAM_ID } from '../features/live/filter.ts';
import { createLiveClient } from '../features/live/live-client.ts';
import { isAllowedOrigin, requestHosts } from '../plugins/security.ts';

/** The filter may also come as query parameters, where a boolean is the text `true` or `false`. */
const LiveQuery = LiveFilterSchema.extend({
  errorsOnly: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]).optional(),
  ticket: z.string().max(200).optional(),
  lastId: z.string().regex(STREAM_ID, 'a Redis stream id such as 1700000000000-0').optional(),
});

/** Bytes queued for one client before its messages are dropped (it then gets a `lagged` notice). */
export const LIVE_HIGH_WATER_BYTES = 1024 * 1024;
/** How often an open socket's session is checked again (logout, password or role change, deleted user). */
const LIVE_SESSION_RECHECK_MS = 2_000;

export async function liveRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: z.infer<typeof LiveQuery> }>(
    '/admin/live',
    {
      websocket: true,
      config: { role: 'viewer', allowTicket: true },
      schema: {
        tags: ['live'],
        description:
          'WebSocket of live logs. Authenticate with the session cookie or `?ticket=` from POST /admin/ws-ticket. ' +
          'The server sends LiveServerMessage JSON (hello, log, lagged, error); the client may send {type:"filter",filter}, {type:"pause"}, {type:"resume"}. ' +
          'Filters may also be given as query parameters (attribution: `user`, `session`, `tag`, `prompt`, `promptVersion`, `property.<name>=<value>`); `lastId` resumes after that stream id.',
        querystring: LiveQuery,
      },
      // runs after authentication (onRequest) and before the upgrade: a foreign page is refused with a 403, not a socket
      preValidation: async (req) => {
        const origin = req.headers.origin;
        if (origin && !isAllowedOrigin(origin, requestHosts(req), app.env.CORS_ORIGINS)) {
          throw new RelayError('origin_not_allowed', `Origin ${origin} may not open the live stream.`);
        }
        // `property.<name>=<value>` parameters become the filter's `properties`
        req.query = foldLogFilterQuery(req.query as Record<string, unknown>) as typeof req.query;
      },
    },
    async (socket, req) => {
      const { ticket: _t, lastId, ...filter } = req.query;
      const client = createLiveClient(socket, filter, {
        highWaterBytes: LIVE_HIGH_WATER_BYTES,
        maxPending: 5000,
        onSkipped: (n) => app.metrics.liveSkipped.inc(n),
      });
      app.metrics.liveClients.inc();
      // a socket outlives no session: it closes when the token it was opened with expires
      const exp = req.user?.session?.exp;
      const expiry = exp ? setTimeout(() => socket.close(4401, 'session expired'), Math.max(0, exp * 1000 - Date.now())) : null;
      expiry?.unref();
      // … nor a logout, a password or role change or the user's deletion, on this admin replica or another
      const user = req.user;
      const recheck = user
        ? setInterval(() => {
            app
              .stillAuthenticated(user)
              .then((ok) => {
                if (!ok) socket.close(4401, 'session ended');
              })
              .catch((err: unknown) => req.log.warn({ err }, 'live session check failed; the socket stays open until the next check'));
          }, LIVE_SESSION_RECHECK_MS)
        : null;
      recheck?.unref();
      socket.on('message', (data, isBinary) => {
        let parsed;
        try {
          parsed = isBinary ? null : LiveClientMessageSchema.safeParse(JSON.parse(String(data)));
        } catch {
          parsed = null;
        }
        if (!parsed?.success) return client.send({ type: 'error', message: 'expected {type:"filter",filter:{...}}, {type:"pause"} or {type:"resume"}' });
        const msg = parsed.data;
        if (msg.type === 'filter') client.setFilter(msg.filter);
        else if (msg.type === 'pause') client.pause();
        else client.resume();
      });
      socket.on('close', () => {
        if (expiry) clearTimeout(expiry);
        if (recheck) clearInterval(recheck);
        app.liveHub.remove(client);
        app.metrics.liveClients.dec();
      });
      try {
        await app.liveHub.add(client, lastId ?? null, (resumeFrom) => client.send({ type: 'hello', lastId: resumeFrom }));
        // the socket may have closed while catching up, before the close handler could remove it
        if (socket.readyState !== socket.OPEN) app.liveHub.remove(client);
      } catch (err) {
        req.log.error({ err }, 'live subscription failed');
        client.send({ type: 'error', message: 'the live stream is unavailable (Redis); reconnect shortly' });
        socket.close(1011, 'live stream unavailable');
      }
    },
  );
}
