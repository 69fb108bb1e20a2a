import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import svelte from 'eslint-plugin-svelte';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'data/**', '.tools/**', '**/.turbo/**', 'bench/reports/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    // TypeScript inside <script lang="ts"> and in rune modules (*.svelte.ts)
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
    rules: {
      // the UI replaces whole collections held in $state (a new Set on each toggle) and keeps private
      // buffers that are deliberately not reactive (live-logs.svelte.ts flushes them into $state.raw)
      'svelte/prefer-svelte-reactivity': 'off',
    },
  },
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'warn',
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read the environment only in the service env.ts (one zod schema parsed at start-up).' }],
    },
  },
  {
    files: ['**/env.ts', '**/*.test.ts', 'scripts/**', 'bench/**', '**/test/**', 'packages/config/**', 'packages/testkit/**', '**/bench/**', 'tests/**', 'deploy/**', '**/vitest.config.ts', 'web/vite.config.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
);
