import { field, parseMultipart } from '../multipart.ts';
import { remember } from '../remember.ts';
import { sendBytes, sendError, sendJson } from '../respond.ts';
import { shortHash } from '../text.ts';
import type { Ctx } from '../types.ts';

/** The bytes of a file this mock never saw: deterministic from its id, so a download is checkable. */
export function synthesizedBytes(seed: string, size: number): Buffer {
  const out = Buffer.alloc(size);
  let x = Number.parseInt(shortHash(seed, 8), 16) || 1;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

function fileMeta(ctx: Ctx, id: string) {
  return ctx.state.files.get(id)?.meta ?? { id, object: 'file', bytes: 1024, created_at: 1_700_000_000, filename: `${id}.jsonl`, purpose: 'batch', status: 'processed', expires_at: null, status_details: null };
}

export function uploadFile(ctx: Ctx): void {
  const parts = parseMultipart(ctx.body, ctx.req.headers['content-type']);
  const file = parts.find((p) => p.filename !== undefined);
  const purpose = field(parts, 'purpose');
  if (!file) return sendError(ctx, 400, "Missing required parameter: 'file'.", 'missing_required_parameter', 'file');
  if (!purpose) return sendError(ctx, 400, "Missing required parameter: 'purpose'.", 'missing_required_parameter', 'purpose');
  const id = `file-${shortHash(Buffer.concat([Buffer.from(`${file.filename}:${purpose}:`), file.data]), 22)}`;
  const meta = { id, object: 'file', bytes: file.data.length, created_at: Math.floor(Date.now() / 1000), filename: file.filename, purpose, status: 'processed', expires_at: null, status_details: null };
  remember(ctx.state.files, id, { meta, content: Buffer.from(file.data) }, 200);
  sendJson(ctx, 200, meta);
}

export function listFiles(ctx: Ctx): void {
  const purpose = new URLSearchParams(ctx.query).get('purpose');
  const data = [...ctx.state.files.values()].map((f) => f.meta).filter((m) => !purpose || m.purpose === purpose);
  sendJson(ctx, 200, { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: false });
}

export function getFile(ctx: Ctx): void {
  sendJson(ctx, 200, fileMeta(ctx, ctx.params[0]!));
}

export function deleteFile(ctx: Ctx): void {
  const id = ctx.params[0]!;
  ctx.state.files.delete(id);
  sendJson(ctx, 200, { id, object: 'file', deleted: true });
}

export function fileContent(ctx: Ctx): void {
  const id = ctx.params[0]!;
  const content = ctx.state.files.get(id)?.content ?? synthesizedBytes(id, 1024);
  sendBytes(ctx, 200, content, 'application/octet-stream', { 'content-disposition': `attachment; filename="${String(fileMeta(ctx, id).filename)}"` });
}
