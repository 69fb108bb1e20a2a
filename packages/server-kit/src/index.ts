export * from './logger.ts';
export * from './redis.ts';
export * from './shutdown.ts';
export * from './snapshot.ts';
export * from './relay-keys.ts';
export * from './metric-labels.ts';
export * from './micro-batcher.ts';
export * from './outage-log.ts';
