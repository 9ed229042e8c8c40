// Waiting for a state in tests: one helper for every suite (integration, unit, extension host).
// It polls; it never asserts how long something took.

/**
 * Resolves with what `check` answers once it is neither false nor undefined nor null; asked
 * every `everyMs` until `ms` have passed, then fails naming `what` (and the last error). With
 * `retryErrors` (the default), a check that throws counts as "not yet"; without, it fails the
 * wait at once.
 */
export async function waitFor<T>(check: () => T | Promise<T>, ms: number, what: string | (() => string), everyMs = 200,
  retryErrors = true): Promise<Exclude<T, false | undefined | null>> {
  const until = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== false && value !== undefined && value !== null) return value as Exclude<T, false | undefined | null>;
      last = undefined;
    } catch (err) {
      if (!retryErrors) throw err;
      last = err;
    }
    if (Date.now() > until) {
      throw new Error(`timed out after ${ms} ms waiting for ${typeof what === 'string' ? what : what()}${last ? `: ${String(last)}` : ''}`);
    }
    await sleep(everyMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** How long a promise takes to settle, and how. Never rejects. */
export async function timed<T>(work: Promise<T>): Promise<{ ms: number; value?: T; error?: unknown }> {
  const start = Date.now();
  try {
    const value = await work;
    return { ms: Date.now() - start, value };
  } catch (error) {
    return { ms: Date.now() - start, error };
  }
}
