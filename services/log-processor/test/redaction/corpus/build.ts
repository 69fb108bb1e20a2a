/**
 * Builds the labelled corpus the redaction test measures against. Deterministic (fixed seed), so
 * gen-corpus.ts reproduces the committed corpus.jsonl byte for byte and the test can check that it does.
 */
import { DEVELOPER, HANDWRITTEN, HELD_OUT } from './handwritten.ts';
import { NEGATIVES } from './negatives.ts';
import { MIXED_TEMPLATES, NEGATIVE_TEMPLATES, POSITIVE_TEMPLATES } from './templates.ts';
import { card, cnId, email, iban, ip, phone, pick, type Rand, secret, seeded, ssn } from './values.ts';

export interface CorpusEntity {
  type: string;
  value: string;
}
export interface CorpusLine {
  text: string;
  entities: CorpusEntity[];
}

const POSITIVES: Readonly<Record<string, (r: Rand) => { text: string; value: string }>> = {
  email: (r) => same(email(r)),
  phone: (r) => same(phone(r)),
  card: (r) => same(card(r)),
  iban: (r) => same(iban(r)),
  ip: (r) => same(ip(r)),
  cn_id: (r) => same(cnId(r)),
  ssn: (r) => same(ssn(r)),
  secret,
};

function same(v: string): { text: string; value: string } {
  return { text: v, value: v };
}

function fill(r: Rand, template: string): CorpusLine {
  const entities: CorpusEntity[] = [];
  const text = template.replace(/\{(~?)([a-z_]+)\}/g, (_, neg: string, kind: string) => {
    if (neg) return NEGATIVES[kind]!(r);
    const made = POSITIVES[kind]!(r);
    entities.push({ type: kind, value: made.value });
    return made.text;
  });
  return { text, entities };
}

export function buildCorpus(): CorpusLine[] {
  const r = seeded(20261126);
  const lines: CorpusLine[] = [];
  for (const templates of Object.values(POSITIVE_TEMPLATES)) {
    for (let i = 0; i < 32; i++) lines.push(fill(r, pick(r, templates)));
  }
  for (const t of NEGATIVE_TEMPLATES) for (let i = 0; i < 4; i++) lines.push(fill(r, t));
  for (const t of MIXED_TEMPLATES) for (let i = 0; i < 4; i++) lines.push(fill(r, t));
  lines.push(...HANDWRITTEN, ...HELD_OUT, ...DEVELOPER);
  return lines;
}

export function serializeCorpus(lines: readonly CorpusLine[]): string {
  return lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
}
