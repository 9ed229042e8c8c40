import { DockerLevelsError } from './errors';

/**
 * A signal that fires on the caller's cancel or after `ms`, whichever comes first.
 * Not AbortSignal.timeout: inside AbortSignal.any, Node 20 holds that signal only weakly, and
 * a garbage collection before the deadline means it never fires (nodejs/node#57736). Here the
 * timer holds its controller, so the deadline always comes.
 */
export function deadline(ms: number, signal?: AbortSignal): AbortSignal {
  const controller = new AbortController();
  setTimeout(() => controller.abort(new DOMException(`timed out after ${ms} ms`, 'TimeoutError')), ms).unref();
  return signal ? AbortSignal.any([signal, controller.signal]) : controller.signal;
}

export function throwIfCancelled(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new DockerLevelsError('cancelled', `${what}: cancelled.`);
}

/** Why a bounded call stopped: the caller cancelled it, or its deadline passed. */
export function abortReason(ms: number, what: string, signal: AbortSignal | undefined): DockerLevelsError {
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
  // Its own timer and listener, both gone when the call ends: nothing lingers after a call,
  // and a long-lived caller signal does not collect one listener per call.
  const controller = new AbortController();
  const s = controller.signal;
  const timer = setTimeout(() => controller.abort(), ms);
  const onCallerAbort = () => controller.abort();
  signal?.addEventListener('abort', onCallerAbort, { once: true });
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
    clearTimeout(timer);
    signal?.removeEventListener('abort', onCallerAbort);
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
