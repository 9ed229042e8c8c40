import { PassThrough, Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { DockerLevelsError } from '../errors';
import type { DaemonLevel } from '../levels/daemonLevel';
import { displayText } from '../untrusted/displayText';
import { MAX_ARCHIVE_LISTING_BYTES, MAX_FILE_READ_BYTES, MAX_LISTING_ENTRIES, TOO_LARGE_HINT } from '../untrusted/limits';
import { containerPathError, normalizeContainerPath } from './containerPath';
import { TRANSFER_IDLE_DEADLINES, withIdleDeadline } from './idleDeadline';
import type { PathKind } from './pathStat';

/** One entry of a directory listing. */
export interface DirectoryEntry {
  name: string;
  kind: PathKind;
  size: number;
  mtimeMs: number;
  permissions: number;
  /** For a symlink: what it points to, when known, and what that is. */
  linkTarget?: string;
  targetKind?: PathKind;
}

type ArchiveStream = NodeJS.ReadableStream & { destroy(err?: Error): void };

/**
 * GET /containers/{id}/archive?path=: the raw tar. Opening is bounded by the level's deadline;
 * the stream lives until it ends, the caller destroys it, `signal` aborts, or the level sends
 * nothing for TRANSFER_IDLE_DEADLINES of its request deadline (a stall mid-stream).
 */
export async function openContainerArchive(daemon: DaemonLevel, containerId: string, path: string, signal?: AbortSignal): Promise<ArchiveStream> {
  const abs = normalizeContainerPath(path);
  const raw = await daemon.call(`Reading ${displayText(abs)}`, async () => {
    try {
      return await daemon.docker.getContainer(containerId).getArchive({ path: abs, abortSignal: signal } as never) as unknown as ArchiveStream;
    } catch (err) {
      throw containerPathError(err, abs, daemon.what);
    }
  }, signal);
  return withIdleDeadline(raw, daemon.timeoutMs * TRANSFER_IDLE_DEADLINES, `Reading ${displayText(abs)} from ${daemon.what}`);
}

export interface FileRead {
  /** The file's bytes, streamed. Destroying it closes the archive. */
  content: Readable;
  size: number;
  mode: number;
}

/**
 * The content of one regular file, streamed out of its archive. The tar's first entry must be
 * that file; nothing after it is read. `maxBytes` refuses a larger file before reading it.
 */
export async function openContainerFile(daemon: DaemonLevel, containerId: string, path: string,
  options: { signal?: AbortSignal; maxBytes?: number } = {}): Promise<FileRead> {
  const abs = normalizeContainerPath(path);
  const archive = await openContainerArchive(daemon, containerId, abs, options.signal);
  const extract = tar.extract();
  const closeAll = () => { archive.destroy(); extract.destroy(); };
  return new Promise<FileRead>((resolve, reject) => {
    let settled = false;
    let content: PassThrough | undefined;
    // After the content was handed out, a failure (a stall, a cut connection) ends it with the error.
    const fail = (err: Error) => { closeAll(); if (!settled) { settled = true; reject(err); } else content?.destroy(err); };
    extract.once('entry', (header, entryStream) => {
      const stream = entryStream as unknown as Readable;
      if (header.type !== 'file') {
        return fail(new DockerLevelsError('badInput', `${displayText(abs)} is not a regular file (it is a ${header.type ?? 'thing'}).`));
      }
      const size = header.size ?? 0;
      const max = options.maxBytes ?? MAX_FILE_READ_BYTES;
      if (size > max) {
        return fail(new DockerLevelsError('badInput', `${displayText(abs)} is ${size} bytes, over the ${max}-byte limit for this read.`,
          'Download it or use docker-levels cp, which stream it to disk.'));
      }
      settled = true;
      const out = new PassThrough();
      content = out;
      stream.on('error', (err) => out.destroy(err));
      // Only this entry is wanted: once it ends, the archive is closed, not read on.
      stream.on('end', () => { out.end(); setImmediate(closeAll); });
      out.on('close', () => { if (!stream.readableEnded) closeAll(); });
      stream.pipe(out, { end: false });
      resolve({ content: out, size, mode: header.mode ?? 0o644 });
    });
    extract.on('error', (err) => fail(err));
    extract.on('finish', () => fail(new DockerLevelsError('notFound', `The archive of ${displayText(abs)} was empty.`)));
    archive.on('error', (err) => fail(err as Error));
    archive.pipe(extract);
  });
}

/** A whole file in memory, bounded by MAX_FILE_READ_BYTES (or less). */
export async function readContainerFile(daemon: DaemonLevel, containerId: string, path: string,
  options: { signal?: AbortSignal; maxBytes?: number; onProgress?: (bytes: number, total: number) => void } = {}): Promise<Buffer> {
  const read = await openContainerFile(daemon, containerId, path, options);
  const chunks: Buffer[] = [];
  let got = 0;
  const onAbort = () => read.content.destroy(new DockerLevelsError('cancelled', `Reading ${displayText(path)}: cancelled.`));
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const chunk of read.content) {
      chunks.push(chunk as Buffer);
      got += (chunk as Buffer).length;
      options.onProgress?.(got, read.size);
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    read.content.destroy();
  }
  return Buffer.concat(chunks);
}

/**
 * The direct children of a directory, from its archive: for containers with no `find`, or
 * stopped ones. Contents are skipped as they stream past, but they do stream: the read is
 * bounded by MAX_ARCHIVE_LISTING_BYTES and MAX_LISTING_ENTRIES.
 */
export async function listViaArchive(daemon: DaemonLevel, containerId: string, dir: string, signal?: AbortSignal,
  maxBytes = MAX_ARCHIVE_LISTING_BYTES): Promise<DirectoryEntry[]> {
  const abs = normalizeContainerPath(dir);
  const archive = await openContainerArchive(daemon, containerId, abs, signal);
  const extract = tar.extract();
  const entries: DirectoryEntry[] = [];
  let top: string | undefined;
  let bytes = 0;
  return new Promise<DirectoryEntry[]>((resolve, reject) => {
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      archive.destroy();
      extract.destroy();
      signal?.removeEventListener('abort', onAbort);
      if (err) reject(err); else resolve(entries);
    };
    const onAbort = () => finish(new DockerLevelsError('cancelled', `Listing ${displayText(abs)}: cancelled.`));
    signal?.addEventListener('abort', onAbort, { once: true });
    extract.on('entry', (header, stream, next) => {
      const name = header.name.replace(/\/+$/, '');
      if (top === undefined) {
        top = name;
      } else {
        const rest = name.startsWith(`${top}/`) ? name.slice(top.length + 1) : '';
        if (rest && !rest.includes('/')) {
          if (entries.length >= MAX_LISTING_ENTRIES) {
            return finish(new DockerLevelsError('notADaemon', `${displayText(abs)} has more than ${MAX_LISTING_ENTRIES} entries; stopped listing.`, TOO_LARGE_HINT));
          }
          entries.push(entryFromHeader(rest, header));
        }
      }
      stream.on('data', (c: unknown) => {
        bytes += (c as Buffer).length;
        if (bytes > maxBytes) {
          finish(new DockerLevelsError('badInput', `Listing ${displayText(abs)} through the archive API passed ${Math.round(maxBytes / 1048576)} MiB of file contents; stopped.`,
            'The container has no find and stat to list it cheaply; open a subdirectory instead.'));
        }
      });
      stream.on('end', next);
      stream.resume();
    });
    extract.on('finish', () => finish());
    extract.on('error', (err) => finish(err));
    archive.on('error', (err) => finish(err as Error));
    archive.pipe(extract);
  });
}

function entryFromHeader(name: string, header: tar.Header): DirectoryEntry {
  const kind: PathKind = header.type === 'file' || header.type === 'contiguous-file' ? 'file'
    : header.type === 'directory' ? 'directory' : header.type === 'symlink' ? 'symlink' : 'other';
  return {
    name, kind, size: header.size ?? 0, mtimeMs: header.mtime?.getTime() ?? 0, permissions: (header.mode ?? 0) & 0o7777,
    ...(kind === 'symlink' ? { linkTarget: header.linkname ?? '' } : {}),
  };
}

/** The first tar header of a path's archive (owner and mode of a file), without reading its content. */
export async function archiveHeader(daemon: DaemonLevel, containerId: string, path: string, signal?: AbortSignal): Promise<tar.Header | undefined> {
  const archive = await openContainerArchive(daemon, containerId, path, signal);
  const extract = tar.extract();
  return new Promise<tar.Header | undefined>((resolve) => {
    const done = (h: tar.Header | undefined) => { archive.destroy(); extract.destroy(); resolve(h); };
    extract.once('entry', (header) => done(header));
    extract.on('finish', () => done(undefined));
    extract.on('error', () => done(undefined));
    archive.on('error', () => done(undefined));
    archive.pipe(extract);
  });
}
