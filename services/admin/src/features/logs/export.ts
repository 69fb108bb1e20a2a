import { Readable } from 'node:stream';
import type { LogFilter, LogListItem, StoredLog } from '@llm-relay/contracts';
import type { Store } from '@llm-relay/store';

export type ExportFormat = 'jsonl' | 'csv';

const CSV_COLUMNS: [string, (l: LogListItem) => unknown][] = [
  ['id', (l) => l.id],
  ['createdAt', (l) => new Date(l.createdAt).toISOString()],
  ['route', (l) => l.route],
  ['method', (l) => l.method],
  ['path', (l) => l.path],
  ['model', (l) => l.model],
  ['upstreamModel', (l) => l.upstreamModel],
  ['provider', (l) => l.provider],
  ['keyId', (l) => l.key?.id],
  ['keyName', (l) => l.key?.name],
  ['keyPrefix', (l) => l.key?.prefix],
  ['projectId', (l) => l.key?.projectId],
  ['status', (l) => l.status],
  ['outcome', (l) => l.outcome],
  ['stream', (l) => l.stream],
  ['incomplete', (l) => l.incomplete],
  ['error', (l) => l.error],
  ['promptTokens', (l) => l.usage.prompt],
  ['completionTokens', (l) => l.usage.completion],
  ['totalTokens', (l) => l.usage.total],
  ['cachedTokens', (l) => l.usage.cached],
  ['reasoningTokens', (l) => l.usage.reasoning],
  ['usageSource', (l) => l.usage.source],
  ['costUsd', (l) => l.cost.usd],
  ['latencyMs', (l) => l.latency.total],
  ['ttftMs', (l) => l.latency.ttft],
  ['upstreamMs', (l) => l.latency.upstream],
  ['requestPreview', (l) => l.requestPreview],
  ['responsePreview', (l) => l.responsePreview],
  ['clientIp', (l) => l.clientIp],
  ['userAgent', (l) => l.userAgent],
  ['gatewayId', (l) => l.gatewayId],
];
const FULL_COLUMNS: [string, (l: StoredLog) => unknown][] = [
  ['requestBody', (l) => JSON.stringify(l.request.body ?? null)],
  ['responseBody', (l) => JSON.stringify(l.response.body ?? null)],
];

/** RFC 4180 quoting, plus a leading ' on text a spreadsheet would run as a formula. */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = typeof v === 'string' ? v : String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csvLine(cells: unknown[]): string {
  return cells.map(csvCell).join(',') + '\r\n';
}

function jsonLine(item: LogListItem | StoredLog): string {
  // searchText is an index field, not part of what a log is
  const { searchText: _s, ...rest } = item as StoredLog;
  return JSON.stringify(rest) + '\n';
}

/**
 * The export as a pull stream: rows are produced only as fast as the client reads (Readable.from stops
 * pulling the store iterator while the socket is full), in ~64 KiB chunks, so memory stays flat for any size.
 */
export function exportStream(store: Store, filter: LogFilter, opts: { format: ExportFormat; full: boolean }): Readable {
  async function* rows(): AsyncGenerator<string> {
    let chunk = '';
    if (opts.format === 'csv') chunk = csvLine([...CSV_COLUMNS.map((c) => c[0]), ...(opts.full ? FULL_COLUMNS.map((c) => c[0]) : [])]);
    for await (const item of store.iterateLogs(filter, { full: opts.full, batchSize: 500 })) {
      chunk +=
        opts.format === 'csv'
          ? csvLine([...CSV_COLUMNS.map(([, f]) => f(item)), ...(opts.full ? FULL_COLUMNS.map(([, f]) => f(item as StoredLog)) : [])])
          : jsonLine(item);
      if (chunk.length >= 64 * 1024) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk) yield chunk;
  }
  return Readable.from(rows(), { objectMode: false, highWaterMark: 64 * 1024 });
}
