// ESLint flat config. Lives in .config/ so the project's top level stays as DESIGN.md fixes it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'coverage/**',
      'node_modules/**',
      'test/fixtures/**',
      '**/*.js',
      '**/*.cjs',
      '**/*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mts'],
    languageOptions: {
      // Type information for the promise rules below (test files are in test/tsconfig.json).
      parserOptions: {
        projectService: { allowDefaultProject: ['.config/*.mts'] },
        tsconfigRootDir: new URL('..', import.meta.url).pathname,
      },
    },
    rules: {
      // A promise nobody awaits loses its error (and, in a function, outlives the invocation).
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // `typeof import(...)` stays allowed: tests import function modules after setting app settings.
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Only shared/config/app-settings.ts reads process.env.',
        },
      ],
    },
  },
  {
    // The settings reader, the local host (which must publish local.settings.json to the in-process
    // functions exactly as Core Tools does) and tests may touch process.env.
    files: ['shared/config/app-settings.ts', 'shared/local-host/**/*.ts', 'test/**/*.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
);
