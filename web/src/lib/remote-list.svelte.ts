import { api, errorMessage } from './api.ts';

/** A list page's data: `GET path` → `{items}`, with the load error kept for the page to show. */
export class RemoteList<T> {
  #items = $state.raw<T[]>([]);
  #loaded = $state(false);
  #error = $state('');
  readonly #path: string;

  constructor(path: string) {
    this.#path = path;
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

  load = async (): Promise<void> => {
    try {
      this.#items = (await api.get<{ items: T[] }>(this.#path)).items;
      this.#error = '';
    } catch (err) {
      this.#error = errorMessage(err);
    } finally {
      this.#loaded = true;
    }
  };
}
