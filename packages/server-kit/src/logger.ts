import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/** pino everywhere: object first, then message; secrets redacted by the logger itself (CONTRIBUTING.md rule 11). */
export function createLogger(name: string, level: string, extra: LoggerOptions = {}): Logger {
  return pino({
    name,
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-api-key"]',
        'headers.authorization',
        'headers.cookie',
        'apiKey',
        'apiKeys',
        'password',
        'secret',
      ],
      censor: '[redacted]',
    },
    ...extra,
  });
}
