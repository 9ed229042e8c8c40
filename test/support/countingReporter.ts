// Mocha's spec reporter, which also counts: planned (tests in the loaded suites, after any
// grep), passed, failed, pending and not run, written to the JSON file named by the reporter
// option `counts` or by DOCKER_LEVELS_TEST_COUNTS. A test under a failed before-hook emits
// no event of its own; it shows up as planned but not run.
//
//   mocha --reporter test/support/countingReporter.ts --reporter-option counts=out.json
import Mocha from 'mocha';
import { addFailure, countsOf, failureLine, writeCounts, type StageCounts } from './stageCounts';

const { EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING, EVENT_RUN_END } = Mocha.Runner.constants;

class CountingReporter extends Mocha.reporters.Spec {
  /** The counts once the run has ended (the extension host's runner reads them). */
  counts: StageCounts | undefined;

  constructor(runner: Mocha.Runner, options: Mocha.MochaOptions = {}) {
    super(runner, options);
    const file = (options.reporterOptions as { counts?: string } | undefined)?.counts ?? process.env.DOCKER_LEVELS_TEST_COUNTS;
    // Sets, because a test can report twice (a failing afterEach after it passed).
    const passed = new Set<Mocha.Runnable>();
    const failed = new Set<Mocha.Runnable>();
    const pending = new Set<Mocha.Runnable>();
    let failedHooks = 0;
    const failures: string[] = [];
    runner.on(EVENT_TEST_PASS, (test) => passed.add(test));
    runner.on(EVENT_TEST_PENDING, (test) => pending.add(test));
    runner.on(EVENT_TEST_FAIL, (runnable, err: unknown) => {
      addFailure(failures, failureLine(runnable.fullTitle(), err));
      if ((runnable as { type?: string }).type === 'hook') failedHooks++;
      else {
        passed.delete(runnable);
        failed.add(runnable);
      }
    });
    runner.once(EVENT_RUN_END, () => {
      this.counts = countsOf(runner.total, passed.size, failed.size, pending.size, failedHooks, failures);
      const c = this.counts;
      if (c.notRun > 0) Mocha.reporters.Base.consoleLog(`  ${c.notRun} planned test(s) not run (${c.failedHooks} hook(s) failed)`);
      writeCounts(file, c);
    });
  }
}

export = CountingReporter;
