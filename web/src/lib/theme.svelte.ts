export type Theme = 'light' | 'dark';
const STORAGE_KEY = 'llm-relay.theme';

function systemTheme(): Theme {
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/** Light/dark: the system preference until the user picks one, which is then remembered. */
class ThemeState {
  #theme = $state<Theme>(this.#initial());

  #initial(): Theme {
    try {
      const saved = localStorage.getItem(STORAGE_KEY);
      if (saved === 'light' || saved === 'dark') return saved;
    } catch {
      // storage blocked
    }
    return systemTheme();
  }

  get current(): Theme {
    return this.#theme;
  }

  set current(t: Theme) {
    this.#theme = t;
    try {
      localStorage.setItem(STORAGE_KEY, t);
    } catch {
      // not persisted
    }
    this.apply();
  }

  toggle(): void {
    this.current = this.#theme === 'dark' ? 'light' : 'dark';
  }

  apply(): void {
    document.documentElement.dataset.theme = this.#theme;
  }
}

export const theme = new ThemeState();
