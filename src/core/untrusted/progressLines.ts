import { DockerLevelsError } from '../errors';
import { displayText } from './displayText';
import { MAX_PROGRESS_LINE_BYTES, MAX_PROGRESS_STREAM_BYTES, TOO_LARGE_HINT } from './limits';

/** A daemon's error message as it is quoted: one line, visible escapes, at most this long. */
const MAX_QUOTED_ERROR_CHARS = 500;

type ProgressStream = NodeJS.ReadableStream & { destroy?(err?: Error): void };

/**
 * Reads a JSON-lines progress stream (POST /images/create, POST /images/load) to its end, as
 * docker-modem's followProgress would, but bounded: a line past MAX_PROGRESS_LINE_BYTES or a
 * stream past MAX_PROGRESS_STREAM_BYTES stops the read, and so does a line that is not a JSON
 * object. A line with `error` or `errorDetail` fails with that message, escaped and bounded.
 * Every other line is handed to `onLine` (already checked to be an object).
 */
export function readProgress(stream: ProgressStream, what: string, options: {
  signal?: AbortSignal;
  onLine?: (line: Record<string, unknown>) => void;
  /** The caps, lower only in tests. */
  maxLineBytes?: number;
  maxStreamBytes?: number;
} = {}): Promise<void> {
  const maxLine = options.maxLineBytes ?? MAX_PROGRESS_LINE_BYTES;
  const maxStream = options.maxStreamBytes ?? MAX_PROGRESS_STREAM_BYTES;
  const mib = (n: number) => `${+(n / 1048576).toFixed(3)} MiB`;
  return new Promise((resolve, reject) => {
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let total = 0;
    let done = false;
    const finish = (err?: unknown) => {
      if (done) return;
      done = true;
      options.signal?.removeEventListener('abort', onAbort);
      stream.removeListener('data', onData);
      if (err) {
        stream.destroy?.();
        reject(err);
      } else {
        resolve();
      }
    };
    const tooLarge = (detail: string) => new DockerLevelsError('notADaemon', `${what}: ${detail}; stopped.`, TOO_LARGE_HINT);
    const take = (line: Buffer) => {
      const text = line.toString('utf8').trim();
      if (!text) return;
      let value: unknown;
      try { value = JSON.parse(text); } catch { value = undefined; }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new DockerLevelsError('notADaemon', `${what}: a progress line is not a JSON object (${displayText(text, 80)}).`,
          'Whatever serves it is not a Docker daemon, or it lies.');
      }
      const entry = value as { error?: unknown; errorDetail?: { message?: unknown } };
      const detail = typeof entry.errorDetail === 'object' && entry.errorDetail !== null ? entry.errorDetail.message : undefined;
      const message = typeof entry.error === 'string' ? entry.error : typeof detail === 'string' ? detail : undefined;
      if (message !== undefined || entry.error !== undefined || entry.errorDetail !== undefined) {
        throw new DockerLevelsError('unknown', `${what} failed: ${displayText(message ?? 'the daemon reported an error without a message', MAX_QUOTED_ERROR_CHARS)}`);
      }
      options.onLine?.(value as Record<string, unknown>);
    };
    const onData = (chunk: Buffer | string) => {
      const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      total += bytes.length;
      if (total > maxStream) return finish(tooLarge(`the progress stream passed ${mib(maxStream)}, which no Docker daemon sends`));
      try {
        let start = 0;
        for (let nl = bytes.indexOf(10); nl >= 0; nl = bytes.indexOf(10, start)) {
          const line = pending.length ? Buffer.concat([...pending, bytes.subarray(start, nl)]) : bytes.subarray(start, nl);
          pending = [];
          pendingBytes = 0;
          if (line.length > maxLine) return finish(tooLarge(`a progress line is longer than ${mib(maxLine)}, which no Docker daemon sends`));
          take(line);
          start = nl + 1;
        }
        const rest = bytes.subarray(start);
        pendingBytes += rest.length;
        // Counted before it is kept: a line with no end is cut at the cap, never buffered whole.
        if (pendingBytes > maxLine) return finish(tooLarge(`a progress line is longer than ${mib(maxLine)}, which no Docker daemon sends`));
        if (rest.length) pending.push(rest);
      } catch (err) {
        finish(err);
      }
    };
    const onAbort = () => finish(new DockerLevelsError('cancelled', `${what}: cancelled.`));
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    stream.on('data', onData);
    stream.on('error', (err: unknown) => finish(err));
    stream.on('end', () => {
      if (done) return;
      try {
        if (pending.length) take(Buffer.concat(pending));
        finish();
      } catch (err) {
        finish(err);
      }
    });
    stream.on('close', () => finish(done ? undefined : new DockerLevelsError('unreachable', `${what}: the daemon closed the progress stream before its end.`)));
  });
}
