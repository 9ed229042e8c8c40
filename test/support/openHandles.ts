// Root hook for mocha runs without --exit: when the process is still alive a grace period
// after the last test, something leaked. Instead of hanging until the stage's timeout, name
// the handles that keep it alive and exit non-zero.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import type { StageCounts } from './stageCounts';

const GRACE_MS = Number(process.env.DOCKER_LEVELS_EXIT_GRACE_MS ?? 20_000);

function describeHandle(h: unknown): string {
  const name = (h as object | null)?.constructor?.name ?? typeof h;
  const s = h as Partial<Socket>;
  if (name === 'Socket' || name === 'TLSSocket') {
    const local = s.localAddress ? `${s.localAddress}:${s.localPort}` : '';
    const remote = s.remoteAddress ? `${s.remoteAddress}:${s.remotePort}` : '';
    const pipe = (h as { _pipeName?: string })._pipeName ?? '';
    return `${name} ${[local, remote].filter(Boolean).join(' -> ') || pipe || '(unconnected)'}`;
  }
  if (name === 'Server') return `Server ${JSON.stringify((h as { address(): unknown }).address())}`;
  if (name === 'ChildProcess') {
    const child = h as { pid?: number; spawnargs?: string[] };
    return `ChildProcess pid ${child.pid} ${(child.spawnargs ?? []).join(' ').slice(0, 200)}`;
  }
  return name;
}

/**
 * Adds the lines to the stage's counts (the reporter wrote them at the end of the run), so the
 * run's closing summary names what leaked: a CI log may keep only its tail.
 */
function addToCounts(lines: string[]): void {
  const file = process.env.DOCKER_LEVELS_TEST_COUNTS;
  if (!file || !existsSync(file)) return;
  try {
    const counts = JSON.parse(readFileSync(file, 'utf8')) as StageCounts;
    counts.openAfterRun = lines.slice(0, 20);
    writeFileSync(file, `${JSON.stringify(counts)}\n`);
  } catch (err) {
    process.stderr.write(`cannot add the open handles to ${file}: ${String(err)}\n`);
  }
}

export const mochaHooks = {
  afterAll(): void {
    const timer = setTimeout(() => {
      const resources = process.getActiveResourcesInfo();
      const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
      const lines = [`resources: ${resources.join(', ') || '(none)'}`, ...handles.map(describeHandle)];
      process.stderr.write(`\nmocha did not exit ${GRACE_MS} ms after its last test; still open:\n${lines.map((l) => `  ${l}\n`).join('')}`);
      addToCounts(lines);
      // Mocha's own 'exit' listener sets the run's exit code; this one runs after it.
      process.on('exit', () => {
        process.exitCode = 3;
      });
      process.exit(3);
    }, GRACE_MS);
    // Does not keep the process alive itself: a clean run exits before it fires.
    timer.unref();
  },
};
