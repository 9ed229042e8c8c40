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
  /** What failed, one line each ("full title: first line of the error"), so a CI log's tail names it. */
  failures?: string[];
  /** What kept the process alive after the last test (see openHandles.ts), one line each. */
  openAfterRun?: string[];
}

export function countsOf(planned: number, passed: number, failed: number, pending: number, failedHooks = 0, failures: string[] = []): StageCounts {
  return { planned, passed, failed, pending, notRun: Math.max(0, planned - passed - failed - pending), failedHooks, failures };
}

const MAX_FAILURE_LINES = 20;
const MAX_FAILURE_CHARS = 300;

/** One bounded line naming a failure: "title: first line of the error". */
export function failureLine(title: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const line = `${title}: ${message.split('\n').find((l) => l.trim()) ?? ''}`.trim();
  return line.length > MAX_FAILURE_CHARS ? `${line.slice(0, MAX_FAILURE_CHARS - 1)}…` : line;
}

/** Adds a failure line, keeping the list bounded (the count stays exact; the names are a hint). */
export function addFailure(list: string[], line: string): void {
  if (list.length < MAX_FAILURE_LINES) list.push(line);
}

/** Writes the counts where the runner asked (DOCKER_LEVELS_TEST_COUNTS); nothing if it did not ask. */
export function writeCounts(file: string | undefined, counts: StageCounts): void {
  if (!file) return;
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(counts)}\n`);
}
