/** The only place the browser tests read the environment (CONTRIBUTING.md rule 5). */
export const e2eEnv = {
  /** Debian's Chromium unless told otherwise; never a downloaded browser */
  chromiumPath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
};
