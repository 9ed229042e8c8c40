// Bundles the extension-host test suite (test/vscode/suite/index.ts → out/test/suite/index.js)
// with every *.test.ts under test/vscode/suite, found here rather than listed by hand: a new
// test file cannot be left out. index.ts imports the list from the virtual module below; each
// file is required lazily, after mocha's 'pre-require' has defined describe/it.
import { build, type Plugin } from 'esbuild';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..');
const SUITE_DIR = path.join(REPO, 'test', 'vscode', 'suite');
export const TEST_FILES_MODULE = 'virtual:vscode-test-files';

export function vscodeTestFiles(): string[] {
  return (readdirSync(SUITE_DIR, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => f.split(path.sep).join('/'))
    .sort();
}

const testFiles: Plugin = {
  name: 'vscode-test-files',
  setup(b) {
    b.onResolve({ filter: /^virtual:vscode-test-files$/ }, (args) => ({ path: args.path, namespace: 'vscode-test-files' }));
    b.onLoad({ filter: /.*/, namespace: 'vscode-test-files' }, () => {
      const files = vscodeTestFiles();
      if (files.length === 0) throw new Error(`no *.test.ts under ${SUITE_DIR}`);
      const entries = files.map((f) => `  [${JSON.stringify(f)}, () => require(${JSON.stringify(`./${f}`)})],`);
      return { contents: `export const TEST_FILES = [\n${entries.join('\n')}\n];\n`, resolveDir: SUITE_DIR, loader: 'js' };
    });
  },
};

async function main(): Promise<void> {
  await build({
    entryPoints: [path.join(SUITE_DIR, 'index.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
    external: ['vscode', '*.node', 'cpu-features', 'mocha'],
    sourcemap: true,
    outfile: path.join(REPO, 'out', 'test', 'suite', 'index.js'),
    plugins: [testFiles],
  });
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
