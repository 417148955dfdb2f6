// ESLint: the TypeScript rules that catch mistakes (not style: Prettier formats), and the floor plan's import
// boundaries (README, "How it is put together"), enforced in the editor as test/architecture.test.ts enforces them in CI.
import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** The floors, bottom up. The first pattern a file matches names its element. */
const elements = [
  { type: 'domain', pattern: 'shared/domains/*', capture: ['name'] },
  { type: 'platform', pattern: 'shared/platform' },
  { type: 'framework', pattern: 'shared/framework' },
  { type: 'kernel', pattern: 'shared/*', capture: ['name'] },
  { type: 'function', pattern: 'functions/*', capture: ['name'] },
];
const above = (...types) => ({ to: { element: { types: { anyOf: types } } } });

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'engines/**', '**/*.d.ts', '.ci/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { languageOptions: { globals: { ...globals.node } } },
  {
    rules: {
      // Input checks refuse control characters (NUL, C0) on purpose: the regular expressions name them.
      'no-control-regex': 'off',
    },
  },
  {
    files: ['**/*.ts'],
    rules: {
      // Unused imports and variables are mistakes; a leading underscore says "deliberately unused".
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      // `any` is refused at boundaries by the schemas; inside, the compiler's strict mode is the judge.
      '@typescript-eslint/no-explicit-any': 'error',
      // Declaration merging (FunctionServices) needs an empty interface that is extended elsewhere.
      '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'always' }],
    },
  },
  {
    // Tests and benchmarks read JSON answers whose shape the assertions check.
    files: ['test/**/*.ts', 'bench/**/*.ts', '**/*.test.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['shared/**/*.ts', 'functions/**/*.ts'],
    ignores: ['**/*.test.ts'],
    plugins: { boundaries },
    settings: {
      'boundaries/elements': elements,
      'boundaries/include': ['shared/**/*.ts', 'functions/**/*.ts'],
      // Imports name the .js the build emits; the TypeScript resolver finds the .ts beside it.
      'import/resolver': { typescript: { alwaysTryTypes: true } },
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'allow',
          policies: [
            // The kernel holds mechanisms and ports: it never reaches up to domain code, the wiring or a function.
            { from: { element: { type: 'kernel' } }, disallow: above('domain', 'platform', 'framework', 'function') },
            // Domain code several functions share does not know how the process is wired, nor any function.
            { from: { element: { type: 'domain' } }, disallow: above('platform', 'framework', 'function') },
            { from: { element: { types: { anyOf: ['platform', 'framework'] } } }, disallow: above('function') },
            // A function is one deployable: it never imports another function.
            {
              from: { element: { type: 'function' } },
              disallow: { to: { element: { type: 'function', captured: { name: '!{{ from.element.captured.name }}' } } } },
            },
          ],
        },
      ],
    },
  },
);
