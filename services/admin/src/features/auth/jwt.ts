import { randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify, errors } from 'jose';

/** Session tokens: HS256 only (the algorithm is pinned on verify), with issuer, audience and expiry checked. */
export const JWT_ISSUER = 'llm-relay-admin';
export const JWT_AUDIENCE = 'llm-relay-admin-api';
export const JWT_ALG = 'HS256';

export type Role = 'admin' | 'viewer';
export interface SessionClaims {
  username: string;
  role: Role;
  jti: string;
  exp: number;
}

export function secretKey(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

export async function signSession(key: Uint8Array, user: { username: string; role: Role }, ttlSeconds: number): Promise<{ token: string; claims: SessionClaims }> {
  const now = Math.floor(Date.now() / 1000);
  const claims: SessionClaims = { username: user.username, role: user.role, jti: randomUUID(), exp: now + ttlSeconds };
  const token = await new SignJWT({ role: user.role })
    .setProtectedHeader({ alg: JWT_ALG, typ: 'JWT' })
    .setSubject(user.username)
    .setIssuer(JWT_ISSUER)
    .setAudience(JWT_AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(claims.exp)
    .setJti(claims.jti)
    .sign(key);
  return { token, claims };
}

/** Null for any token that is not ours, not valid now, or not signed with HS256 by our key. */
export async function verifySession(key: Uint8Array, token: string): Promise<SessionClaims | null> {
  try {
    const { payload } = await jwtVerify(token, key, { algorithms: [JWT_ALG], issuer: JWT_ISSUER, audience: JWT_AUDIENCE, requiredClaims: ['exp', 'sub', 'jti'] });
    const role = payload.role;
    if (role !== 'admin' && role !== 'viewer') return null;
    return { username: payload.sub!, role, jti: payload.jti!, exp: payload.exp! };
  } catch (err) {
    if (err instanceof errors.JOSEError || err instanceof TypeError) return null;
    throw err;
  }
}
