// Output from the extension host that should appear in the test log.
//
// In a test run, the extension host's console goes to the workbench's log service, mixed
// with the workbench's own log lines; the launcher (test/vscode/launcher/launcher.ts) prints
// exactly the messages that start with TEST_LOG_MARKER. The extension host makes `console`
// non-writable, so plain console.log output of tests and of the extension is only shown with
// DOCKER_LEVELS_LAUNCHER_DEBUG=1 (or written with the logs to DOCKER_LEVELS_TEST_LOG_DIR).
// Tests that want a line in the log call testLog().
import { format } from 'node:util';

/** Keep in sync with TEST_LOG_MARKER in test/vscode/launcher/launcher.ts. */
export const TEST_LOG_MARKER = '[dl-test] ';

export function testLog(...args: unknown[]): void {
  console.log(TEST_LOG_MARKER + format(...args));
}

export function testError(...args: unknown[]): void {
  console.error(TEST_LOG_MARKER + format(...args));
}
