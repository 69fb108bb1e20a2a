import { describe, expect, it } from 'vitest';
import { en } from './i18n/en.ts';
import { zhCN } from './i18n/zh-CN.ts';
import { format, localeFromLanguages } from './i18n.svelte.ts';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('i18n dictionaries', () => {
  it('zh-CN and en have exactly the same keys', () => {
    expect(Object.keys(zhCN).sort()).toEqual(Object.keys(en).sort());
  });

  it('no string is empty and each translation uses the same placeholders', () => {
    for (const [k, v] of Object.entries(en)) {
      const zh = zhCN[k as keyof typeof en];
      expect(v, k).not.toBe('');
      expect(zh, k).not.toBe('');
      expect(placeholders(zh), k).toEqual(placeholders(v));
    }
  });

  it('every key used in the source exists in the dictionaries', async () => {
    const files = import.meta.glob('../**/*.{svelte,ts}', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;
    const missing: string[] = [];
    let seen = 0;
    for (const [file, src] of Object.entries(files)) {
      if (file.includes('/i18n/') || file.endsWith('.test.ts')) continue;
      for (const m of src.matchAll(/\bt\(\s*'([a-zA-Z0-9_.-]+)'/g)) {
        seen++;
        if (!(m[1]! in en)) missing.push(`${file}: ${m[1]}`);
      }
    }
    expect(seen).toBeGreaterThan(100);
    expect(missing).toEqual([]);
  });

  it('picks Chinese for any zh browser language, else English', () => {
    expect(localeFromLanguages(['zh-TW'])).toBe('zh-CN');
    expect(localeFromLanguages(['fr-FR', 'zh'])).toBe('zh-CN');
    expect(localeFromLanguages(['en-GB', 'zh-CN'])).toBe('en');
    expect(localeFromLanguages(['de'])).toBe('en');
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(format('{n} rows of {x}', { n: 3 })).toBe('3 rows of {x}');
  });
});
