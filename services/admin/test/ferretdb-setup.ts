import type { TestProject } from 'vitest/node';
import { startFerretDb } from '@llm-relay/testkit';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `mongodb://…/` of the FerretDB this project's tests share (each test file uses its own database) */
    mongoBaseUri: string;
  }
}

/** One FerretDB for the project; MONGODB_TEST_URI points the same suites at a real MongoDB instead. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.MONGODB_TEST_URI) {
    project.provide('mongoBaseUri', process.env.MONGODB_TEST_URI.replace(/\/?$/, '/'));
    return async () => {};
  }
  const ferret = await startFerretDb();
  project.provide('mongoBaseUri', ferret.uri);
  return () => ferret.stop();
}
