export * from './parse-env.ts';
export * from './shared-env.ts';
