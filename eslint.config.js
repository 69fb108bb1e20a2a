import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'data/**', '.tools/**', 'web/**/*.svelte', '**/.turbo/**', 'bench/reports/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'warn',
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read the environment only in env.ts (STYLE.md rule 5).' }],
    },
  },
  {
    files: ['**/env.ts', '**/*.test.ts', 'scripts/**', 'bench/**', '**/test/**', 'packages/config/**', 'packages/testkit/**', '**/bench/**', 'tests/**', 'deploy/**', '**/vitest.config.ts', 'web/vite.config.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
);
