/**
 * The fault suite's table: every scenario records one row (what was sent, answered, stored, lost and
 * duplicated), each row is printed as it is recorded, and the global teardown prints them all as one
 * Markdown table (the README's reliability section shows the same table).
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';

export interface FaultRow {
  scenario: string;
  /** requests the test sent */
  sent: number;
  /** requests that got an HTTP answer (any status) with an x-request-id */
  answered: number;
  /** answered requests whose log is in the store */
  stored: number;
  /** answered requests with no stored log */
  lost: number;
  /** stored logs beyond one per exchange id */
  duplicated: number;
  /** what else the scenario checked (e.g. "20 stored incomplete") */
  note?: string;
}

export const HEADER = '| scenario | sent | answered | stored | lost | duplicated | note |\n|---|---:|---:|---:|---:|---:|---|';

export function formatRow(r: FaultRow): string {
  return `| ${r.scenario} | ${r.sent} | ${r.answered} | ${r.stored} | ${r.lost} | ${r.duplicated} | ${r.note ?? ''} |`;
}

/** Append a row to the run's table file (one JSON per line) and print it. */
export function recordRow(file: string, row: FaultRow): void {
  appendFileSync(file, JSON.stringify(row) + '\n');
  process.stdout.write(`\n${HEADER}\n${formatRow(row)}\n`);
}

export function readTable(file: string): string | null {
  if (!existsSync(file)) return null;
  const rows = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as FaultRow);
  if (rows.length === 0) return null;
  return [HEADER, ...rows.map(formatRow)].join('\n');
}
