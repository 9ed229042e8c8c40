// The counts one test stage reports, written as JSON for test/support/stageSummary.ts.
// "notRun" is what was planned and never reported: tests under a failed before-hook, or
// steps that needed a failed step. It is what turns "1 failed" into an honest count.
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

export interface StageCounts {
  planned: number;
  passed: number;
  failed: number;
  pending: number;
  notRun: number;
  /** Hooks that failed (not tests, but they are why tests were not run). */
  failedHooks: number;
}

export function countsOf(planned: number, passed: number, failed: number, pending: number, failedHooks = 0): StageCounts {
  return { planned, passed, failed, pending, notRun: Math.max(0, planned - passed - failed - pending), failedHooks };
}

/** Writes the counts where the runner asked (DOCKER_LEVELS_TEST_COUNTS); nothing if it did not ask. */
export function writeCounts(file: string | undefined, counts: StageCounts): void {
  if (!file) return;
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(counts)}\n`);
}
