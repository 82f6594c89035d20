// typescript-eslint's type-aware recommended rules (recommendedTypeChecked, which includes
// no-floating-promises) over the sources, collectors, tests and benchmarks; the untyped
// recommended rules over the scripts. Generated validators are data, not code we write.
// The layer table (scripts/layers.mjs, docs/ARCHITECTURE.md) becomes one no-restricted-imports
// rule per folder; test/import-graph.test.ts also checks dynamic imports and cycles.
import { posix } from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { LAYERS } from './scripts/layers.mjs';

/** The TypeScript the project's tsconfig.json compiles: linted with type information. */
const TYPED = ['src/**/*.ts', 'collectors/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'];

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** One config block per layer and folder depth: what a file there may not import, as typed. */
function layerRules() {
  const blocks = [];
  for (const [layer, allowed] of Object.entries(LAYERS)) {
    const forbidden = Object.keys(LAYERS).filter((t) => t !== layer && !allowed.includes(t));
    const isFile = layer.endsWith('.ts');
    for (let depth = 0; depth < (isFile ? 1 : 3); depth++) {
      const dir = isFile ? posix.dirname(layer) : posix.join(layer, ...Array(depth).fill('x'));
      const patterns = forbidden.map((t) => {
        const rel = posix.relative(dir, t.endsWith('.ts') ? t.replace(/\.ts$/, '.js') : t);
        const spec = rel.startsWith('.') ? rel : `./${rel}`;
        return { regex: t.endsWith('.ts') ? `^${escape(spec)}$` : `^${escape(spec)}(/|\\.js$)`, message: `${layer} may not import ${t} (layer table: docs/ARCHITECTURE.md, scripts/layers.mjs)` };
      });
      if (!allowed.includes('sdk')) patterns.push({ regex: '^@(aws-sdk|smithy)/', message: `${layer} may not import the AWS SDK (layer table: docs/ARCHITECTURE.md)` });
      if (patterns.length === 0) continue;
      blocks.push({
        files: isFile ? [layer] : [`${layer}/${Array(depth).fill('*').concat('*.ts').join('/')}`],
        rules: { 'no-restricted-imports': ['error', { patterns }] },
      });
    }
  }
  return blocks;
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'reports/**', 'src/controls/validators.generated.ts', 'vendor/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked.map((c) => ({ ...c, files: TYPED })),
  {
    files: TYPED,
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
  },
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', TextDecoder: 'readonly', TextEncoder: 'readonly', performance: 'readonly', queueMicrotask: 'readonly', structuredClone: 'readonly', fetch: 'readonly' },
    },
    rules: {
      // the text sanitisers (output/text.ts, junit.ts, text-table.ts) match control characters on purpose
      'no-control-regex': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      // String(x) of an unknown AWS answer or error is how messages name what came back; an
      // object there prints as [object Object] rather than failing, which is what we want
      '@typescript-eslint/no-base-to-string': 'off',
      // async generators and interface methods without an await are collectors and signers
      // whose contract is asynchronous; the rule would make them lie about it
      '@typescript-eslint/require-await': 'off',
      // methods passed as values are the engine's checks and bound closures, never `this` users
      '@typescript-eslint/unbound-method': 'off',
      // node-forge's ASN.1 Class/Type enums are compared with the numbers its parser returns
      '@typescript-eslint/no-unsafe-enum-comparison': 'off',
    },
  },
  {
    // tests inspect parsed JSON documents of many shapes
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // x509-path.ts (trust round two) and control-pages.ts (audit-grade packs) are being rewritten
    // on parallel branches; their two redundant assertions go when those merge
    files: ['src/verify/x509-path.ts', 'src/report/control-pages.ts'],
    rules: { '@typescript-eslint/no-unnecessary-type-assertion': 'off' },
  },
  ...layerRules(),
);
