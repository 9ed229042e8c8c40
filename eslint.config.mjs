// Lint for the whole repo: ESLint's and typescript-eslint's recommended rules, plus the layering
// rules (the core never imports vscode; the extension never reaches the Docker client).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'test-results/**', '.vscode-test/**', 'src/bundling/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  { files: ['media/**/*.js'], languageOptions: { globals: { ...globals.browser, acquireVsCodeApi: 'readonly' } } },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'The core never imports vscode.' }],
        patterns: [{ group: ['**/extension/**', '**/cli/**'], message: 'The core never imports a front end.' }] }],
    },
  },
  {
    // The CLI is a front end too: it drives levels through the core's functions.
    files: ['src/cli/**/*.ts'],
    rules: {
      'no-restricted-syntax': ['error', {
        selector: 'MemberExpression[property.name="docker"][object.type!="ThisExpression"]',
        message: 'A level\'s Docker client is private to the core: call a core function instead.',
      }],
    },
  },
  {
    files: ['src/extension/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [
        { name: 'dockerode', message: 'The Docker client is private to the core: add what you need to src/core.' },
        { name: 'docker-modem', message: 'The Docker client is private to the core: add what you need to src/core.' },
      ] }],
      'no-restricted-syntax': ['error', {
        selector: 'MemberExpression[property.name="docker"][object.type!="ThisExpression"]',
        message: 'A level\'s Docker client is private to the core: call a core function instead.',
      }],
    },
  },
);
