// ESLint with typescript-eslint's type-aware rules over every TypeScript folder;
// formatting is Prettier's job (eslint-config-prettier turns the style rules off).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'node_modules/', '.bench-results/', 'test-output/'] },
  js.configs.recommended,
  // A `let` that a closure reads before its one assignment (a timer set later) cannot be const.
  { rules: { 'prefer-const': ['error', { ignoreReadBeforeAssign: true }] } },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Ports return promises; an in-memory fake or a handler that has nothing to await
      // implements them with `async` so every path rejects rather than throws.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Test files read untyped values on purpose (supertest's `response.body`, jest's
    // asymmetric matchers, payloads mutated into malformed shapes): the any-tracking
    // rules stay on for src/, harness/, bench/, demo/, grafana/ and test/support/.
    files: ['test/**/*.test.ts', 'test/*/support/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { require: 'readonly', module: 'writable', process: 'readonly', console: 'readonly', __dirname: 'readonly' } },
  },
  prettier,
);
