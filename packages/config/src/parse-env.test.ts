import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { booleanFromEnv, EnvError, parseEnv, portFromEnv } from './parse-env.ts';
import { sharedEnvShape } from './shared-env.ts';

const schema = z.object({ ...sharedEnvShape, GATEWAY_PORT: portFromEnv.default(8000), REDACT_LOGS: booleanFromEnv.default(false) });

describe('parseEnv', () => {
  it('applies the defaults every service shares', () => {
    const env = parseEnv(schema, {});
    expect(env).toMatchObject({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_PREFIX: 'llmrelay', DATABASE_URL: 'sqlite:./data/llm-relay.db', GATEWAY_PORT: 8000, REDACT_LOGS: false });
  });
  it('treats an empty value as unset, as a .env line `X=` means', () => {
    expect(parseEnv(schema, { REDIS_PREFIX: '', GATEWAY_PORT: '' }).REDIS_PREFIX).toBe('llmrelay');
  });
  it('parses booleans and ports from their text forms', () => {
    const env = parseEnv(schema, { REDACT_LOGS: 'yes', GATEWAY_PORT: '9001' });
    expect(env.REDACT_LOGS).toBe(true);
    expect(env.GATEWAY_PORT).toBe(9001);
  });
  it('stops with a message that names the bad variable', () => {
    expect(() => parseEnv(schema, { GATEWAY_PORT: 'eighty' })).toThrow(EnvError);
    expect(() => parseEnv(schema, { GATEWAY_PORT: '70000', REDACT_LOGS: 'maybe' })).toThrow(/GATEWAY_PORT[\s\S]*REDACT_LOGS|REDACT_LOGS[\s\S]*GATEWAY_PORT/);
  });
});
