/**
 * Writes ../corpus.jsonl from the seeded builder; run once after changing a template or generator:
 *   node services/log-processor/src/features/redaction/corpus/gen-corpus.ts
 */
import { writeFileSync } from 'node:fs';
import { buildCorpus, serializeCorpus } from './build.ts';

const out = new URL('../corpus.jsonl', import.meta.url);
const lines = buildCorpus();
writeFileSync(out, serializeCorpus(lines));
console.log(`wrote ${lines.length} lines to ${out.pathname}`);
