import { api, errorMessage, type RequestOptions } from './api.ts';

/**
 * A list page's data: `GET path` → `{items}`, with the load error kept for the page to show. `query` is read
 * on every load (a page's filter from its URL).
 */
export class RemoteList<T> {
  #items = $state.raw<T[]>([]);
  #loaded = $state(false);
  #error = $state('');
  readonly #path: string;
  readonly #query: (() => RequestOptions['query']) | undefined;

  constructor(path: string, query?: () => RequestOptions['query']) {
    this.#path = path;
    this.#query = query;
  }

  get items(): T[] {
    return this.#items;
  }
  get loaded(): boolean {
    return this.#loaded;
  }
  get error(): string {
    return this.#error;
  }

  #generation = 0;

  load = async (): Promise<void> => {
    // a load started later (another filter) wins over an earlier one that answers last
    const gen = ++this.#generation;
    try {
      const items = (await api.get<{ items: T[] }>(this.#path, { query: this.#query?.() })).items;
      if (gen !== this.#generation) return;
      this.#items = items;
      this.#error = '';
    } catch (err) {
      if (gen === this.#generation) this.#error = errorMessage(err);
    } finally {
      this.#loaded = true;
    }
  };
}
