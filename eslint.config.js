// @ts-check
import tseslint from 'typescript-eslint';

// One logger factory for every process (src/lib/logger.ts redacts secrets): nothing else builds a
// pino logger. Every folder's own restriction repeats this one, since a later rule entry replaces
// an earlier one for the files both match.
const onlyOneLogger = { group: ['pino', 'pino/*'], message: 'build loggers with createLogger of src/lib/logger.ts: it redacts secrets' };

const restrict = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: [onlyOneLogger, ...patterns.map((group) => ({ group: [group], message }))] }],
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bin/**', 'src/web/static/**', 'eslint.config.js', 'scripts/*.mjs'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test's test()/describe() return promises the runner itself awaits.
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }] },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  { files: ['**/*.ts'], ignores: ['src/lib/logger.ts'], rules: restrict([], '') },
  // Boundaries from DESIGN.md: api imports nothing of Shoal; the agent never imports the manager;
  // reconcile and scheduling code does no I/O and knows no backend.
  { files: ['src/api/**'], rules: restrict(['**/lib/*', '**/manager/*', '**/agent/*', '**/cli/*', '**/client/*'], 'src/api imports nothing else of Shoal') },
  { files: ['src/agent/**'], rules: restrict(['**/manager/*', '**/manager/**'], 'the agent never imports the manager') },
  {
    files: ['src/manager/orchestrator/**', 'src/manager/scheduler/**'],
    ignores: ['**/*-loop.ts', '**/*.test.ts'],
    rules: restrict(['node:*', '**/store/sqlite-*', 'dockerode', 'better-sqlite3'], 'reconcile and scheduling code is pure: no I/O'),
  },
  { files: ['src/client/**'], rules: restrict(['**/manager/**', '**/agent/**'], 'the client talks only REST') },
);
