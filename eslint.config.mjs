// Lint: typescript-eslint's type-checked rules everywhere, plus the architecture rules of
// ARCHITECTURE.md ("Layers and allowed imports"): the pure core, the direction of imports
// between libs, and what the demo apps may use. `npm run lint` fails on any finding.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const LIBS = [
  'protocol',
  'replicated-log',
  'lock-table',
  'wal',
  'replica',
  'lock-api',
  'lock-client',
  'simulator',
  'history-checker',
  'workload',
];

/** Which of our libs each layer may import (ARCHITECTURE.md, "Layers and allowed imports"). */
const ALLOWED_LIBS = {
  'libs/protocol': [],
  'libs/replicated-log': ['lock-table'],
  'libs/lock-table': ['replicated-log'],
  'libs/wal': ['replicated-log', 'lock-table'],
  'libs/replica': ['protocol', 'replicated-log', 'lock-table', 'wal'],
  'libs/lock-api': ['protocol', 'replicated-log', 'lock-table', 'replica'],
  'libs/lock-client': ['protocol'],
  'libs/simulator': ['protocol', 'replicated-log', 'lock-table'],
  'libs/history-checker': [],
  'libs/workload': ['history-checker', 'replicated-log'],
  'apps/leader': ['protocol', 'replica', 'lock-api'],
  'apps/follower': ['protocol', 'replica', 'lock-api'],
  'apps/philosophers': ['protocol', 'lock-client'],
  'apps/twopc': ['protocol', 'lock-client'],
  'apps/verify': ['protocol', 'lock-client', 'history-checker', 'workload'],
};

const PURE_LIBS = ['libs/replicated-log', 'libs/lock-table'];

/** Libs that import nothing but their own files: no Nest, no node:*, no packages. */
const SELF_CONTAINED_LIBS = ['libs/history-checker'];

/** Relative imports may not climb into another lib or an app: use the @app/ alias (or nothing). */
const NO_RELATIVE_ESCAPE = {
  regex: '^(\\.\\.?/)+(.*/)?(apps|libs)(/|$)|(^|/)\\.\\./[a-z-]+/src(/|$)',
  message: 'import another lib through its @app/ alias, and never an app',
};

function forbiddenLibs(allowed, own) {
  const forbidden = LIBS.filter((lib) => !allowed.includes(lib) && lib !== own);
  return forbidden.length === 0
    ? []
    : [
        {
          regex: `^@app/(${forbidden.join('|')})(/|$)`,
          message: `not allowed by the layering in ARCHITECTURE.md (this layer may use: ${allowed.map((lib) => `@app/${lib}`).join(', ') || 'none of our libs'})`,
        },
      ];
}

function layerImportRule(folder) {
  const own = folder.startsWith('libs/') ? folder.slice('libs/'.length) : null;
  const patterns = [NO_RELATIVE_ESCAPE, ...forbiddenLibs(ALLOWED_LIBS[folder], own)];
  if (PURE_LIBS.includes(folder)) {
    patterns.push({
      // Anything but a relative import or the other core lib: no Nest, no node:*, no rxjs, no packages.
      regex: '^(?!\\.|@app/(replicated-log|lock-table)$)',
      message:
        'the core is pure: it imports only its own files and @app/replicated-log / @app/lock-table (ARCHITECTURE.md, "The pure core")',
    });
  }
  if (SELF_CONTAINED_LIBS.includes(folder)) {
    patterns.push({
      regex: '^(?!\\.)',
      message: 'the history checker is pure: it imports only its own files (no Nest, no node:*, no packages)',
    });
  }
  return ['error', { patterns }];
}

const NO_DYNAMIC_IMPORT = {
  selector: 'ImportExpression',
  message: 'the core is pure: no dynamic import()',
};

const PURE_GLOBALS = [
  'Date',
  'performance',
  'process',
  'setTimeout',
  'setInterval',
  'setImmediate',
  'clearTimeout',
  'clearInterval',
  'clearImmediate',
  'queueMicrotask',
  'crypto',
  'require',
].map((name) => ({
  name,
  message: `the core is pure: time comes in as ticks or entry fields, randomness as a seeded generator (no ${name})`,
}));

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      'data/**',
      'reports/**',
      '.stryker-tmp/**',
      'bench-results/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      // The same compiler options as `npm run typecheck`, so lint and typecheck agree (noUncheckedIndexedAccess).
      parserOptions: {
        project: ['./tsconfig.typecheck.json', './tsconfig.typecheck-e2e.json'],
        tsconfigRootDir: import.meta.dirname,
      },
      globals: { ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      // Decorated Nest classes (modules, CQRS queries) are legitimately empty.
      '@typescript-eslint/no-extraneous-class': 'off',
      'no-restricted-imports': ['error', { patterns: [NO_RELATIVE_ESCAPE] }],
    },
  },
  // The scripts and configs are plain Node CommonJS/ESM: no type information.
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { ...globals.node },
      sourceType: 'commonjs',
    },
    rules: {
      ...tseslint.configs.disableTypeChecked.rules,
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  { files: ['**/*.mjs'], languageOptions: { sourceType: 'module' } },
  // Layering: one no-restricted-imports per folder (a later block replaces, not merges, the rule).
  ...Object.keys(ALLOWED_LIBS).map((folder) => ({
    files: [`${folder}/**/*.ts`],
    rules: { 'no-restricted-imports': layerImportRule(folder) },
  })),
  // The pure core: no clock, no randomness, no timers, no process, and synchronous outside the driver.
  {
    files: PURE_LIBS.map((folder) => `${folder}/src/**/*.ts`),
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-syntax': ['error', NO_DYNAMIC_IMPORT],
      'no-restricted-globals': ['error', ...PURE_GLOBALS],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'the core is pure: use the seeded SeededRandom' },
        { object: 'globalThis', message: 'the core is pure: no ambient globals' },
      ],
    },
  },
  {
    files: PURE_LIBS.map((folder) => `${folder}/src/**/*.ts`),
    ignores: ['**/*.spec.ts', 'libs/replicated-log/src/driver/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        NO_DYNAMIC_IMPORT,
        {
          selector: ':function[async=true]',
          message: 'the core steps synchronously; only libs/replicated-log/src/driver may be async',
        },
        {
          selector: 'Identifier[name="Promise"]',
          message: 'the core steps synchronously; only libs/replicated-log/src/driver may be async',
        },
      ],
    },
  },
  // Specs and e2e suites. Looser on purpose, and only here:
  // - supertest's `res.body` and the Nest TCP client's answers are `any`; the suites read
  //   fields of them and assert with expect(), which is the check, so the no-unsafe-* family is off;
  // - jest's expect(obj.method) idiom references methods unbound (unbound-method off).
  // no-floating-promises, no-explicit-any and no-unused-vars stay on.
  {
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', 'test/**/*.ts', 'libs/*/test/**/*.ts'],
    languageOptions: { globals: { ...globals.node, ...globals.jest } },
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
