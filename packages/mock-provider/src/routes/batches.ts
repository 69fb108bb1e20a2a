import { remember } from '../remember.ts';
import { sendError, sendJson } from '../respond.ts';
import { shortHash } from '../text.ts';
import type { Ctx, StoredObject } from '../types.ts';

function batch(id: string, j: Record<string, unknown>, createdAt: number): StoredObject {
  return {
    id, object: 'batch', endpoint: j.endpoint ?? '/v1/chat/completions', errors: null, input_file_id: j.input_file_id ?? 'file-mock',
    completion_window: j.completion_window ?? '24h', status: 'validating', output_file_id: null, error_file_id: null, created_at: createdAt,
    in_progress_at: null, expires_at: createdAt + 86_400, finalizing_at: null, completed_at: null, failed_at: null, expired_at: null,
    cancelling_at: null, cancelled_at: null, request_counts: { total: 0, completed: 0, failed: 0 }, metadata: j.metadata ?? null,
  };
}

export function createBatch(ctx: Ctx): void {
  const j = (ctx.json ?? {}) as Record<string, unknown>;
  if (typeof j.input_file_id !== 'string') return sendError(ctx, 400, "Missing required parameter: 'input_file_id'.", 'missing_required_parameter', 'input_file_id');
  const b = batch(`batch_${shortHash(`${ctx.body}:${ctx.state.seq}`, 24)}`, j, Math.floor(Date.now() / 1000));
  remember(ctx.state.batches, b.id, b);
  sendJson(ctx, 200, b);
}

function found(ctx: Ctx): StoredObject {
  const id = ctx.params[0]!;
  return ctx.state.batches.get(id) ?? { ...batch(id, {}, 1_700_000_000), status: 'completed', output_file_id: `file-${shortHash(id, 22)}` };
}

export function getBatch(ctx: Ctx): void {
  sendJson(ctx, 200, found(ctx));
}

export function listBatches(ctx: Ctx): void {
  const data = [...ctx.state.batches.values()].reverse();
  sendJson(ctx, 200, { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: false });
}

export function cancelBatch(ctx: Ctx): void {
  const b = { ...found(ctx), status: 'cancelling', cancelling_at: Math.floor(Date.now() / 1000) };
  remember(ctx.state.batches, b.id, b);
  sendJson(ctx, 200, b);
}
