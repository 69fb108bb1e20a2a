export interface Toast {
  id: number;
  kind: 'ok' | 'err' | 'info';
  text: string;
}

/** Short-lived messages in a corner: API errors from actions, "copied", "saved". */
class Toasts {
  #items = $state.raw<Toast[]>([]);
  #next = 1;

  get items(): Toast[] {
    return this.#items;
  }

  push(kind: Toast['kind'], text: string, ms = kind === 'err' ? 8000 : 2500): void {
    const id = this.#next++;
    this.#items = [...this.#items, { id, kind, text }].slice(-5);
    setTimeout(() => this.dismiss(id), ms);
  }

  dismiss(id: number): void {
    this.#items = this.#items.filter((t) => t.id !== id);
  }
}

export const toasts = new Toasts();
