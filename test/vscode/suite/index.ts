// Mocha runner inside the VS Code extension host (code-server's, see test/vscode/runTests.ts).
// `npm run build` bundles this file and every *.test.ts next to it into
// out/test/suite/index.js (esbuild.mjs finds them; mocha stays external).
// Test files are required lazily inside run(), after mocha's 'pre-require' has put
// describe/it/before… on the global object.
//
// Environment (read in the extension host): DOCKER_LEVELS_TEST_GREP filters tests by title
// (printed when in force); DOCKER_LEVELS_TEST_COUNTS names the file the counts go to
// (planned/passed/failed/pending/not run, see test/support/countingReporter.ts).
import Mocha from 'mocha';
import { TEST_FILES } from 'virtual:vscode-test-files';
import CountingReporter from '../../support/countingReporter';
import { countsOf, writeCounts } from '../../support/stageCounts';
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
    reporter: CountingReporter,
  });
  const grep = process.env.DOCKER_LEVELS_TEST_GREP;
  if (grep) {
    testLog(`DOCKER_LEVELS_TEST_GREP in force: only tests matching '${grep}' run`);
    mocha.grep(grep);
  }

  for (const [name, load] of TEST_FILES) {
    mocha.suite.emit('pre-require', globalThis, name, mocha);
    let exports: unknown;
    try {
      exports = load();
    } catch (err) {
      testError(`cannot load test file ${name}:`, err);
      // Nothing was planned that could be counted: the stage reports one failure, no tests.
      writeCounts(process.env.DOCKER_LEVELS_TEST_COUNTS, countsOf(0, 0, 1, 0));
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    mocha.suite.emit('require', exports, name, mocha);
    mocha.suite.emit('post-require', globalThis, name, mocha);
  }
  testLog(`test files: ${TEST_FILES.map(([name]) => name).join(', ')}`);

  return new Promise<void>((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        const { passes = 0, failures: failed = failures, pending = 0 } = runner.stats ?? {};
        const notRun = Math.max(0, runner.total - passes - failed - pending);
        testLog(`${passes} passed, ${failed} failed, ${pending + notRun} skipped`);
        if (failures > 0 || notRun > 0) reject(new Error(`${failures} failure(s), ${notRun} planned test(s) not run.`));
        else resolve();
      });
    } catch (err) {
      testError(err);
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}
