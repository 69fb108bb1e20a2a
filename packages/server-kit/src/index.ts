export * from './logger.ts';
export * from './redis.ts';
export * from './shutdown.ts';
