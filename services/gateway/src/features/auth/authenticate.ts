import type { IncomingHttpHeaders } from 'node:http';
import { hashKey } from '@llm-relay/server-kit';
import { RelayError } from '@llm-relay/contracts';
import type { CompiledConfig, CompiledKey } from '../config/compiled.ts';

/** The relay key as the OpenAI SDK (`Authorization: Bearer`) or the Anthropic SDK (`x-api-key`) sends it. */
export function presentedKey(h: IncomingHttpHeaders): string | null {
  const auth = h.authorization;
  if (auth && auth.length > 7 && auth.slice(0, 7).toLowerCase() === 'bearer ') return auth.slice(7).trim();
  const x = h['x-api-key'];
  if (typeof x === 'string' && x) return x.trim();
  return null;
}

export function notConfigured(): RelayError {
  return new RelayError('gateway_not_configured', 'gateway not configured: run `npm run init` (no configuration snapshot in Redis yet)');
}

/** Looks the key up by SHA-256 in the snapshot; status and expiry are checked here, models later. */
export function authenticate(cfg: CompiledConfig, h: IncomingHttpHeaders): CompiledKey {
  const secret = presentedKey(h);
  if (!secret) {
    throw new RelayError('missing_api_key', "You didn't provide an API key. Send your relay key as `Authorization: Bearer <key>` or `x-api-key`.");
  }
  const key = cfg.keysByHash.get(hashKey(secret));
  if (!key) throw new RelayError('invalid_api_key', 'Incorrect API key provided.');
  if (key.record.status !== 'active') throw new RelayError('api_key_disabled', 'This API key has been disabled.');
  if (key.record.expiresAt !== null && key.record.expiresAt <= Date.now()) throw new RelayError('api_key_expired', 'This API key has expired.');
  return key;
}
