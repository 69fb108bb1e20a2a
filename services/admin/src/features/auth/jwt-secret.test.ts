import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '@llm-relay/server-kit';
import { tempDir, type TempDir } from '@llm-relay/testkit';
import { resolveJwtSecret } from './jwt-secret.ts';
import { adminEnvSchema } from '../../env.ts';

const log = createLogger('test', 'silent');
let dir: TempDir | null = null;
afterEach(() => dir?.remove());

describe('development JWT secret', () => {
  it('is generated once into data/jwt-secret (owner-only) and reused by the next process', () => {
    dir = tempDir('jwt');
    const path = join(dir.path, 'data', 'jwt-secret');
    const first = resolveJwtSecret(undefined, log, path);
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(readFileSync(path, 'utf8').trim()).toBe(first);
    expect(statSync(path).mode & 0o077).toBe(0);
    expect(resolveJwtSecret(undefined, log, path)).toBe(first);
  });
  it('a configured secret wins and nothing is written', () => {
    dir = tempDir('jwt');
    expect(resolveJwtSecret('x'.repeat(40), log, join(dir.path, 'jwt-secret'))).toBe('x'.repeat(40));
  });
});

describe('admin environment', () => {
  it('requires JWT_SECRET in production and refuses a short one', () => {
    expect(adminEnvSchema.safeParse({ NODE_ENV: 'production' }).error?.issues[0]?.path).toEqual(['JWT_SECRET']);
    expect(adminEnvSchema.safeParse({ JWT_SECRET: 'short' }).success).toBe(false);
    expect(adminEnvSchema.safeParse({ NODE_ENV: 'production', JWT_SECRET: 'y'.repeat(32) }).success).toBe(true);
  });
  it('has the agreed defaults', () => {
    const env = adminEnvSchema.parse({});
    expect(env).toMatchObject({ ADMIN_PORT: 8080, PROXY_BASE_URL: 'http://localhost:8000', ADMIN_USERNAME: 'admin', CORS_ORIGINS: [], TRUST_PROXY: false });
    expect(env.WEB_DIST_DIR).toMatch(/\/web\/dist$/);
    expect(adminEnvSchema.parse({ CORS_ORIGINS: 'https://a.example/, https://b.example' }).CORS_ORIGINS).toEqual(['https://a.example', 'https://b.example']);
  });
  it('sends its own gateway requests to GATEWAY_INTERNAL_URL, which defaults to PROXY_BASE_URL', () => {
    expect(adminEnvSchema.parse({}).GATEWAY_INTERNAL_URL).toBe('http://localhost:8000');
    expect(adminEnvSchema.parse({ PROXY_BASE_URL: 'https://relay.example.com' }).GATEWAY_INTERNAL_URL).toBe('https://relay.example.com');
    const both = adminEnvSchema.parse({ PROXY_BASE_URL: 'https://relay.example.com', GATEWAY_INTERNAL_URL: 'http://edge:8000' });
    expect(both).toMatchObject({ PROXY_BASE_URL: 'https://relay.example.com', GATEWAY_INTERNAL_URL: 'http://edge:8000' });
    expect(adminEnvSchema.safeParse({ GATEWAY_INTERNAL_URL: 'not a url' }).success).toBe(false);
  });
});
