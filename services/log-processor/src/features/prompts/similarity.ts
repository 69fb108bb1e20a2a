/**
 * Near-duplicate measure of prompt templates: Jaccard similarity of their sets of token 3-shingles, estimated
 * with a 128-slot MinHash signature (expected error of the estimate ±0.044 at one standard deviation).
 * A token is an ASCII/Latin word, a placeholder such as {{date}}, or one CJK character (Chinese has no
 * spaces, so its shingles are character 3-grams). Punctuation and case are ignored. The threshold that
 * makes two templates one family is tuned on labelled-set.jsonl (see README.md here).
 */

export const SHINGLE_TOKENS = 3;
export const SIGNATURE_SLOTS = 128;
/** Jaccard (estimated) at or above which a new version joins an existing family; tuned on the labelled set */
export const FAMILY_THRESHOLD = 0.4;

const TOKEN = /\{\{[a-z]+\}\}|[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]|[\p{L}\p{N}_']+/gu;

export function tokens(text: string): string[] {
  return text.toLowerCase().match(TOKEN) ?? [];
}

export function shingles(text: string, k = SHINGLE_TOKENS): Set<string> {
  const t = tokens(text);
  const out = new Set<string>();
  if (t.length === 0) return out;
  if (t.length <= k) {
    out.add(t.join(' '));
    return out;
  }
  for (let i = 0; i + k <= t.length; i++) out.add(t.slice(i, i + k).join(' '));
  return out;
}

/** FNV-1a, 32 bits */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** murmur3's finaliser: a cheap, well-mixed 32-bit permutation per slot seed */
function mix(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

const SEEDS = Uint32Array.from({ length: SIGNATURE_SLOTS }, (_, i) => mix(0x9e3779b9 + i * 0x632be5ab));

/** MinHash signature of a text's shingles; an empty text has an all-max signature (similar only to itself). */
export function signature(text: string): Uint32Array {
  const sig = new Uint32Array(SIGNATURE_SLOTS).fill(0xffffffff);
  for (const s of shingles(text)) {
    const h = hashString(s);
    for (let i = 0; i < SIGNATURE_SLOTS; i++) {
      const v = mix(h ^ SEEDS[i]!);
      if (v < sig[i]!) sig[i] = v;
    }
  }
  return sig;
}

/** estimated Jaccard similarity: the share of slots where both signatures hold the same minimum */
export function similarity(a: Uint32Array, b: Uint32Array): number {
  let same = 0;
  for (let i = 0; i < SIGNATURE_SLOTS; i++) if (a[i] === b[i]) same++;
  return same / SIGNATURE_SLOTS;
}
