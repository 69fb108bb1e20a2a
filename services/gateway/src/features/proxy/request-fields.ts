import { JSON_DEPTH_MAX, RelayError } from '@llm-relay/contracts';
import { jsonDepth, scanTopLevel, type TopLevelFields } from './json-fields.ts';

/**
 * The fields routing reads from a request body, read the way the provider's parser will read them, and
 * refused when they cannot be: keys are compared decoded (`"mod\u0065l"` is `model`), a top-level key
 * sent twice is refused (parsers disagree on which copy wins, so the allow-list could see one model and
 * the provider another), and so is nesting deeper than JSON_DEPTH_MAX.
 */

function tooDeep(): RelayError {
  return new RelayError('json_too_deep', `The request body is nested deeper than ${JSON_DEPTH_MAX} levels.`);
}

function checked(fields: TopLevelFields): TopLevelFields {
  if (fields.depth > JSON_DEPTH_MAX) throw tooDeep();
  if (fields.duplicateKey !== null) {
    throw new RelayError('duplicate_key', `The request body has the top-level key \`${fields.duplicateKey.slice(0, 64)}\` more than once.`, { param: fields.duplicateKey.slice(0, 64) });
  }
  return fields;
}

type Json = Record<string, unknown>;

/** Parse a body the scan could not read: a full parse gives the client the precise 400. */
export function parseJsonBody(buf: Buffer | undefined): Json {
  if (!buf || buf.length === 0) throw new RelayError('invalid_request', 'The request body is empty; a JSON object is expected.');
  // before parsing: re-serialising a value nested thousands deep overflows the stack
  if (jsonDepth(buf) > JSON_DEPTH_MAX) throw tooDeep();
  let json: unknown;
  try {
    json = JSON.parse(buf.toString('utf8'));
  } catch (err) {
    throw new RelayError('invalid_json', `The request body is not valid JSON: ${(err as Error).message}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new RelayError('invalid_request', 'The request body must be a JSON object.');
  return json as Json;
}

/**
 * The body to forward and its fields. When the scan gives up (never seen in practice), the body is parsed
 * and re-serialised, so what is forwarded is exactly what was read (JSON.parse keeps one copy of a key).
 */
export function readJsonFields(raw: Buffer | undefined): { body: Buffer; fields: TopLevelFields } {
  const scanned = raw ? scanTopLevel(raw) : null;
  if (scanned) return { body: raw!, fields: checked(scanned) };
  const body = Buffer.from(JSON.stringify(parseJsonBody(raw)));
  const fields = scanTopLevel(body);
  if (!fields) throw new RelayError('invalid_json', 'The request body could not be read as a JSON object.');
  return { body, fields: checked(fields) };
}

/**
 * The model a buffered pass-through body names (JSON or form), and the body to forward. A JSON body the
 * relay cannot parse is forwarded as it is, unless the key's models are restricted: then a model it
 * might name cannot be checked, and it is refused.
 */
export function passthroughModel(buf: Buffer, contentType: string | undefined, restricted: boolean): { body: Buffer; model: string | null } {
  if (buf.length === 0) return { body: buf, model: null };
  if (contentType?.includes('application/x-www-form-urlencoded')) {
    const models = new URLSearchParams(buf.toString('utf8')).getAll('model');
    if (models.length > 1) throw new RelayError('duplicate_key', 'The request body has the field `model` more than once.', { param: 'model' });
    return { body: buf, model: models[0] || null };
  }
  const scanned = scanTopLevel(buf);
  if (scanned) return { body: buf, model: checked(scanned).model?.value || null };
  if (jsonDepth(buf) > JSON_DEPTH_MAX) throw tooDeep();
  let parsed: unknown;
  try {
    parsed = JSON.parse(buf.toString('utf8'));
  } catch (err) {
    if (restricted) throw new RelayError('invalid_json', `The request body is not valid JSON: ${(err as Error).message}`);
    return { body: buf, model: null };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { body: buf, model: null };
  const model = (parsed as Json).model;
  return { body: Buffer.from(JSON.stringify(parsed)), model: typeof model === 'string' && model ? model : null };
}
