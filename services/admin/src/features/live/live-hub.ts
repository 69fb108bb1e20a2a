import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { parseLiveEntry, type LiveServerMessage } from '@llm-relay/contracts';
import type { Logger } from '@llm-relay/server-kit';
import type { LiveClient, LiveEntry } from './live-client.ts';

type RawEntry = [id: string, fields: string[]];

/** A stream entry as it is delivered; an entry that is not a valid LiveEntrySchema is skipped. */
export function parseEntry([id, fields]: RawEntry): LiveEntry | null {
  const log = parseLiveEntry(fields);
  if (!log) return null;
  const message: LiveServerMessage = { type: 'log', streamId: id, log };
  return { id, log, message: JSON.stringify(message) };
}

export interface LiveHub {
  /** register a client; with `lastId` it first gets every entry after that id still in the stream */
  add(client: LiveClient, lastId: string | null, onPositioned?: (resumeFrom: string) => void): Promise<void>;
  remove(client: LiveClient): void;
  readonly size: number;
  close(): Promise<void>;
}

const PAGE = 500;

/**
 * One reader per admin process: a dedicated connection blocks on XREAD and fans each entry out to this
 * process's clients, so N browsers cost one Redis reader, not N.
 */
export function createLiveHub(redis: Redis, streamKey: string, log: Logger): LiveHub {
  const clients = new Set<LiveClient>();
  let reader: Redis | null = null;
  let closed = false;
  let loop: Promise<void> | null = null;

  async function tailId(conn: Redis): Promise<string> {
    const last = (await conn.xrevrange(streamKey, '+', '-', 'COUNT', 1)) as RawEntry[];
    return last[0]?.[0] ?? '0-0';
  }

  async function run(conn: Redis, startId: string): Promise<void> {
    let cursor = startId;
    while (!closed) {
      try {
        const res = (await conn.xread('COUNT', PAGE, 'BLOCK', 5000, 'STREAMS', streamKey, cursor)) as [string, RawEntry[]][] | null;
        if (!res) continue;
        for (const raw of res[0]![1]) {
          cursor = raw[0];
          const entry = parseEntry(raw);
          if (entry) for (const c of clients) c.offer(entry);
        }
      } catch (err) {
        if (closed) return;
        log.warn({ err }, 'live stream read failed; retrying');
        await sleep(1000);
      }
    }
  }

  async function ensureReader(): Promise<void> {
    if (reader || closed) return;
    const conn = redis.duplicate({ connectionName: 'llm-relay-admin-live', maxRetriesPerRequest: null });
    conn.on('error', (err) => log.debug({ err }, 'live reader connection error'));
    reader = conn;
    try {
      loop = run(conn, await tailId(conn));
    } catch (err) {
      // leave no half-started reader behind: the next client tries again
      reader = null;
      conn.disconnect();
      throw err;
    }
  }

  return {
    get size() {
      return clients.size;
    },
    async add(client, lastId, onPositioned) {
      await ensureReader();
      const resumeFrom = lastId ?? (await tailId(redis));
      client.startCatchUp(resumeFrom);
      clients.add(client);
      onPositioned?.(resumeFrom);
      try {
        if (lastId) {
          let from = `(${lastId}`;
          for (;;) {
            const page = (await redis.xrange(streamKey, from, '+', 'COUNT', PAGE)) as RawEntry[];
            for (const raw of page) {
              const entry = parseEntry(raw);
              if (entry) client.catchUp(entry);
            }
            if (page.length < PAGE) break;
            from = `(${page[page.length - 1]![0]}`;
          }
        }
      } finally {
        client.endCatchUp();
      }
    },
    remove(client) {
      clients.delete(client);
    },
    async close() {
      closed = true;
      clients.clear();
      // a blocked XREAD does not return on quit; dropping the connection ends the loop at once
      reader?.disconnect();
      await loop?.catch(() => {});
      reader = null;
    },
  };
}
