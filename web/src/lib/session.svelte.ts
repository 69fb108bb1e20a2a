import { api } from './api.ts';
import type { Me } from './types.ts';

/** Who is signed in; loaded once from GET /admin/me, cleared on logout or any 401. */
class Session {
  #me = $state<Me | null>(null);
  #loaded = $state(false);

  get me(): Me | null {
    return this.#me;
  }
  get loaded(): boolean {
    return this.#loaded;
  }
  get isAdmin(): boolean {
    return this.#me?.role === 'admin';
  }

  set(me: Me | null): void {
    this.#me = me;
    this.#loaded = true;
  }

  async load(): Promise<void> {
    try {
      this.set(await api.get<Me>('/me'));
    } catch {
      this.set(null);
    }
  }

  async logout(): Promise<void> {
    try {
      await api.post('/logout', undefined, { skipAuthRedirect: true });
    } finally {
      this.set(null);
    }
  }
}

export const session = new Session();
