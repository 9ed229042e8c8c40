// The one build script: every bundle Docker Levels ships or tests, with the flags said once.
//   node esbuild.mjs                       dev build of all bundles into out/ (with source maps)
//   node esbuild.mjs --production          minified extension and CLI (what `npm run package` ships)
//   node esbuild.mjs --production --outdir=DIR --metafile=FILE --only=extension
//                                          the same bundles elsewhere (the packaging bench)
//   node esbuild.mjs --only=test --suite=bench --outdir=DIR
//                                          the extension-host bench files (*.bench.ts) instead of the tests
import * as esbuild from 'esbuild';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.dirname(fileURLToPath(import.meta.url));

const common = {
  bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning', absWorkingDir: REPO,
  external: ['vscode', '*.node', 'cpu-features'],
};
// dockerode's BuildKit session code (gRPC, protobuf) and docker-modem's ssh transport (ssh2) are never used.
const appAliases = {
  '@grpc/grpc-js': './src/bundling/buildkitUnavailable.js',
  '@grpc/proto-loader': './src/bundling/buildkitUnavailable.js',
  protobufjs: './src/bundling/buildkitUnavailable.js',
  ssh2: './src/bundling/ssh2Unused.js',
};

// The extension-host suite bundles every *.test.ts under test/vscode/suite, found here rather
// than listed by hand, so a new test file cannot be left out. index.ts imports the list from
// this virtual module; each file is required lazily, after mocha's 'pre-require'. With
// --suite=bench the same runner bundles the *.bench.ts files instead: they need what only a
// bench run sets up, so they stay out of the tests.
const SUITE_DIR = path.join(REPO, 'test', 'vscode', 'suite');
const suffix = `.${option('suite') ?? 'test'}.ts`;
const vscodeTestFiles = {
  name: 'vscode-test-files',
  setup(b) {
    b.onResolve({ filter: /^virtual:vscode-test-files$/ }, (args) => ({ path: args.path, namespace: 'vscode-test-files' }));
    b.onLoad({ filter: /.*/, namespace: 'vscode-test-files' }, () => {
      const files = readdirSync(SUITE_DIR, { recursive: true }).filter((f) => f.endsWith(suffix))
        .map((f) => f.split(path.sep).join('/')).sort();
      if (files.length === 0) throw new Error(`no *${suffix} under ${SUITE_DIR}`);
      const entries = files.map((f) => `  [${JSON.stringify(f)}, () => require(${JSON.stringify(`./${f}`)})],`);
      return { contents: `export const TEST_FILES = [\n${entries.join('\n')}\n];\n`, resolveDir: SUITE_DIR, loader: 'js' };
    });
  },
};

/** name → [entry, output under outdir, options]; `dev` bundles are left out of a production build. */
const bundles = {
  extension: ['src/extension/extension.ts', 'extension.js', { alias: appAliases }],
  cli: ['src/cli/main.ts', 'cli.js', { alias: appAliases, banner: { js: '#!/usr/bin/env node' } }],
  test: ['test/vscode/suite/index.ts', 'test/suite/index.js', { external: [...common.external, 'mocha'], plugins: [vscodeTestFiles], dev: true }],
};

function option(name) {
  const arg = process.argv.slice(2).find((a) => a.startsWith(`--${name}=`));
  return arg?.slice(name.length + 3);
}

const production = process.argv.includes('--production');
const outdir = path.resolve(REPO, option('outdir') ?? 'out');
const metafile = option('metafile');
const only = option('only')?.split(',');

const chosen = Object.entries(bundles).filter(([name, [, , o]]) => (only ? only.includes(name) : !(production && o.dev)));
const results = await Promise.all(chosen.map(([, [entry, outfile, { dev: _dev, ...o }]]) => {
  const mapped = !production;
  return esbuild.build({
    ...common, ...o, entryPoints: [entry], outfile: path.join(outdir, outfile),
    minify: o.minify ?? production, sourcemap: mapped, metafile: !!metafile,
  });
}));
if (metafile) {
  const outputs = Object.assign({}, ...results.map((r) => r.metafile.outputs));
  const inputs = Object.assign({}, ...results.map((r) => r.metafile.inputs));
  const { writeFileSync, mkdirSync } = await import('node:fs');
  mkdirSync(path.dirname(path.resolve(metafile)), { recursive: true });
  writeFileSync(path.resolve(metafile), JSON.stringify({ inputs, outputs }));
}
