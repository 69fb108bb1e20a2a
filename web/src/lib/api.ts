/**
 * The one way the UI talks to the admin API: same-origin fetch with the session cookie,
 * errors turned into ApiError carrying the server's `{error:{message,param,code}}`.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string | null;
  readonly param: string | null;
  constructor(status: number, message: string, code: string | null = null, param: string | null = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.param = param;
  }
}

let unauthorizedHandler: (() => void) | null = null;

/** Called on any 401 (except the login call itself): the app sends the user to the login page. */
export function onUnauthorized(fn: () => void): void {
  unauthorizedHandler = fn;
}

export const API_BASE = '/admin';

export async function readError(res: Response): Promise<ApiError> {
  let message = `${res.status} ${res.statusText}`.trim();
  let code: string | null = null;
  let param: string | null = null;
  try {
    const body = (await res.json()) as { error?: { message?: string; code?: string | null; param?: string | null } };
    if (body?.error?.message) message = body.error.message;
    code = body?.error?.code ?? null;
    param = body?.error?.param ?? null;
  } catch {
    // not JSON (a proxy's HTML error page): keep the status line
  }
  return new ApiError(res.status, message, code, param);
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined | null>;
  signal?: AbortSignal;
  /** the login call: a 401 there means bad credentials, not an expired session */
  skipAuthRedirect?: boolean;
}

export function buildUrl(path: string, query?: RequestOptions['query']): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  const s = qs.toString();
  return `${API_BASE}${path}${s ? `?${s}` : ''}`;
}

export async function request<T>(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(buildUrl(path, opts.query), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      signal: opts.signal,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, `network error: ${(err as Error).message}`);
  }
  if (res.status === 401 && !opts.skipAuthRedirect) unauthorizedHandler?.();
  if (!res.ok) throw await readError(res);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const api = {
  get: <T>(path: string, opts?: RequestOptions) => request<T>('GET', path, undefined, opts),
  post: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('POST', path, body ?? {}, opts),
  put: <T>(path: string, body: unknown, opts?: RequestOptions) => request<T>('PUT', path, body, opts),
  patch: <T>(path: string, body: unknown, opts?: RequestOptions) => request<T>('PATCH', path, body, opts),
  del: <T>(path: string, opts?: RequestOptions) => request<T>('DELETE', path, undefined, opts),
};

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
