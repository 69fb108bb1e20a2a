import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import { RelayError } from '@llm-relay/contracts';

/**
 * Route schemas are zod schemas: they validate input (coercing query strings), strip unknown fields from
 * responses (a key's hash or a log's searchText cannot leak by accident), and become the OpenAPI document.
 */
function isZod(s: unknown): s is z.ZodType {
  return typeof s === 'object' && s !== null && '_zod' in s;
}

export function installZod(app: FastifyInstance): void {
  app.setValidatorCompiler(({ schema, httpPart }) => {
    if (!isZod(schema)) throw new Error(`route schema for ${httpPart} is not a zod schema`);
    return (data: unknown) => {
      const r = schema.safeParse(data);
      if (r.success) return { value: r.data };
      const issue = r.error.issues[0]!;
      const param = issue.path.map(String).join('.') || null;
      const where = httpPart === 'querystring' ? 'query' : httpPart;
      return { error: new RelayError('invalid_request', `${param ? `${param}: ` : ''}${issue.message} (in ${where})`, { param }) };
    };
  });
  app.setSerializerCompiler(({ schema, url, method }) => {
    if (!isZod(schema)) return (data) => JSON.stringify(data);
    return (data) => {
      const r = schema.safeParse(data);
      if (!r.success) throw new Error(`response of ${method} ${url} does not match its schema: ${r.error.message}`);
      return JSON.stringify(r.data);
    };
  });
}

/** @fastify/swagger transform: zod → JSON Schema, inputs as clients send them, outputs as they receive them. */
export function zodToOpenApi({ schema, url }: { schema: Record<string, unknown>; url: string }): { schema: Record<string, unknown>; url: string } {
  if (!schema) return { schema, url };
  const out: Record<string, unknown> = {};
  for (const [part, value] of Object.entries(schema)) {
    if (part === 'response' && value && typeof value === 'object') {
      const res: Record<string, unknown> = {};
      for (const [status, s] of Object.entries(value)) res[status] = isZod(s) ? toJson(s, 'output') : s;
      out.response = res;
    } else out[part] = isZod(value) ? toJson(value, 'input') : value;
  }
  return { schema: out, url };
}

function toJson(s: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const json = z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'openapi-3.0' }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}
