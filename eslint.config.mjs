// Lint: strict TypeScript rules that catch bugs, floating promises, and one import order.
import importPlugin from 'eslint-plugin-import';
import tseslint from 'typescript-eslint';

// The layer graph of lib/: each folder imports only the folders listed for it (and external
// packages). lib/index.ts and the subpath entry points sit above everything.
const LAYERS = {
  model: [],
  bounds: [],
  render: ['model'],
  image: ['model', 'render'],
  deploy: ['model', 'render'],
  output: ['bounds', 'model'],
  policy: ['bounds', 'model'],
  inspect: ['bounds', 'model'],
  verify: ['bounds', 'model', 'inspect'],
  registry: ['bounds', 'model'],
  sbom: ['bounds', 'model', 'inspect'],
  pin: ['bounds', 'model', 'output', 'registry'],
  app: ['model', 'render', 'image', 'deploy', 'output', 'policy', 'pin'],
  interop: ['model', 'deploy'],
  pulumi: ['model', 'render', 'image', 'deploy', 'app'],
  cli: ['bounds', 'model', 'render', 'output', 'policy', 'inspect', 'verify', 'registry', 'sbom', 'pin', 'app'],
};
const layerZones = Object.entries(LAYERS).map(([layer, allowed]) => ({
  target: `./lib/${layer}`,
  from: Object.keys(LAYERS).filter((other) => other !== layer && !allowed.includes(other)).map((other) => `./lib/${other}`),
  message: `lib/${layer} may import only ${allowed.length ? allowed.map((a) => `lib/${a}`).join(', ') : 'external packages'} (the layer graph in eslint.config.mjs)`,
}));

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'coverage/', '.cache/', '**/*.js', '**/*.mjs'] },
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
  {
    // The Pulumi packages and cdk8s-plus-27 are optional peers: only their own entry points
    // may load them, so `import 'goship'` works where they are not installed.
    files: ['lib/**/*.ts'],
    ignores: ['lib/pulumi/**', 'lib/interop/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['@pulumi/*'], message: 'only lib/pulumi may import Pulumi (an optional peer dependency)' },
        { group: ['cdk8s-plus-27'], message: 'only lib/interop may import cdk8s-plus-27 (an optional peer dependency)' },
      ] }],
    },
  },
);
