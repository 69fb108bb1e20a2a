import { parseEnv } from '@llm-relay/config';
import { z } from 'zod';

export const env = parseEnv(z.object({ REDIS_URL: z.string().default('redis://127.0.0.1:6379') }));
