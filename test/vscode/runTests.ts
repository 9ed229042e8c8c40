// Runs the extension-host test suite (out/test/suite/index.js, built by `npm run build`)
// with @vscode/test-electron's standard runTests(), pointed at code-server through
// test/vscode/launcher/code-server-launcher instead of a downloaded desktop VS Code.
//
//   npm run build && npx tsx test/vscode/runTests.ts
//
// Needs test/vscode/testenv/install.sh to have run once (code-server + Node 24 + chromium).
// Environment: see test/vscode/launcher/launcher.ts (DOCKER_LEVELS_TEST_WORKSPACE, …);
// DOCKER_LEVELS_* and DOCKER_HOST reach the tests in the extension host.
import { runTests } from '@vscode/test-electron';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

async function main(): Promise<number> {
  const repoRoot = path.resolve(__dirname, '..', '..');
  const launcher = path.join(repoRoot, 'test', 'vscode', 'launcher', 'code-server-launcher');
  const extensionTestsPath = path.join(repoRoot, 'out', 'test', 'suite', 'index.js');
  if (!existsSync(extensionTestsPath)) {
    console.error(`${extensionTestsPath} is missing: run \`npm run build\` first.`);
    return 2;
  }
  if (!existsSync(path.join(repoRoot, 'out', 'extension.js'))) {
    console.error('out/extension.js is missing: run `npm run build` first.');
    return 2;
  }
  // A fresh profile per run, so no state leaks between runs (and nothing lands in the repo).
  const profile = mkdtempSync(path.join(tmpdir(), 'docker-levels-vscode-test-'));
  try {
    return await runTests({
      vscodeExecutablePath: launcher,
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath,
      // The launcher's own temp dir (config, browser profile, default workspace) goes here
      // too, so that it is removed below even when a double Ctrl-C SIGKILLs the launcher.
      extensionTestsEnv: { DOCKER_LEVELS_LAUNCHER_TMPDIR: profile },
      launchArgs: [
        `--user-data-dir=${path.join(profile, 'user-data')}`,
        `--extensions-dir=${path.join(profile, 'extensions')}`,
      ],
    });
  } catch (err) {
    // runTests rejects with TestRunFailedError when the launcher exits non-zero.
    const code = (err as { code?: number }).code;
    console.error(`Extension tests failed: ${err instanceof Error ? err.message : String(err)}`);
    return typeof code === 'number' && code !== 0 ? code : 1;
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
