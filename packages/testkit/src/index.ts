export * from './processes.ts';
export * from './ferretdb.ts';
export * from './redis.ts';
export * from './relay-stack.ts';
export * from './own-redis.ts';
export * from './raw-http.ts';
export * from './stored-logs.ts';
export * from './webhook-receiver.ts';
