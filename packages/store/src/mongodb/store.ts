import type { Store } from '../port.ts';

export function createMongoStore(_uri: string): Store {
  throw new Error('the MongoDB adapter is not built yet');
}
