import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import homelabarr from './eslint-rules/module-boundaries.js';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'test-results/**', 'apps/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', 'scripts/*.mjs', 'eslint-rules/*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Each module is used by the rest of the server through its index.ts only (docs/architecture.md).
    files: ['src/server/**/*.ts'],
    plugins: { homelabarr },
    rules: { 'homelabarr/module-boundaries': 'error' },
  },
  {
    // Side effects live in infra: services and routes never import these directly.
    files: ['src/server/modules/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['dockerode', 'better-sqlite3', 'node:child_process', 'child_process', 'node:fs', 'fs', 'node:fs/promises', 'fs/promises'],
        },
      ],
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Configuration comes from config.ts.' }],
    },
  },
  {
    // Named exceptions: the catalog is files (read, checked and watched where they lie), and the
    // import of the original product reads its checkout. Both only read.
    files: [
      'src/server/modules/catalog/catalog-loader.ts',
      'src/server/modules/catalog/catalog-check.ts',
      'src/server/modules/catalog/catalog.service.ts',
      'src/server/modules/maintenance/original-import.service.ts',
    ],
    rules: {
      'no-restricted-imports': ['error', { paths: ['dockerode', 'better-sqlite3', 'node:child_process', 'child_process'] }],
    },
  },
  {
    // Infra reports facts; the service layer decides how the API answers them (src/server/app-errors).
    files: ['src/server/infra/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/errors.js', '**/app-errors/*'],
              message: 'Infra throws its own errors with the facts as fields; app-errors/ maps them to AppErrors.',
            },
          ],
        },
      ],
    },
  },
  {
    // Tests read JSON bodies loosely and assert their shape; the any-safety rules only add noise there.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
