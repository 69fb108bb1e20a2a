import { describe, expect, it } from 'vitest';
import { generateRelayKey, hashKey, verifyRelayKeyChecksum, displayPrefix } from './relay-keys.ts';

describe('relay keys', () => {
  it('generates keys with a recognisable prefix and a checksum that detects typos', () => {
    const k = generateRelayKey();
    expect(k.secret).toMatch(/^sk-relay-[0-9A-Za-z]{38}$/);
    expect(verifyRelayKeyChecksum(k.secret)).toBe(true);
    const typo = k.secret.slice(0, 12) + (k.secret[12] === 'a' ? 'b' : 'a') + k.secret.slice(13);
    expect(verifyRelayKeyChecksum(typo)).toBe(false);
    expect(k.hash).toBe(hashKey(k.secret));
    expect(k.prefix).toBe(displayPrefix(k.secret));
    expect(k.secret.startsWith(k.prefix)).toBe(true);
  });
  it('leaves operator keys of another shape to the hash lookup', () => {
    expect(verifyRelayKeyChecksum('sk-proxy-your-key')).toBeNull();
  });
});
