import { createHmac, randomUUID } from 'node:crypto';
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
  /** the user's id when the session began: a user deleted and created again under the same name is someone else */
  uid: string;
  /** the credential version when the session began (see credentialVersion) */
  cv: string;
}

/** What a session is bound to: the user record it was issued for. */
export interface SessionSubject {
  id: string;
  username: string;
  role: Role;
  passwordHash: string;
}

/**
 * A version of the user's credentials and role, derived from the stored record instead of kept as a counter:
 * every password change writes a new salted hash and every role change a new role, so either changes the
 * version and ends the sessions issued before it — with no store migration. Keyed with the session key so the
 * token (readable by its holder) says nothing about the password hash.
 */
export function credentialVersion(key: Uint8Array, user: SessionSubject): string {
  return createHmac('sha256', key).update(`${user.id}\n${user.role}\n${user.passwordHash}`).digest('base64url').slice(0, 22);
}

/** True when the session was issued for this very record, with the credentials and role it has now. */
export function sessionMatches(key: Uint8Array, claims: SessionClaims, user: SessionSubject): boolean {
  return claims.uid === user.id && claims.cv === credentialVersion(key, user);
}

export function secretKey(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

export async function signSession(key: Uint8Array, user: SessionSubject, ttlSeconds: number): Promise<{ token: string; claims: SessionClaims }> {
  const now = Math.floor(Date.now() / 1000);
  const claims: SessionClaims = { username: user.username, role: user.role, jti: randomUUID(), exp: now + ttlSeconds, uid: user.id, cv: credentialVersion(key, user) };
  const token = await new SignJWT({ role: user.role, uid: claims.uid, cv: claims.cv })
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
    const { payload } = await jwtVerify(token, key, { algorithms: [JWT_ALG], issuer: JWT_ISSUER, audience: JWT_AUDIENCE, requiredClaims: ['exp', 'sub', 'jti', 'uid', 'cv'] });
    const { role, uid, cv } = payload;
    if (role !== 'admin' && role !== 'viewer') return null;
    if (typeof uid !== 'string' || typeof cv !== 'string') return null;
    return { username: payload.sub!, role, jti: payload.jti!, exp: payload.exp!, uid, cv };
  } catch (err) {
    if (err instanceof errors.JOSEError || err instanceof TypeError) return null;
    throw err;
  }
}
