import { remember } from '../remember.ts';
import { sendJson } from '../respond.ts';
import { contentText, shortHash } from '../text.ts';
import type { Ctx, StoredObject } from '../types.ts';
import { chatUsage } from './chat.ts';

/** A completion created with `store: true`, or a plausible one for an id this mock never issued. */
function found(ctx: Ctx): StoredObject {
  const id = ctx.params[0]!;
  return ctx.state.chat.get(id) ?? {
    id, object: 'chat.completion', created: 1_700_000_000, model: 'gpt-4o-mini', service_tier: 'default', system_fingerprint: 'fp_mock',
    choices: [{ index: 0, message: { role: 'assistant', content: `Stored completion ${id}`, refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
    usage: chatUsage(3, 5), metadata: {}, request_messages: [{ role: 'user', content: 'Hello' }],
  };
}

function publicView(c: StoredObject): Record<string, unknown> {
  const { request_messages: _ignored, ...rest } = c;
  return rest;
}

/** GET /v1/chat/completions: stored completions, filtered by model and metadata[key]=value. */
export function listStoredChat(ctx: Ctx): void {
  const q = new URLSearchParams(ctx.query);
  const model = q.get('model');
  const meta: [string, string][] = [];
  for (const [k, v] of q) {
    const m = /^metadata\[(.+)\]$/.exec(k);
    if (m) meta.push([m[1]!, v]);
  }
  let data = [...ctx.state.chat.values()].filter((c) => (!model || c.model === model) && meta.every(([k, v]) => (c.metadata as Record<string, string> | undefined)?.[k] === v));
  if (q.get('order') !== 'asc') data = data.reverse();
  const limit = Math.max(1, Number(q.get('limit')) || 20);
  const page = data.slice(0, limit).map(publicView);
  sendJson(ctx, 200, { object: 'list', data: page, first_id: page[0]?.id ?? null, last_id: page.at(-1)?.id ?? null, has_more: data.length > limit });
}

export function getStoredChat(ctx: Ctx): void {
  sendJson(ctx, 200, publicView(found(ctx)));
}

export function updateStoredChat(ctx: Ctx): void {
  const c = { ...found(ctx), metadata: ctx.json?.metadata ?? {} };
  remember(ctx.state.chat, c.id, c);
  sendJson(ctx, 200, publicView(c));
}

export function deleteStoredChat(ctx: Ctx): void {
  const id = ctx.params[0]!;
  ctx.state.chat.delete(id);
  sendJson(ctx, 200, { object: 'chat.completion.deleted', id, deleted: true });
}

export function storedChatMessages(ctx: Ctx): void {
  const c = found(ctx);
  const msgs = Array.isArray(c.request_messages) ? (c.request_messages as { role?: string; content?: unknown; name?: string }[]) : [];
  const data = msgs.map((m, i) => ({ id: `${c.id}-${i}`, role: m.role ?? 'user', content: contentText(m.content), name: m.name ?? null, content_parts: null }));
  sendJson(ctx, 200, { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: false, hash: shortHash(JSON.stringify(data), 8) });
}
