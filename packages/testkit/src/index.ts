export * from './processes.ts';
export * from './ferretdb.ts';
