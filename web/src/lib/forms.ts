import { ApiError, errorMessage } from './api.ts';

/**
 * Where to show an API error in a form: under the field the server named in `param`
 * (`limits.rpm`, `httpTimeoutSeconds`), or as a form-level message.
 */
export function placeError(err: unknown, fields: readonly string[]): { field: string | null; message: string } {
  if (err instanceof ApiError && err.param) {
    const p = err.param.replace(/^body\./, '');
    const field = fields.find((f) => p === f || p.startsWith(`${f}.`) || p.startsWith(`${f}[`)) ?? null;
    return { field, message: err.message };
  }
  return { field: null, message: errorMessage(err) };
}

/** `a, b ,, c` → ['a','b','c'] */
export function splitList(s: string): string[] {
  return s
    .split(/[,\n]/)
    .map((x) => x.trim())
    .filter(Boolean);
}

export function optionalInt(s: string | number | null | undefined): number | undefined {
  if (s === null || s === undefined || s === '') return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}
