/**
 * Runs writes one at a time per key, in call order, within this process. FerretDB v1 applies an update by
 * reading the whole document and writing it back outside any transaction, so two concurrent updates of one
 * document — even `$set`s of different fields, even guarded by a compare-and-set filter — lose one of them.
 * Queuing them per document closes that inside one process; real MongoDB needs no help (its updates are atomic
 * per document) and pays only the wait.
 */
export function oneAtATimePerKey(): <T>(key: string, fn: () => Promise<T>) => Promise<T> {
  const tails = new Map<string, Promise<unknown>>();
  return async (key, fn) => {
    const run = (tails.get(key) ?? Promise.resolve()).then(fn);
    const tail = run.catch(() => undefined);
    tails.set(key, tail);
    try {
      return await run;
    } finally {
      if (tails.get(key) === tail) tails.delete(key);
    }
  };
}
