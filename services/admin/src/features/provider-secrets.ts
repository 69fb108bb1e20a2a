import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { Provider } from '@llm-relay/contracts';
import type { Store } from '@llm-relay/store';
import { isSecretHeader } from './providers.ts';

/**
 * Provider API keys and secret-looking custom header values encrypted at rest (AES-256-GCM) with a key derived
 * from RELAY_SECRET_KEY, so a copy of the database file or a backup does not hand out the provider keys.
 * Sealed values read `enc:v1:` + base64url(iv | tag | ciphertext). A value without that prefix is plaintext and
 * is still read (a store from before the key was set); `sealExistingProviders` re-writes those sealed.
 * Admin is the only reader of providers; the gateways get the keys in clear through the Redis snapshot.
 */
const PREFIX = 'enc:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export function deriveKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'llm-relay', 'provider-secrets', 32));
}

export function seal(key: Buffer, plain: string): string {
  if (plain.startsWith(PREFIX)) return plain;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

export function isSealed(value: string): boolean {
  return value.startsWith(PREFIX);
}

export function unseal(key: Buffer | null, value: string): string {
  if (!isSealed(value)) return value;
  if (!key) throw new Error('a provider key in the store is encrypted: set RELAY_SECRET_KEY to the key it was encrypted with');
  const raw = Buffer.from(value.slice(PREFIX.length), 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
  decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    throw new Error('a provider key in the store does not decrypt with RELAY_SECRET_KEY (another key was used)');
  }
}

function mapSecrets(p: Provider, f: (v: string) => string): Provider {
  const headers = Object.fromEntries(Object.entries(p.headers).map(([n, v]) => [n, isSecretHeader(n) ? f(v) : v]));
  return { ...p, apiKeys: p.apiKeys.map(f), headers };
}

/**
 * The store with provider secrets sealed on write and unsealed on read. Without a key, writes stay plaintext
 * and reads still unseal nothing (a sealed value then fails with a message naming RELAY_SECRET_KEY).
 */
export function withProviderSecrets(store: Store, secret: string | undefined): Store {
  const key = secret ? deriveKey(secret) : null;
  const open = (p: Provider): Provider => mapSecrets(p, (v) => unseal(key, v));
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'listProviders') return async () => (await target.listProviders()).map(open);
      if (prop === 'getProvider') return async (id: string) => {
        const p = await target.getProvider(id);
        return p ? open(p) : null;
      };
      if (prop === 'upsertProvider') return (p: Provider) => target.upsertProvider(key ? mapSecrets(p, (v) => seal(key, v)) : p);
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * With a key set, re-writes every provider still holding a plaintext secret and returns how many; throws when a
 * sealed value does not open with the key (or no key is set), so a wrong key stops admin at start.
 */
export async function sealExistingProviders(raw: Store, secret: string | undefined): Promise<number> {
  const key = secret ? deriveKey(secret) : null;
  let sealed = 0;
  for (const p of await raw.listProviders()) {
    const secrets = [...p.apiKeys, ...Object.entries(p.headers).filter(([n]) => isSecretHeader(n)).map(([, v]) => v)];
    for (const s of secrets) unseal(key, s);
    if (!key || secrets.every(isSealed)) continue;
    await raw.upsertProvider(mapSecrets(p, (v) => seal(key, v)));
    sealed++;
  }
  return sealed;
}
