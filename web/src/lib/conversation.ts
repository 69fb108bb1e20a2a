import { REDACTION_TYPES } from '@llm-relay/contracts';

// the message shapes are read in contracts (one parser for the UI and the log processor)
export { conversation, type ConversationMessage as Message } from '@llm-relay/contracts';

/** The processor replaces what it redacts by `[EMAIL]`, `[CN_ID]`, …: split text so those can be marked. */
const REDACTION_MARK = new RegExp(`\\[(${REDACTION_TYPES.map((t) => t.toUpperCase()).join('|')})\\]`, 'g');
export function redactionSegments(text: string): { text: string; redacted: boolean }[] {
  const out: { text: string; redacted: boolean }[] = [];
  let at = 0;
  for (const m of text.matchAll(REDACTION_MARK)) {
    if (m.index > at) out.push({ text: text.slice(at, m.index), redacted: false });
    out.push({ text: m[0], redacted: true });
    at = m.index + m[0].length;
  }
  if (at < text.length || out.length === 0) out.push({ text: text.slice(at), redacted: false });
  return out;
}
