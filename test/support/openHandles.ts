// Root hook for mocha runs without --exit: when the process is still alive a grace period
// after the last test, something leaked. Instead of hanging until the stage's timeout, name
// the handles that keep it alive and exit non-zero.
import type { Socket } from 'node:net';

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
  if (name === 'ChildProcess') return `ChildProcess pid ${(h as { pid?: number }).pid} ${(h as { spawnfile?: string }).spawnfile ?? ''}`;
  return name;
}

export const mochaHooks = {
  afterAll(): void {
    const timer = setTimeout(() => {
      const resources = process.getActiveResourcesInfo();
      const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
      process.stderr.write(`\nmocha did not exit ${GRACE_MS} ms after its last test; still open:\n` +
        `  resources: ${resources.join(', ') || '(none)'}\n` +
        handles.map((h) => `  ${describeHandle(h)}\n`).join(''));
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
