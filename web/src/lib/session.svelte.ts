import { api, ApiError, errorMessage } from './api.ts';
import type { Me } from './types.ts';

/** Who is signed in; loaded once from GET /admin/me, cleared on logout or any 401. */
class Session {
  #me = $state<Me | null>(null);
  #loaded = $state(false);
  #error = $state('');

  get me(): Me | null {
    return this.#me;
  }
  get loaded(): boolean {
    return this.#loaded;
  }
  /** why the session could not be checked (admin unreachable, a 5xx); a 401 goes to the login page instead */
  get error(): string {
    return this.#error;
  }
  get isAdmin(): boolean {
    return this.#me?.role === 'admin';
  }

  set(me: Me | null): void {
    this.#me = me;
    this.#loaded = true;
  }

  async load(): Promise<void> {
    this.#error = '';
    try {
      this.set(await api.get<Me>('/me'));
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) this.#error = errorMessage(err);
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
