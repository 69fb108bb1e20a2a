import { api, errorMessage } from './api.ts';
import type { Page } from './workbench.ts';

/** A cursor-paged list (`GET path?cursor=…` → `{items, nextCursor}`): first page, more on demand. */
export class PagedList<T> {
  #items = $state.raw<T[]>([]);
  #next = $state<string | null>(null);
  #loaded = $state(false);
  #loading = $state(false);
  #error = $state('');
  readonly #path: string;
  #query: Record<string, string | number | undefined>;
  #generation = 0;

  constructor(path: string, query: Record<string, string | number | undefined> = {}) {
    this.#path = path;
    this.#query = query;
  }

  get items(): T[] {
    return this.#items;
  }
  get hasMore(): boolean {
    return this.#next !== null;
  }
  get loaded(): boolean {
    return this.#loaded;
  }
  get loading(): boolean {
    return this.#loading;
  }
  get error(): string {
    return this.#error;
  }

  /** Start over (a new query); an answer to an older query is dropped. */
  reload = async (query: Record<string, string | number | undefined> = this.#query): Promise<void> => {
    this.#query = query;
    this.#items = [];
    this.#next = null;
    await this.#fetch(undefined, ++this.#generation);
  };

  more = async (): Promise<void> => {
    if (this.#next === null || this.#loading) return;
    await this.#fetch(this.#next, this.#generation);
  };

  async #fetch(cursor: string | undefined, gen: number): Promise<void> {
    this.#loading = true;
    try {
      const page = await api.get<Page<T>>(this.#path, { query: { ...this.#query, cursor } });
      if (gen !== this.#generation) return;
      this.#items = cursor ? [...this.#items, ...page.items] : page.items;
      this.#next = page.nextCursor;
      this.#error = '';
    } catch (err) {
      if (gen === this.#generation) this.#error = errorMessage(err);
    } finally {
      if (gen === this.#generation) {
        this.#loading = false;
        this.#loaded = true;
      }
    }
  }
}
