import type { RedactionType } from '@llm-relay/contracts';

/** A stretch of text to replace by the placeholder of its type. */
export interface Span {
  type: RedactionType;
  start: number;
  end: number;
}

export interface Detector {
  type: RedactionType;
  /** Appends the spans found in `text`; each detector does its own cheap pre-check first. */
  find(text: string, out: Span[]): void;
}

/**
 * Runs a global regex over `text`; `accept` sees each candidate and returns the [start, end) to redact
 * (usually the whole match, sometimes a part such as the password of a URL), or null to reject it.
 */
export function scan(
  text: string,
  re: RegExp,
  type: RedactionType,
  out: Span[],
  accept: (m: RegExpExecArray) => readonly [number, number] | null = wholeMatch,
): void {
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const span = accept(m);
    if (span) out.push({ type, start: span[0], end: span[1] });
    if (m[0].length === 0) re.lastIndex++;
  }
}

function wholeMatch(m: RegExpExecArray): readonly [number, number] {
  return [m.index, m.index + m[0].length];
}

export function onlyDigits(s: string): string {
  return s.replace(/\D/g, '');
}
