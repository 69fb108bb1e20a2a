/** The OpenAI error shape every relay-produced error uses. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** The OpenAI error `type`s the relay answers with. */
export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'insufficient_quota'
  | 'timeout_error'
  | 'server_error';

interface ErrorSpec {
  status: number;
  type: ErrorType;
  /** one line for the README's Errors table (a test keeps the two equal) */
  meaning: string;
}

/**
 * Every error code the relay produces on its APIs (the gateway's /v1 and the admin API), once: its HTTP
 * status, its OpenAI `type` and what it means. Codes are lower_snake_case, as OpenAI's own are. The README's
 * "Errors" table is this catalogue (`errors-readme.test.ts` compares them). A new code is added here first;
 * `RelayError` accepts no other.
 */
export const ERROR_CATALOGUE = {
  // requests the relay cannot read (gateway and admin)
  invalid_request: { status: 400, type: 'invalid_request_error', meaning: 'The body or a parameter is invalid; `param` names the field.' },
  invalid_json: { status: 400, type: 'invalid_request_error', meaning: 'The body is not valid JSON.' },
  json_too_deep: { status: 400, type: 'invalid_request_error', meaning: 'The JSON body is nested deeper than 128 levels.' },
  duplicate_key: { status: 400, type: 'invalid_request_error', meaning: 'A top-level key (or the `model` field of a form) is sent more than once.' },
  invalid_request_target: { status: 400, type: 'invalid_request_error', meaning: 'The request target is not a plain path (absolute URL, `.`/`..` segment, encoded slash, CONNECT).' },
  request_timeout: { status: 408, type: 'invalid_request_error', meaning: 'The request was not received in time.' },
  request_too_large: { status: 413, type: 'invalid_request_error', meaning: 'The body is over the size limit.' },
  unsupported_media_type: { status: 415, type: 'invalid_request_error', meaning: 'The content type of the body is not accepted.' },
  request_header_fields_too_large: { status: 431, type: 'invalid_request_error', meaning: 'The request line and headers are over the size limit.' },
  unknown_url: { status: 404, type: 'invalid_request_error', meaning: 'No route for this method and path.' },
  // gateway: the relay key and the model
  missing_api_key: { status: 401, type: 'invalid_request_error', meaning: 'No relay key was sent.' },
  invalid_api_key: { status: 401, type: 'invalid_request_error', meaning: 'The relay key is unknown.' },
  api_key_disabled: { status: 401, type: 'invalid_request_error', meaning: 'The relay key is disabled.' },
  api_key_expired: { status: 401, type: 'invalid_request_error', meaning: 'The relay key has expired.' },
  missing_model: { status: 400, type: 'invalid_request_error', meaning: 'The request names no model where one is needed.' },
  model_too_long: { status: 400, type: 'invalid_request_error', meaning: 'The model name is longer than 256 bytes.' },
  model_not_allowed: { status: 403, type: 'permission_error', meaning: 'The relay key may not use this model.' },
  model_not_found: { status: 404, type: 'invalid_request_error', meaning: 'No provider serves this model.' },
  invalid_attribution: { status: 400, type: 'invalid_request_error', meaning: 'An attribution header (session, prompt, user) is out of bounds; `param` names it.' },
  invalid_feedback: { status: 400, type: 'invalid_request_error', meaning: 'The feedback body is invalid; `param` names the field.' },
  // gateway: limits and budgets of the relay key
  rate_limit_rpm: { status: 429, type: 'rate_limit_error', meaning: "The key's requests-per-minute limit is reached (`retry-after`)." },
  rate_limit_tpm: { status: 429, type: 'rate_limit_error', meaning: "The key's tokens-per-minute limit is reached (`retry-after`)." },
  rate_limit_concurrency: { status: 429, type: 'rate_limit_error', meaning: "The key's concurrent-request limit is reached (`retry-after`)." },
  budget_exceeded: { status: 429, type: 'insufficient_quota', meaning: "The key's or its project's spending budget for the period is used up." },
  // gateway: the provider and the relay itself
  upstream_unreachable: { status: 502, type: 'server_error', meaning: 'No provider answered (connection failed), after retries and fallbacks.' },
  upstream_timeout: { status: 504, type: 'timeout_error', meaning: 'The provider did not answer (or finish its body) within `HTTP_TIMEOUT_SECONDS`.' },
  upstream_body_error: { status: 502, type: 'server_error', meaning: "The provider's response body broke off before its end." },
  upstream_stream_error: { status: 502, type: 'server_error', meaning: 'A stream broke off mid-way: sent as a final SSE `error` event (the status already sent stays).' },
  upstream_idle_timeout: { status: 504, type: 'timeout_error', meaning: 'A stream went idle too long: sent as a final SSE `error` event (the status already sent stays).' },
  no_provider: { status: 503, type: 'server_error', meaning: 'No provider is configured.' },
  gateway_not_configured: { status: 503, type: 'server_error', meaning: 'The gateway has no configuration yet (`npm run init`).' },
  gateway_shutting_down: { status: 503, type: 'server_error', meaning: 'This gateway replica is shutting down; retry.' },
  feedback_unavailable: { status: 503, type: 'server_error', meaning: 'The feedback could not be queued; retry.' },
  // admin
  unauthorized: { status: 401, type: 'authentication_error', meaning: 'No session, or an expired or revoked one.' },
  invalid_credentials: { status: 401, type: 'authentication_error', meaning: 'Wrong username or password.' },
  forbidden: { status: 403, type: 'permission_error', meaning: 'Your role may not do this.' },
  origin_not_allowed: { status: 403, type: 'permission_error', meaning: 'A change (or the live stream) from a foreign `Origin`.' },
  too_many_login_attempts: { status: 429, type: 'rate_limit_error', meaning: 'Too many failed logins for this IP and username (`retry-after`).' },
  invalid_setting: { status: 400, type: 'invalid_request_error', meaning: 'A setting is invalid; `param` names it.' },
  invalid_provider: { status: 400, type: 'invalid_request_error', meaning: 'A provider field is invalid; `param` names it.' },
  invalid_range: { status: 400, type: 'invalid_request_error', meaning: 'A time range whose `from` is not before its `to`.' },
  unknown_project: { status: 400, type: 'invalid_request_error', meaning: 'A relay key names a project that does not exist (`param`: `projectId`).' },
  too_many_points: { status: 400, type: 'invalid_request_error', meaning: 'A statistics range with too many buckets; choose a larger bucket.' },
  key_not_found: { status: 404, type: 'not_found_error', meaning: 'No relay key with this id.' },
  log_not_found: { status: 404, type: 'not_found_error', meaning: 'No log with this id.' },
  project_not_found: { status: 404, type: 'not_found_error', meaning: 'No project with this id.' },
  prompt_not_found: { status: 404, type: 'not_found_error', meaning: 'No prompt family with this id.' },
  provider_not_found: { status: 404, type: 'not_found_error', meaning: 'No provider with this id.' },
  score_not_found: { status: 404, type: 'not_found_error', meaning: 'The log has no score of this name.' },
  session_not_found: { status: 404, type: 'not_found_error', meaning: 'No session with this id.' },
  user_not_found: { status: 404, type: 'not_found_error', meaning: 'No user with this name.' },
  provider_exists: { status: 409, type: 'invalid_request_error', meaning: 'A provider with this id exists.' },
  project_name_taken: { status: 409, type: 'invalid_request_error', meaning: 'Another project has this name (compared case-insensitively).' },
  last_admin: { status: 409, type: 'invalid_request_error', meaning: 'The last admin cannot be demoted or deleted.' },
  cannot_delete_self: { status: 409, type: 'invalid_request_error', meaning: 'You cannot delete yourself.' },
  not_replayable: { status: 409, type: 'invalid_request_error', meaning: 'This log cannot be replayed (not a POST to a plain /v1/ path, or no body).' },
  bodies_expired: { status: 409, type: 'invalid_request_error', meaning: 'The stored bodies of this log were removed by retention.' },
  body_truncated: { status: 409, type: 'invalid_request_error', meaning: 'The stored request body was cut at the capture limit.' },
  gateway_unreachable: { status: 502, type: 'server_error', meaning: 'Admin could not reach the gateway (replay).' },
  redis_unavailable: { status: 503, type: 'server_error', meaning: 'Redis cannot be reached (`retry-after`).' },
  store_unavailable: { status: 503, type: 'server_error', meaning: 'The log store (MongoDB, SQLite) is unreachable or refuses writes (`retry-after`).' },
  internal_error: { status: 500, type: 'server_error', meaning: 'A bug; the details are in the service log under the `x-request-id`.' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** An error with a catalogued code (which gives its HTTP status and type); one handler per app maps it to the OpenAI shape. */
export class RelayError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  readonly type: ErrorType;
  readonly param: string | null;
  readonly headers: Record<string, string>;
  constructor(code: ErrorCode, message: string, opts: { param?: string | null; headers?: Record<string, string> } = {}) {
    super(message);
    const spec: ErrorSpec = ERROR_CATALOGUE[code];
    this.status = spec.status;
    this.code = code;
    this.type = spec.type;
    this.param = opts.param ?? null;
    this.headers = opts.headers ?? {};
  }
  toBody(): OpenAIErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

/**
 * An error the web framework raised itself (fastify's body parser, its 404, a 4xx from a plugin) as a
 * catalogued error, so no framework code (`FST_ERR_…`) reaches a client. Statuses the catalogue has no
 * code for are answered 400 `invalid_request`.
 */
export function frameworkClientError(err: { statusCode?: number; code?: string; message: string }): RelayError {
  const byStatus: Record<number, ErrorCode> = { 408: 'request_timeout', 413: 'request_too_large', 415: 'unsupported_media_type', 431: 'request_header_fields_too_large' };
  const code = byStatus[err.statusCode ?? 400] ?? (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ? 'invalid_json' : 'invalid_request');
  return new RelayError(code, err.message);
}
