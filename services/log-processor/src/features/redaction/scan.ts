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

/**
 * Like scan, for patterns whose first character is a class that matches almost anywhere (an e-mail's local
 * part, an IPv6 group): V8 would try the pattern at every position. Instead find a rare `seed` with
 * indexOf ('@', '://', ':x:'), walk back over the characters `inRun` allows (at most `maxBack`), and run
 * the sticky `re` once from there. The walk stops where the pattern's own look-behind would, so the
 * result is the same as a full scan.
 */
export function scanAround(
  text: string,
  nextSeed: (text: string, from: number) => number,
  inRun: (code: number) => boolean,
  maxBack: number,
  re: RegExp,
  type: Span['type'],
  out: Span[],
  accept: (m: RegExpExecArray) => readonly [number, number] | null = wholeMatch,
): void {
  for (let p = nextSeed(text, 0); p >= 0; ) {
    let start = p;
    const floor = Math.max(0, p - maxBack);
    while (start > floor && inRun(text.charCodeAt(start - 1))) start--;
    re.lastIndex = start;
    const m = re.exec(text);
    let from = p + 1;
    if (m !== null && m.index + m[0].length > p) {
      const span = accept(m);
      if (span) out.push({ type, start: span[0], end: span[1] });
      from = Math.max(from, m.index + m[0].length);
    }
    p = nextSeed(text, from);
  }
}

export function literalSeed(literal: string): (text: string, from: number) => number {
  return (text, from) => text.indexOf(literal, from);
}

/** Char-code predicates for scanAround. */
export function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
export function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}
