/** The OpenAI error shape every relay-produced error uses. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export function openAIError(message: string, type: string, code: string | null = null, param: string | null = null): OpenAIErrorBody {
  return { error: { message, type, param, code } };
}

/** An error with a stable code and an HTTP status; one handler per app maps it to the OpenAI shape. */
export class RelayError extends Error {
  readonly status: number;
  readonly code: string;
  readonly type: string;
  readonly param: string | null;
  readonly headers: Record<string, string>;
  constructor(status: number, code: string, message: string, opts: { type?: string; param?: string | null; headers?: Record<string, string> } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.type = opts.type ?? defaultType(status);
    this.param = opts.param ?? null;
    this.headers = opts.headers ?? {};
  }
  toBody(): OpenAIErrorBody {
    return openAIError(this.message, this.type, this.code, this.param);
  }
}

function defaultType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 413) return 'invalid_request_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}
