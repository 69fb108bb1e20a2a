import { readFileSync } from 'node:fs';
import { REDACTION_TYPES, type RedactionType } from '@llm-relay/contracts';
import type { Redactor } from '../../../src/features/redaction/index.ts';
import type { CorpusLine } from './build.ts';

export interface Score {
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
}

export interface Evaluation {
  byType: Record<RedactionType, Score>;
  overall: Score;
  /** Each disagreement, for the failure message. */
  errors: { kind: 'fp' | 'fn'; type: RedactionType; value: string; text: string }[];
}

export function loadCorpus(): CorpusLine[] {
  const raw = readFileSync(new URL('../corpus.jsonl', import.meta.url), 'utf8');
  return raw
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as CorpusLine);
}

function score(tp: number, fp: number, fn: number): Score {
  return { tp, fp, fn, precision: tp + fp === 0 ? 1 : tp / (tp + fp), recall: tp + fn === 0 ? 1 : tp / (tp + fn) };
}

/** A finding counts only if its type and its exact text match a labelled entity of the line. */
export function evaluate(redactor: Redactor, lines: readonly CorpusLine[]): Evaluation {
  const counts = Object.fromEntries(REDACTION_TYPES.map((t) => [t, { tp: 0, fp: 0, fn: 0 }])) as Record<
    RedactionType,
    { tp: number; fp: number; fn: number }
  >;
  const errors: Evaluation['errors'] = [];
  for (const line of lines) {
    const expected = line.entities.map((e) => `${e.type}\u0000${e.value}`);
    for (const span of redactor.detect(line.text)) {
      const value = line.text.slice(span.start, span.end);
      const at = expected.indexOf(`${span.type}\u0000${value}`);
      if (at >= 0) {
        expected.splice(at, 1);
        counts[span.type].tp++;
      } else {
        counts[span.type].fp++;
        errors.push({ kind: 'fp', type: span.type, value, text: line.text });
      }
    }
    for (const left of expected) {
      const [type, value] = left.split('\u0000') as [RedactionType, string];
      counts[type].fn++;
      errors.push({ kind: 'fn', type, value, text: line.text });
    }
  }
  const byType = Object.fromEntries(
    REDACTION_TYPES.map((t) => [t, score(counts[t].tp, counts[t].fp, counts[t].fn)]),
  ) as Record<RedactionType, Score>;
  const sum = (k: 'tp' | 'fp' | 'fn') => REDACTION_TYPES.reduce((n, t) => n + counts[t][k], 0);
  return { byType, overall: score(sum('tp'), sum('fp'), sum('fn')), errors };
}

export function formatTable(e: Evaluation): string {
  const row = (name: string, s: Score) =>
    `| ${name.padEnd(7)} | ${String(s.tp).padStart(4)} | ${String(s.fp).padStart(3)} | ${String(s.fn).padStart(3)} | ${s.precision.toFixed(3)} | ${s.recall.toFixed(3)} |`;
  return [
    '| type    |   TP |  FP |  FN | precision | recall |',
    '|---------|-----:|----:|----:|----------:|-------:|',
    ...REDACTION_TYPES.map((t) => row(t, e.byType[t])),
    row('overall', e.overall),
  ].join('\n');
}
