// Mocha runner inside the VS Code extension host (code-server's, see test/vscode/runTests.ts).
// `npm run build` bundles this file and the test files it requires into
// out/test/suite/index.js (mocha stays external and loads from node_modules).
//
// To add a test file: add a line to SUITES below. Test files are required lazily inside
// run(), after mocha's 'pre-require' has put describe/it/before… on the global object
// (a static `import` would be evaluated before that, when `describe` does not exist yet).
//
// Environment (read in the extension host): DOCKER_LEVELS_TEST_GREP filters tests by title.
import Mocha from 'mocha';
import { testError, testLog } from './testLog';

/** Sends mocha's reporter output (Base.consoleLog) to the test log until restore() runs. */
function reporterToTestLog(): () => void {
  const base = Mocha.reporters.Base as unknown as { consoleLog: (...args: unknown[]) => void };
  const original = base.consoleLog;
  base.consoleLog = testLog;
  return () => {
    base.consoleLog = original;
  };
}

/* eslint-disable @typescript-eslint/no-require-imports */
const SUITES: Array<[name: string, load: () => unknown]> = [
  ['activation.test', () => require('./activation.test')],
  ['levels.test', () => require('./levels.test')],
  ['soak.test', () => require('./soak.test')],
];
/* eslint-enable @typescript-eslint/no-require-imports */

export async function run(): Promise<void> {
  const restoreConsole = reporterToTestLog();
  try {
    await runMocha();
  } finally {
    restoreConsole();
  }
}

function runMocha(): Promise<void> {
  const mocha = new Mocha({
    ui: 'bdd',
    timeout: 120_000,
    color: false,
    reporter: 'spec',
  });
  const grep = process.env.DOCKER_LEVELS_TEST_GREP;
  if (grep) mocha.grep(grep);

  for (const [name, load] of SUITES) {
    mocha.suite.emit('pre-require', globalThis, name, mocha);
    let exports: unknown;
    try {
      exports = load();
    } catch (err) {
      testError(`cannot load test file ${name}:`, err);
      testLog('0 passed, 1 failed');
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    mocha.suite.emit('require', exports, name, mocha);
    mocha.suite.emit('post-require', globalThis, name, mocha);
  }

  return new Promise<void>((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        const { passes = 0, failures: failed = failures, pending = 0 } = runner.stats ?? {};
        // The closing line CI reads ("N passed, N failed"), alone on its line.
        testLog(`${passes} passed, ${failed} failed${pending ? `, ${pending} skipped` : ''}`);
        if (failures > 0) reject(new Error(`${failures} test(s) failed.`));
        else resolve();
      });
    } catch (err) {
      testError(err);
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}
