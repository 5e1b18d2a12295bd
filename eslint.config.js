// Lint enforces the layering of DESIGN.md section 1: protocols ← runtime ← supervisors; actors see
// only protocols. runtime/cli and runtime/bench are the composition roots and may import anything.
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

const layer = (files, forbidden, message) => ({
  files,
  ignores: ['**/*.test.ts', '**/testing/**', 'runtime/cli/**', 'runtime/bench/**'],
  rules: {
    'no-restricted-imports': ['error', { patterns: forbidden.map((group) => ({ group: [group], message })) }],
  },
});

export default tseslint.config(
  { ignores: ['node_modules/**', 'var/**', 'bench-results/**', 'deploy/**/*.js'] },
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser, parserOptions: { ecmaVersion: 2022, sourceType: 'module' } },
    plugins: { '@typescript-eslint': tseslint.plugin, 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })], 'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] }, 'import-x/extensions': ['.ts', '.js'] },
    rules: {
      'import-x/no-cycle': ['error', { maxDepth: 3, ignoreExternal: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'Read env only in runtime/config (one place reads the environment).' },
      ],
    },
  },
  { files: ['runtime/config/**', 'runtime/cli/**', 'runtime/bench/**', 'runtime/testing/**', '**/*.test.ts'], rules: { 'no-restricted-syntax': 'off' } },
  layer(['protocols/**/*.ts'], ['**/runtime/**', '**/supervisors/**', '**/actors/**', '**/models/**'], 'protocols is data only and imports nothing of ours.'),
  layer(['runtime/**/*.ts'], ['**/supervisors/**', '**/actors/**'], 'runtime must not depend on supervisors or actors; inject them from runtime/cli.'),
  layer(['supervisors/**/*.ts'], ['**/actors/**'], 'supervisors host actors given to them; they do not import actors.'),
  layer(['actors/**/*.ts'], ['**/runtime/**', '**/supervisors/**', '**/models/!(features)/**'], 'actors import protocols (and the pure models/features spec) only; everything else is injected.'),
  {
    files: ['actors/**/*.ts', 'supervisors/**/*.ts'],
    ignores: ['**/*.test.ts', '**/testing.ts', '**/test-harness.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'Use the injected clock.' }],
      'no-restricted-globals': ['error', { name: 'setTimeout', message: 'Use the injected clock.' }, { name: 'setInterval', message: 'Use the injected clock.' }],
    },
  },
);
