import { contentText, type Route } from '@llm-relay/contracts';
import { isObj } from '../reassembly/index.ts';

/**
 * The instructions of an exchange — what the app sends as its prompt, as opposed to the conversation:
 * chat's system and developer messages, the Responses API's `instructions` (and system/developer items of
 * its `input`), Anthropic's `system`. Empty when there are none.
 */
export function instructionsOf(route: Route, body: unknown): string {
  if (!isObj(body)) return '';
  const parts: string[] = [];
  const fromItems = (items: unknown) => {
    if (!Array.isArray(items)) return;
    for (const m of items) if (isObj(m) && (m.role === 'system' || m.role === 'developer')) parts.push(contentText(m.content));
  };
  switch (route) {
    case 'chat.completions':
      fromItems(body.messages);
      break;
    case 'responses':
      parts.push(contentText(body.instructions));
      fromItems(body.input);
      break;
    case 'messages':
      parts.push(contentText(body.system));
      break;
    default:
      break;
  }
  return parts.filter((p) => p.trim() !== '').join('\n\n');
}

/**
 * Per-request values become placeholders, so one template filled with different values normalises to one
 * text. Order matters: a URL or an email contains numbers and id-like parts, a date-time contains a date
 * and a time, so the wider patterns run first.
 */
const RULES: [RegExp, string][] = [
  [/\b(?:https?|ftp|wss?):\/\/[^\s<>"'）)\]，。]+/gi, '{{url}}'],
  [/\bwww\.[a-z0-9-]+(?:\.[a-z0-9-]+)+[^\s<>"'）)\]，。]*/gi, '{{url}}'],
  [/[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/gi, '{{email}}'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '{{uuid}}'],
  // ISO 8601 date-times (2026-12-03T08:10:46.123Z) read as a date and a time, like 2026-12-03 08:10
  [/\b\d{4}-\d{1,2}-\d{1,2}[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?\b/gi, '{{date}} {{time}}'],
  // 2026-12-03, 2026/12/03, 2026.12.03, 03/12/2026, 12-3-26
  [/\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b|\b\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\b/g, '{{date}}'],
  // 2026年12月3日, 12月3日, 2026年12月
  [/\d{2,4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号])?|\d{1,2}\s*月\s*\d{1,2}\s*[日号]/g, '{{date}}'],
  // December 3, 2026; Dec 3rd 2026; 3 December 2026; Wednesday, December 3
  [
    /\b(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?(?:\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?(?:,?\s+\d{4})?|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?)\b/gi,
    '{{date}}',
  ],
  [/\b\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s?[ap]\.?m\.?)?(?:\s?(?:utc|gmt|[a-z]{3}))?\b/gi, '{{time}}'],
  [/\b\d{1,2}\s?[ap]\.?m\.?(?=\s|$|[.,;)])/gi, '{{time}}'],
  [/\d{1,2}\s*[点時时]\s*\d{1,2}\s*分(?:\s*\d{1,2}\s*秒)?/g, '{{time}}'],
  // ids: a run of letters, digits, '_' or '-' with at least two digits and a letter (ord_8f3k2j, A1B2C3D4,
  // cus_NffrF3eUfNV2Hib), or 8+ hex digits; "gpt-4o", "GPT-4", "v2" stay words
  [/(?<![\w-])(?=[\w-]*\d[\w-]*\d)(?=[\w-]*[a-z])[a-z0-9][\w-]{5,}(?![\w-])/gi, '{{id}}'],
  [/(?<![\w-])[0-9a-f]{8,}(?![\w-])/gi, '{{id}}'],
  // numbers (separators, decimals, percent) after everything else that contains digits; ASCII boundaries
  // only, so a number between Chinese characters (共3个) is still one
  [/(?<![\w.])\d+(?:[.,]\d+)*%?(?![a-z_\d])/gi, '{{number}}'],
];

/** The template of an instructions text: per-request values as placeholders, whitespace collapsed. */
export function normalisePrompt(text: string): string {
  let out = text;
  for (const [re, placeholder] of RULES) out = out.replace(re, placeholder);
  return out.replace(/\s+/g, ' ').trim();
}
