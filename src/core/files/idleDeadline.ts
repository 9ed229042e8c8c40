import { Transform } from 'node:stream';
import { DockerLevelsError } from '../errors';

/** A transfer with no bytes from its level for this many request deadlines has stalled. */
export const TRANSFER_IDLE_DEADLINES = 3;

type Source = NodeJS.ReadableStream & { destroy(err?: Error): void };

/**
 * `source` passed through, failed with a timeout once the level sends nothing for `idleMs`:
 * a tunnel or a daemon that stalls mid-stream would otherwise hang a copy forever. Only the
 * level's silence counts: while the reader is behind (bytes wait in this stream), it re-arms.
 * Destroying the result destroys the source.
 */
export function withIdleDeadline<T extends Source>(source: T, idleMs: number, what: string): T {
  let timer: NodeJS.Timeout | undefined;
  const out = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      arm();
      cb(null, chunk);
    },
  });
  const check = () => {
    if (out.destroyed || out.writableFinished) return;
    if (out.readableLength > 0 || out.writableLength > 0 || out.writableNeedDrain) return arm();
    out.destroy(new DockerLevelsError('timeout', `${what}: the level sent no bytes for ${Math.round(idleMs / 1000)} s; stopped.`,
      'The level or its tunnel stalled; nothing half-written was kept. Try again, or check the level with Show Log.'));
  };
  function arm(): void {
    clearTimeout(timer);
    // unref: the transfer's socket keeps a process alive, never this watchdog alone.
    timer = setTimeout(check, idleMs).unref();
  }
  source.on('error', (err: Error) => out.destroy(err));
  out.on('finish', () => clearTimeout(timer));
  out.on('close', () => { clearTimeout(timer); source.destroy(); });
  source.pipe(out);
  arm();
  return out as unknown as T;
}

/**
 * The other direction (an upload): `source` passed through to a level that reads it; `onStall`
 * is told once the level has read nothing for `idleMs` while bytes wait for it. A slow source
 * (the local disk) does not count. The caller aborts the request on the stall.
 */
export function watchReaderIdle<T extends NodeJS.ReadableStream>(source: T, idleMs: number, what: string, onStall: (err: DockerLevelsError) => void): T {
  let timer: NodeJS.Timeout | undefined;
  const out = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      arm();
      cb(null, chunk);
    },
  });
  const check = () => {
    if (out.destroyed || out.readableEnded) return;
    if (out.readableLength === 0 && out.writableLength === 0) return arm();
    const err = new DockerLevelsError('timeout', `${what}: the level read no bytes for ${Math.round(idleMs / 1000)} s; stopped.`,
      'The level or its tunnel stalled. What it had extracted before may be there; try again, or check the level with Show Log.');
    // Ended without an error event (the request may not listen for one); the caller aborts with `err`.
    out.destroy();
    onStall(err);
  };
  function arm(): void {
    clearTimeout(timer);
    // unref: the transfer's socket keeps a process alive, never this watchdog alone.
    timer = setTimeout(check, idleMs).unref();
  }
  source.on('error', (err: Error) => out.destroy(err));
  out.on('end', () => clearTimeout(timer));
  out.on('close', () => clearTimeout(timer));
  source.pipe(out);
  arm();
  return out as unknown as T;
}
