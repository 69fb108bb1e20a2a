import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normalisePrompt } from './normalise.ts';
import { FamilyIndex } from './family-index.ts';
import { FAMILY_THRESHOLD, signature, similarity } from './similarity.ts';

/**
 * The detector against labelled-set.jsonl: items with the same `family` and `version` are one template
 * filled with different values (must normalise to one text); items with the same `family` are versions of
 * one prompt (should be one family); different `family` labels are unrelated prompts (must not be).
 */
interface Item {
  family: string;
  version: string;
  lang: 'en' | 'zh';
  text: string;
}
const items: Item[] = readFileSync(new URL('./labelled-set.jsonl', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as Item);
const texts = items.map((i) => normalisePrompt(i.text));
const sigs = texts.map(signature);

function pairScores(sameFamily: (i: number, j: number) => boolean): { precision: number; recall: number; tp: number; fp: number; fn: number } {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      const truth = items[i]!.family === items[j]!.family;
      const said = sameFamily(i, j);
      if (said && truth) tp++;
      else if (said) fp++;
      else if (truth) fn++;
    }
  }
  return { precision: tp / (tp + fp || 1), recall: tp / (tp + fn || 1), tp, fp, fn };
}

const fmt = (s: { precision: number; recall: number; tp: number; fp: number; fn: number }) =>
  `precision ${s.precision.toFixed(3)}, recall ${s.recall.toFixed(3)} (pairs: ${s.tp} right, ${s.fp} wrongly joined, ${s.fn} missed)`;

describe('prompt detector on the labelled set', () => {
  it('has a realistic size in English and Chinese', () => {
    expect(items.length).toBeGreaterThanOrEqual(60);
    expect(items.filter((i) => i.lang === 'zh').length).toBeGreaterThanOrEqual(20);
  });

  it('folds one template filled with different values into one version', () => {
    const byVersion = new Map<string, Set<string>>();
    items.forEach((it, i) => {
      const k = `${it.family}/${it.version}`;
      byVersion.set(k, (byVersion.get(k) ?? new Set()).add(texts[i]!));
    });
    const split = [...byVersion].filter(([, s]) => s.size > 1).map(([k]) => k);
    expect(split).toEqual([]);
    // and different versions stay different versions
    const versions = new Set(items.map((it) => `${it.family}/${it.version}`));
    expect(new Set(texts).size).toBe(versions.size);
  });

  it('pairs: the similarity threshold separates versions of one prompt from unrelated prompts', () => {
    const sweep = [0.2, 0.3, 0.4, 0.5, 0.6, 0.7].map((t) => `  threshold ${t.toFixed(1)}: ${fmt(pairScores((i, j) => similarity(sigs[i]!, sigs[j]!) >= t))}`);
    const chosen = pairScores((i, j) => similarity(sigs[i]!, sigs[j]!) >= FAMILY_THRESHOLD);
    console.log(`labelled set, ${items.length} items, MinHash similarity of token 3-shingles:\n${sweep.join('\n')}\n  chosen ${FAMILY_THRESHOLD}: ${fmt(chosen)}`);
    expect(chosen.precision).toBeGreaterThanOrEqual(0.95);
    expect(chosen.recall).toBeGreaterThanOrEqual(0.8);
  });

  it('end to end: items fed in order to the family index form the labelled families', () => {
    // what the detector does: a new text joins the most similar family above the threshold, or starts one
    const index = new FamilyIndex();
    const familyOf: string[] = [];
    items.forEach((_, i) => {
      const found = index.best(sigs[i]!)?.familyId;
      const id = found ?? `family-${i}`;
      index.add(id, i, sigs[i]);
      familyOf.push(id);
    });
    const s = pairScores((i, j) => familyOf[i] === familyOf[j]);
    console.log(`labelled set, detector clustering: ${new Set(familyOf).size} families for ${new Set(items.map((i) => i.family)).size} labelled; ${fmt(s)}`);
    expect(s.precision).toBeGreaterThanOrEqual(0.95);
    expect(s.recall).toBeGreaterThanOrEqual(0.8);
  });
});
