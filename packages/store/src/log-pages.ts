import type { LogFilter, LogListItem, StoredLog } from '@llm-relay/contracts';
import type { Store } from './port.ts';
import { DEFAULT_BATCH } from './shared.ts';

/** How an adapter reads its logs: one keyset page, or every match in batches, as its own rows. */
export interface LogPager<R> {
  page(filter: LogFilter, limit: number, cursor: string | null | undefined, full: boolean): R[] | Promise<R[]>;
  batches(filter: LogFilter, size: number, full: boolean): AsyncGenerator<R[]>;
  toListItem(row: R): LogListItem;
  toLog(row: R): StoredLog;
}

/** listLogs and iterateLogs over an adapter's pager: the paging contract is the same for every store. */
export function pagedLogs<R>(p: LogPager<R>): Pick<Store, 'listLogs' | 'iterateLogs'> {
  return {
    async listLogs(filter, opts) {
      const limit = Math.max(1, Math.min(opts.limit, 1000));
      // one extra row tells whether an older page exists without a second query
      const rows = await p.page(filter, limit + 1, opts.cursor, false);
      const items = rows.slice(0, limit).map(p.toListItem);
      return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.id : null };
    },

    iterateLogs(filter, opts) {
      const size = opts?.batchSize ?? DEFAULT_BATCH;
      const full = opts?.full ?? false;
      return {
        async *[Symbol.asyncIterator]() {
          for await (const rows of p.batches(filter, size, full)) for (const r of rows) yield full ? p.toLog(r) : p.toListItem(r);
        },
      } as AsyncIterable<LogListItem | StoredLog>;
    },
  };
}
