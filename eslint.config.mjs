// ESLint (flat config). Besides the recommended sets, it keeps the layering rules of the project
// (README "Develop", ../shared/docs/style.md §2): per folder, which modules may be imported.
//   src/core     pure TS: neither `vscode` nor Node built-ins (runs in CLI, extension host and browser)
//   src/webview  browser code: no Node built-ins, no `vscode` (the host talks to it by message only)
//   src/cli      a Node program: no `vscode`
// and the security rules of issue 8 for everything that ships: nothing from the workspace is executed
// (no eval, no Function constructor, no vm/child_process), webviews build the DOM with text only, and
// nonces come from crypto.getRandomValues, never Math.random.
// test/unit/tooling/eslint.test.ts proves each ban fires on a snippet in its folder.
import js from '@eslint/js';
import globals from 'globals';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

const nodeBuiltins = builtinModules.filter((m) => !m.startsWith('_'));
/** @param {string} why */
const vscodeBan = (why) => ({ name: 'vscode', message: `\`vscode\` is not available here: ${why}` });
/** @param {string} why */
const nodeBans = (why) => ({
  paths: nodeBuiltins.map((name) => ({ name, message: `Node built-in \`${name}\` is not available here: ${why}` })),
  patterns: [{ group: ['node:*'], message: `Node built-ins are not available here: ${why}` }],
});
const CORE = 'src/core is pure TypeScript (it also runs in the browser); let the caller do I/O and pass data in';
const WEBVIEW = 'src/webview runs in the webview (a browser); ask the extension host by message';
const CLI = 'src/cli is a Node program; share code through src/core';
const EXECUTES = {
  group: ['vm', 'node:vm', 'child_process', 'node:child_process'],
  message: 'Nothing from the workspace is executed (issue 8): no vm, no child processes in shipped code',
};

export default tseslint.config(
  {
    ignores: [
      'dist/',
      '**/node_modules',
      '.vscode-test',
      'coverage/',
      'demo/',
      'test/fixtures/',
      'test/e2e/artifacts/',
      'test-results/',
      '.live-cache/',
      '**/*.vsix',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // how the code is written: `_`-prefixed names are deliberately unused; `catch {}` with a comment is fine
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' }, // `any` is for parsed JSON in tests; none in src
  },
  {
    files: ['test/e2e/**/*.mjs'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } }, // page.evaluate() callbacks run in the page
  },
  // Everything that ships: nothing from the workspace is executed.
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Not for nonces or ids: use crypto.getRandomValues (issue 8)' },
      ],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [vscodeBan(CORE), ...nodeBans(CORE).paths], patterns: [...nodeBans(CORE).patterns, EXECUTES] },
      ],
      'no-console': ['error'], // the core reports findings as data; the CLI and the extension print them
    },
  },
  {
    files: ['src/webview/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [vscodeBan(WEBVIEW), ...nodeBans(WEBVIEW).paths],
          patterns: [...nodeBans(WEBVIEW).patterns, EXECUTES],
        },
      ],
      // build the DOM with textContent/createElement(NS): markup from a string could carry a file's text as HTML
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Not for nonces or ids: use crypto.getRandomValues (issue 8)' },
        ...['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'createContextualFragment'].map((property) => ({
          property,
          message: `Webviews build the DOM with text only (issue 8): no ${property}; use textContent / createElement(NS)`,
        })),
        {
          object: 'document',
          property: 'write',
          message: 'Webviews build the DOM with text only (issue 8): no document.write',
        },
        {
          object: 'document',
          property: 'writeln',
          message: 'Webviews build the DOM with text only (issue 8): no document.writeln',
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'DOMParser', message: 'Webviews build the DOM with text only (issue 8): no DOMParser' },
      ],
    },
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [vscodeBan(CLI)], patterns: [EXECUTES] }] },
  },
  {
    files: ['src/extension/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [EXECUTES] }] },
  },
);
