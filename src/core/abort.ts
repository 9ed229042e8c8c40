import { DockerLevelsError } from './errors';

/** A signal that fires on the caller's cancel or after `ms`, whichever comes first. */
export function deadline(ms: number, signal?: AbortSignal): AbortSignal {
  const timeout = AbortSignal.timeout(ms);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

export function throwIfCancelled(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new DockerLevelsError('cancelled', `${what}: cancelled.`);
}

function abortReason(ms: number, what: string, signal: AbortSignal | undefined): DockerLevelsError {
  return signal?.aborted
    ? new DockerLevelsError('cancelled', `${what}: cancelled.`)
    : new DockerLevelsError('timeout', `${what} did not answer within ${ms} ms.`,
      'Check that the daemon is running and not paused, or raise dockerLevels.connectTimeoutMs.');
}

/**
 * Runs `work` with a deadline, so a hanging daemon never hangs the caller. The race matters:
 * some calls (hijacked streams, custom agents) do not observe the signal themselves.
 */
export async function withDeadline<T>(ms: number, what: string, signal: AbortSignal | undefined,
  work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  throwIfCancelled(signal, what);
  const s = deadline(ms, signal);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortReason(ms, what, signal));
    s.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work(s), aborted]);
  } catch (err) {
    if (s.aborted) throw abortReason(ms, what, signal);
    throw err;
  } finally {
    if (onAbort) s.removeEventListener('abort', onAbort);
  }
}

/**
 * `{ abortSignal }` for dockerode calls whose typings lack it; dockerode 4 honours it on every call.
 * Typed as an empty options object so the promise overload is chosen.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export function signalOnly(signal: AbortSignal): {} {
  return { abortSignal: signal };
}
