import { en, type MessageKey } from './i18n/en.ts';
import { zhCN } from './i18n/zh-CN.ts';

export type { MessageKey };
export const LOCALES = ['en', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];
export const dictionaries: Record<Locale, Record<MessageKey, string>> = { en, 'zh-CN': zhCN };

const STORAGE_KEY = 'llm-relay.locale';

/** zh, zh-Hans, zh-TW … all read Chinese; everything else English. */
export function localeFromLanguages(langs: readonly string[]): Locale {
  for (const l of langs) {
    const lower = l.toLowerCase();
    if (lower.startsWith('zh')) return 'zh-CN';
    if (lower.startsWith('en')) return 'en';
  }
  return 'en';
}

export function format(template: string, params?: Record<string, string | number>): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m));
}

function initialLocale(): Locale {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'en' || saved === 'zh-CN') return saved;
  } catch {
    // storage blocked (private mode): fall back to the browser's language
  }
  return localeFromLanguages(navigator.languages?.length ? navigator.languages : [navigator.language]);
}

class I18n {
  #locale = $state<Locale>(initialLocale());

  get locale(): Locale {
    return this.#locale;
  }

  set locale(l: Locale) {
    this.#locale = l;
    try {
      localStorage.setItem(STORAGE_KEY, l);
    } catch {
      // not persisted; the choice still holds for this page
    }
    document.documentElement.lang = l;
  }

  t(key: MessageKey, params?: Record<string, string | number>): string {
    return format(dictionaries[this.#locale][key] ?? en[key] ?? key, params);
  }
}

export const i18n = new I18n();
export const t = (key: MessageKey, params?: Record<string, string | number>): string => i18n.t(key, params);
