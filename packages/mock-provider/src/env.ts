import { parseEnv, portFromEnv } from '@llm-relay/config';
import { z } from 'zod';

export const env = parseEnv(
  z.object({
    MOCK_PORT: portFromEnv.default(8100),
    MOCK_HOST: z.string().default('127.0.0.1'),
  }),
);
