// Lint: strict TypeScript rules that catch bugs, floating promises, and one import order.
import importPlugin from 'eslint-plugin-import';
import tseslint from 'typescript-eslint';

// The layer graph of lib/: each folder imports only the folders listed for it (and external
// packages). lib/index.ts and the subpath entry points sit above everything.
const LAYERS = {
  model: [],
  render: ['model'],
  image: ['model', 'render'],
  deploy: ['model', 'render'],
  output: ['model'],
  policy: ['model'],
  inspect: ['model'],
  verify: ['model', 'inspect'],
  registry: ['model'],
  sbom: ['model', 'inspect'],
  pin: ['model', 'output', 'registry'],
  app: ['model', 'render', 'image', 'deploy', 'output', 'policy', 'pin'],
  interop: ['model', 'deploy'],
  pulumi: ['model', 'render', 'image', 'deploy', 'app'],
  cli: ['model', 'render', 'output', 'policy', 'inspect', 'verify', 'registry', 'sbom', 'pin', 'app'],
};
const layerZones = Object.entries(LAYERS).map(([layer, allowed]) => ({
  target: `./lib/${layer}`,
  from: Object.keys(LAYERS).filter((other) => other !== layer && !allowed.includes(other)).map((other) => `./lib/${other}`),
  message: `lib/${layer} may import only ${allowed.length ? allowed.map((a) => `lib/${a}`).join(', ') : 'external packages'} (the layer graph in eslint.config.mjs)`,
}));

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'coverage/', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { import: importPlugin },
    settings: { 'import/resolver': { node: { extensions: ['.ts', '.js', '.json'] } } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import/no-restricted-paths': ['error', { zones: layerZones }],
      'import/order': ['error', {
        groups: ['builtin', 'external', 'internal', 'parent', 'sibling', 'index'],
        alphabetize: { order: 'asc', caseInsensitive: true },
      }],
    },
  },
);
