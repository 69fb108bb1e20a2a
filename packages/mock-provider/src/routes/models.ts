import { sendJson } from '../respond.ts';
import type { Ctx } from '../types.ts';

const CREATED = 1_700_000_000;
export const MODEL_IDS = ['mock-model', 'gpt-4o-mini', 'gpt-4o', 'gpt-4.1-mini', 'o3-mini', 'text-embedding-3-small', 'text-embedding-3-large', 'gpt-3.5-turbo-instruct', 'qwen-plus', 'claude-3-5-haiku-latest'];

const model = (id: string) => ({ id, object: 'model', created: CREATED, owned_by: 'llm-relay-mock' });

export function listModels(ctx: Ctx): void {
  sendJson(ctx, 200, { object: 'list', data: MODEL_IDS.map(model) });
}

export function getModel(ctx: Ctx): void {
  sendJson(ctx, 200, model(ctx.params[0]!));
}
