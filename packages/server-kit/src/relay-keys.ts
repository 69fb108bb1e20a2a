import { hash, randomBytes } from 'node:crypto';

/**
 * Relay key format: `sk-relay-` + 32 base62 characters + a 6-character base62 CRC-32 checksum of them,
 * so a typo or a key from another system can be told apart without a lookup (as GitHub tokens do).
 * Keys are stored only as SHA-256 hex. Keys set by the operator (PROXY_KEY) may have any shape.
 */
export const RELAY_KEY_PREFIX = 'sk-relay-';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** SHA-256 hex of a key. The one-shot `crypto.hash` builds no Hash object: the gateway hashes every request's key. */
export function hashKey(secret: string): string {
  return hash('sha256', secret, 'hex');
}

export function generateRelayKey(): { secret: string; prefix: string; hash: string } {
  const bytes = randomBytes(32);
  let body = '';
  for (const b of bytes) body += BASE62[b % 62];
  const secret = `${RELAY_KEY_PREFIX}${body}${checksum(body)}`;
  return { secret, prefix: displayPrefix(secret), hash: hashKey(secret) };
}

/** The part of a key shown in lists and logs: enough to recognise it, useless to an attacker. */
export function displayPrefix(secret: string): string {
  // Only a generated key is long enough for 6 of its random characters to be shown safely;
  // an operator's key (PROXY_KEY) may be short, so show no more than its first 6 characters.
  return verifyRelayKeyChecksum(secret) ? secret.slice(0, RELAY_KEY_PREFIX.length + 6) : `${secret.slice(0, 6)}…`;
}

/** True for a generated key whose checksum matches; false for a mangled one. Operator keys (other shapes) return null. */
export function verifyRelayKeyChecksum(secret: string): boolean | null {
  if (!secret.startsWith(RELAY_KEY_PREFIX)) return null;
  const rest = secret.slice(RELAY_KEY_PREFIX.length);
  if (rest.length !== 38) return false;
  return checksum(rest.slice(0, 32)) === rest.slice(32);
}

function checksum(body: string): string {
  let crc = crc32(Buffer.from(body));
  let out = '';
  for (let i = 0; i < 6; i++) {
    out = BASE62[crc % 62] + out;
    crc = Math.floor(crc / 62);
  }
  return out;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
