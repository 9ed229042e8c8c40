import { PassThrough, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { putArchive } from '../actions/engineCalls';
import { DockerLevelsError } from '../errors';
import type { DaemonLevel } from '../levels/daemonLevel';
import { displayText } from '../untrusted/displayText';
import { containerPathError, normalizeContainerPath } from './containerPath';
import { TRANSFER_IDLE_DEADLINES, watchReaderIdle } from './idleDeadline';
import { baseName, parentOf } from './pathStat';

/** Time a transfer may take: the call's own deadline plus a second per MiB (slow levels still finish). */
export function transferDeadlineMs(daemon: DaemonLevel, bytes: number | undefined): number {
  return bytes === undefined ? 60 * 60_000 : daemon.timeoutMs + Math.ceil(bytes / (1024 * 1024)) * 1000;
}

/**
 * PUT /containers/{id}/archive?path=DIR: the tar is extracted into DIR by the daemon, as root,
 * also in stopped containers. A file never replaces a directory, nor a directory a file.
 */
export async function putContainerArchive(daemon: DaemonLevel, containerId: string, dir: string, archive: Readable,
  options: { signal?: AbortSignal; bytes?: number } = {}): Promise<void> {
  const abs = normalizeContainerPath(dir);
  // A level that stops reading mid-upload: the request is aborted with the stall as its error.
  const stalled = new AbortController();
  let stall: DockerLevelsError | undefined;
  const body = watchReaderIdle(archive, daemon.timeoutMs * TRANSFER_IDLE_DEADLINES, `Writing into ${displayText(abs)} on ${daemon.what}`,
    (err) => { stall = err; stalled.abort(err); });
  try {
    const signal = options.signal ? AbortSignal.any([options.signal, stalled.signal]) : stalled.signal;
    try {
      await putArchive(daemon, containerId, abs, body, `Writing into ${displayText(abs)}`, { signal, timeoutMs: transferDeadlineMs(daemon, options.bytes) });
    } catch (err) {
      throw stall ?? containerPathError(err, abs, daemon.what);
    }
  } finally {
    (body as unknown as { destroy(): void }).destroy();
  }
}

export interface WriteOptions {
  /** Permission bits of the new file: keep the old file's when replacing one. */
  mode?: number;
  uid?: number;
  gid?: number;
  signal?: AbortSignal;
  onProgress?: (bytes: number, total: number) => void;
}

/** Writes one regular file with a one-entry tar, streamed; the parent directory must exist. */
export async function writeContainerFile(daemon: DaemonLevel, containerId: string, path: string,
  source: Buffer | { stream: Readable; size: number }, options: WriteOptions = {}): Promise<void> {
  const abs = normalizeContainerPath(path);
  if (abs === '/') throw new DockerLevelsError('badInput', 'Cannot write a file over /.');
  const size = Buffer.isBuffer(source) ? source.length : source.size;
  const pack = tar.pack();
  const header: Partial<tar.Header> & { name: string } = {
    name: baseName(abs), type: 'file', size, mode: options.mode ?? 0o644, mtime: new Date(), uid: options.uid ?? 0, gid: options.gid ?? 0,
  };
  let sent = 0;
  const counting = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      sent += chunk.length;
      options.onProgress?.(sent, size);
      cb(null, chunk);
    },
  });
  const entry = pack.entry(header as tar.Header);
  const feeding = (Buffer.isBuffer(source) ? pipeline(Readable.from([source]), counting, entry) : pipeline(source.stream, counting, entry))
    .then(() => { pack.finalize(); });
  const body = new PassThrough();
  pack.pipe(body);
  const cancel = () => { pack.destroy(); body.destroy(); };
  try {
    await Promise.all([
      feeding.catch((err: unknown) => { cancel(); throw err; }),
      putContainerArchive(daemon, containerId, parentOf(abs), body, { signal: options.signal, bytes: size }),
    ]);
    if (sent !== size) throw new DockerLevelsError('unknown', `Only ${sent} of ${size} bytes of ${displayText(abs)} were sent.`);
  } finally {
    cancel();
  }
}

/** Creates one directory with a one-entry tar (no shell needed); the parent must exist. */
export async function createContainerDirectory(daemon: DaemonLevel, containerId: string, path: string,
  options: { mode?: number; signal?: AbortSignal } = {}): Promise<void> {
  const abs = normalizeContainerPath(path);
  const pack = tar.pack();
  pack.entry({ name: `${baseName(abs)}/`, type: 'directory', mode: options.mode ?? 0o755, mtime: new Date() });
  pack.finalize();
  await putContainerArchive(daemon, containerId, parentOf(abs), pack as unknown as Readable, { signal: options.signal });
}
