export * from './exchange-event.ts';
export * from './queues.ts';
export * from './gateway-config.ts';
export * from './stored-log.ts';
export * from './live.ts';
export * from './errors.ts';
export * from './ids.ts';
export * from './base-url.ts';
