import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { booleanFromEnv, parseEnv, portFromEnv, sharedEnvShape } from '@llm-relay/config';

/** The repository root: relative defaults (the built UI) are resolved against it, as scripts/relay.ts does. */
export const REPO_ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

const optionalNumber = z.coerce.number().optional();

export const adminEnvSchema = z
  .object({
    ...sharedEnvShape,
    ADMIN_PORT: portFromEnv.default(8080),
    ADMIN_HOST: z.string().default('0.0.0.0'),
    /** HS256 key for session tokens; required in production. In development a generated one is kept in ./data/jwt-secret. */
    JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    JWT_TTL_SECONDS: z.coerce.number().int().min(60).max(7 * 24 * 3600).default(8 * 3600),
    /**
     * encrypts provider API keys and secret-looking custom headers in the store (AES-256-GCM); optional. Keys
     * stored in clear before it was set are still read, and sealed at the next start.
     */
    RELAY_SECRET_KEY: z.string().min(32, 'must be at least 32 characters (e.g. openssl rand -base64 32)').optional(),
    /** Secure cookies need HTTPS; on by default in production */
    COOKIE_SECURE: booleanFromEnv.optional(),
    ADMIN_USERNAME: z.string().min(1).default('admin'),
    ADMIN_PASSWORD: z.string().min(1).optional(),
    /** the gateway's public address, as users and their apps reach it (shown in the UI) */
    PROXY_BASE_URL: z.string().url().default('http://localhost:8000'),
    /**
     * where admin itself sends requests to the gateway (replay). Inside a compose network or a pod the public
     * address often does not resolve or loops back to the wrong container; defaults to PROXY_BASE_URL.
     */
    GATEWAY_INTERNAL_URL: z.string().url().optional(),
    /** comma-separated origins allowed to call the API from a browser and to open the live WebSocket */
    CORS_ORIGINS: z
      .string()
      .default('')
      .transform((s) => s.split(',').map((o) => o.trim().replace(/\/+$/, '')).filter(Boolean)),
    WEB_DIST_DIR: z.string().default('web/dist').transform((p) => resolve(REPO_ROOT, p)),
    /**
     * whose X-Forwarded-For to believe for the client IP (login rate limit, logs): `false` (default), `true`
     * (any — only behind a proxy that overwrites the header), or comma-separated addresses/CIDRs of the proxies
     */
    TRUST_PROXY: z
      .string()
      .default('false')
      .transform((v): boolean | string => (v === 'true' ? true : v === 'false' ? false : v)),
    /** admin API request bodies (the gateway has its own BODY_LIMIT_BYTES) */
    ADMIN_BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(1024 * 1024),
    /** login attempts per IP+username within LOGIN_WINDOW_SECONDS (a success clears them) before 429 */
    LOGIN_MAX_ATTEMPTS: z.coerce.number().int().positive().default(10),
    LOGIN_WINDOW_SECONDS: z.coerce.number().int().positive().default(900),
    SNAPSHOT_REPUBLISH_SECONDS: z.coerce.number().positive().default(10),
    // init: the original Python LLM Relay's variables, read only when the store is seeded
    PROXY_KEY: z.string().min(1).optional(),
    TARGET_BASE_URL: z.string().url().optional(),
    TARGET_API_KEY: z.string().min(1).optional(),
    DEFAULT_MODEL: z.string().min(1).optional(),
    HTTP_TIMEOUT_SECONDS: optionalNumber,
    HTTP_MAX_RETRIES: optionalNumber,
    REDACT_LOGS: booleanFromEnv.optional(),
    CAPTURE_MAX_BYTES: optionalNumber,
    RETENTION_BODY_DAYS: optionalNumber,
    RETENTION_META_DAYS: optionalNumber,
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.JWT_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'required when NODE_ENV=production (at least 32 random characters)' });
    }
  })
  .transform((env) => ({ ...env, GATEWAY_INTERNAL_URL: env.GATEWAY_INTERNAL_URL ?? env.PROXY_BASE_URL }));

export type AdminEnv = z.infer<typeof adminEnvSchema>;

export function readAdminEnv(env: NodeJS.ProcessEnv = process.env): AdminEnv {
  return parseEnv(adminEnvSchema, env);
}
