import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Logger } from '@llm-relay/server-kit';

/**
 * In development an unset JWT_SECRET is generated once and kept in ./data/jwt-secret, so restarts and
 * several local admin processes accept each other's sessions. Created with O_EXCL: two processes starting
 * together end up reading the same file.
 */
export function resolveJwtSecret(configured: string | undefined, log: Logger, path = resolve('data/jwt-secret')): string {
  if (configured) return configured;
  const read = (): string | null => {
    try {
      const s = readFileSync(path, 'utf8').trim();
      return s.length >= 32 ? s : null;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  };
  const existing = read();
  if (existing) {
    log.warn({ path }, 'JWT_SECRET is not set; using the development secret kept in this file (set JWT_SECRET in production)');
    return existing;
  }
  mkdirSync(dirname(path), { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  try {
    writeFileSync(path, secret + '\n', { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const raced = read();
    if (raced) return raced;
    throw err;
  }
  log.warn({ path }, 'JWT_SECRET is not set; generated a development secret and saved it (set JWT_SECRET in production)');
  return secret;
}
