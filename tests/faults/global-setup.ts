import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { readTable } from './table.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    faultTable: string;
  }
}

/** One table file per run: scenarios (in their own workers) append rows, the teardown prints them together. */
export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'fault-table-'));
  const file = join(dir, 'rows.ndjson');
  project.provide('faultTable', file);
  return () => {
    const table = readTable(file);
    if (table) process.stdout.write(`\nFault suite (sent / answered / stored / lost / duplicated per scenario):\n\n${table}\n\n`);
    rmSync(dir, { recursive: true, force: true });
  };
}
