/**
 * Word-level diff of two prompt templates, for the side-by-side view of two prompt versions.
 * Tokens are words, runs of whitespace and placeholders (`{{date}}`, `{{number}}` … as the processor
 * writes them): a placeholder is one token, so `{{date}}` never diffs against half of itself.
 * Longest common subsequence over tokens; prompts are at most a few thousand words, and past
 * MAX_CELLS the diff falls back to "all removed, all added" rather than freeze the page.
 */
export type DiffOp = 'same' | 'add' | 'del';
export interface DiffPart {
  op: DiffOp;
  text: string;
  /** true when the part is one placeholder token */
  placeholder: boolean;
}

const TOKEN = /\{\{[a-z_]+\}\}|\s+|[^\s{]+|\{/gi;
const PLACEHOLDER = /^\{\{[a-z_]+\}\}$/i;
const MAX_CELLS = 4_000_000;

export function tokenize(text: string): string[] {
  return text.match(TOKEN) ?? [];
}

export function isPlaceholder(token: string): boolean {
  return PLACEHOLDER.test(token);
}

export function wordDiff(before: string, after: string): DiffPart[] {
  const a = tokenize(before);
  const b = tokenize(after);
  const parts: DiffPart[] = [];
  const push = (op: DiffOp, text: string) => {
    const placeholder = isPlaceholder(text);
    const last = parts[parts.length - 1];
    // merge neighbours of one kind so the view gets runs, not a span per word; placeholders stay apart
    if (last && last.op === op && !placeholder && !last.placeholder) last.text += text;
    else parts.push({ op, text, placeholder });
  };
  if (a.length * b.length > MAX_CELLS) {
    for (const x of a) push('del', x);
    for (const y of b) push('add', y);
    return parts;
  }
  // lcs[i][j] = length of the LCS of a[i..] and b[j..], rows kept as typed arrays
  const rows = a.length + 1;
  const cols = b.length + 1;
  const lcs = new Uint32Array(rows * cols);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i * cols + j] = a[i] === b[j] ? lcs[(i + 1) * cols + j + 1]! + 1 : Math.max(lcs[(i + 1) * cols + j]!, lcs[i * cols + j + 1]!);
    }
  }
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      push('same', a[i]!);
      i++;
      j++;
    } else if (lcs[(i + 1) * cols + j]! >= lcs[i * cols + j + 1]!) push('del', a[i++]!);
    else push('add', b[j++]!);
  }
  while (i < a.length) push('del', a[i++]!);
  while (j < b.length) push('add', b[j++]!);
  return parts;
}

/** The two sides of a side-by-side view: the left shows same + removed, the right same + added. */
export function sides(parts: DiffPart[]): { left: DiffPart[]; right: DiffPart[] } {
  return { left: parts.filter((p) => p.op !== 'add'), right: parts.filter((p) => p.op !== 'del') };
}
