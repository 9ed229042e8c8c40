// Bundles the extension, the CLI and the extension-host test suite with esbuild.
// Type checking is separate (`npm run check-types`), as in the VS Code esbuild sample.
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // ssh2 loads its native crypto binding in a try and falls back to pure JavaScript.
  external: ['vscode', '*.node', 'cpu-features'],
};

const builds = [
  { entry: 'src/extension/extension.ts', options: { entryPoints: { extension: 'src/extension/extension.ts' }, outdir: 'out' } },
  { entry: 'src/cli/main.ts', options: { entryPoints: { cli: 'src/cli/main.ts' }, outdir: 'out', banner: { js: '#!/usr/bin/env node' } } },
  { entry: 'test/vscode/suite/index.ts', options: { entryPoints: { index: 'test/vscode/suite/index.ts' }, outdir: 'out/test/suite', external: [...common.external, 'mocha'] } },
].filter((b) => existsSync(b.entry)).map((b) => b.options);

const contexts = await Promise.all(builds.map((b) => esbuild.context({ ...common, ...b })));
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
