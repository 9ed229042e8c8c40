import * as fs from 'node:fs';
import * as path from 'node:path';
import { Transform, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DockerLevelsError } from '../errors';
import type { DaemonLevel } from '../levels/daemonLevel';
import { displayText } from '../untrusted/displayText';
import { MAX_COPY_BYTES, TOO_LARGE_HINT } from '../untrusted/limits';
import { openContainerArchive } from './archiveRead';
import { putContainerArchive } from './archiveWrite';
import { normalizeContainerPath } from './containerPath';
import { packLocalPath } from './localPack';
import { baseName, parentOf, statContainerPath, statFollowing } from './pathStat';
import { safeExtract } from './safeExtract';

/** The docker cp rules, for both directions, on a container at any depth. */

export interface CopyOptions {
  signal?: AbortSignal;
  onProgress?: (bytes: number) => void;
  /** Told of each symlink left out because it points outside the destination. */
  onSkippedLink?: (name: string) => void;
}

/** SRC ending in "/." copies a directory's contents, not the directory itself (docker cp). */
const contentsOnly = (p: string) => /\/\.$/.test(p);

async function localStat(p: string): Promise<fs.Stats | undefined> {
  return fs.promises.stat(p).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
}

/** The raw tar of a container path to a stream (docker cp CONTAINER:SRC -), bounded by MAX_COPY_BYTES. */
export async function copyArchiveOut(daemon: DaemonLevel, containerId: string, src: string, out: Writable, options: CopyOptions = {}): Promise<number> {
  const archive = await openContainerArchive(daemon, containerId, src, options.signal);
  let bytes = 0;
  const counted = archive as unknown as Readable;
  counted.on('data', (c: Buffer) => {
    bytes += c.length;
    options.onProgress?.(bytes);
    if (bytes > MAX_COPY_BYTES) counted.destroy(new DockerLevelsError('notADaemon', `The archive passed ${MAX_COPY_BYTES} bytes; stopped.`, TOO_LARGE_HINT));
  });
  await pipeline(counted, out, { end: false });
  return bytes;
}

/** docker cp CONTAINER:SRC DEST, extracted safely (see safeExtract.ts). */
export async function copyFromContainer(daemon: DaemonLevel, containerId: string, src: string, dest: string, options: CopyOptions = {}): Promise<number> {
  const source = await statContainerPath(daemon, containerId, src, options.signal);
  const top = baseName(src) || '.';
  const there = await localStat(dest);
  let into: string;
  let rename: ((name: string) => string | undefined) | undefined;
  const renameTop = (to: string) => (name: string) => {
    const rest = name === top || name === `${top}/` ? '' : name.startsWith(`${top}/`) ? name.slice(top.length) : undefined;
    return rest === undefined ? undefined : `${to}${rest}`;
  };
  if (there?.isDirectory()) {
    into = dest;
    if (contentsOnly(src)) rename = renameTop('.');
  } else {
    if (there && source.kind === 'directory') throw new DockerLevelsError('badInput', `Cannot copy the directory ${displayText(src)} over the file ${displayText(dest)}.`);
    if (!there && dest.endsWith(path.sep) && source.kind !== 'directory') {
      throw new DockerLevelsError('notFound', `The destination directory ${displayText(dest)} does not exist.`);
    }
    into = path.dirname(path.resolve(dest));
    if (!(await localStat(into))?.isDirectory()) throw new DockerLevelsError('notFound', `The destination directory ${displayText(into)} does not exist.`);
    rename = renameTop(path.basename(path.resolve(dest)));
  }
  const archive = await openContainerArchive(daemon, containerId, src, options.signal);
  const r = await safeExtract(archive, into, { rename, signal: options.signal, onProgress: options.onProgress, outsideLinks: 'skip' });
  for (const name of r.skippedLinks) options.onSkippedLink?.(name);
  return r.bytes;
}

/** docker cp - CONTAINER:DEST: a tar on stdin, extracted by the daemon into the directory DEST. */
export async function copyArchiveIn(daemon: DaemonLevel, containerId: string, input: Readable, dest: string, options: CopyOptions = {}): Promise<void> {
  const { stat, resolvedPath } = await statFollowing(daemon, containerId, dest, options.signal);
  if (stat.kind !== 'directory') throw new DockerLevelsError('badInput', `${displayText(dest)} is not a directory: a tar stream is extracted into a directory.`);
  await putContainerArchive(daemon, containerId, resolvedPath, input, { signal: options.signal });
}

/** docker cp SRC CONTAINER:DEST for a local file or directory. */
export async function copyToContainer(daemon: DaemonLevel, containerId: string, src: string, dest: string, options: CopyOptions = {}): Promise<number> {
  const local = await fs.promises.lstat(src).catch(() => undefined);
  if (!local) throw new DockerLevelsError('notFound', `No such local file or directory: ${displayText(src)}.`);
  const abs = normalizeContainerPath(dest);
  const there = await statFollowing(daemon, containerId, abs, options.signal).catch((err: unknown) => {
    if ((err as DockerLevelsError).kind === 'notFound') return undefined;
    throw err;
  });
  let dir: string;
  let name: string;
  if (there?.stat.kind === 'directory') {
    dir = there.resolvedPath;
    name = path.basename(path.resolve(src));
  } else {
    if (there && local.isDirectory()) throw new DockerLevelsError('badInput', `Cannot copy the directory ${displayText(src)} over the file ${displayText(dest)}.`);
    if (!there && dest.endsWith('/')) throw new DockerLevelsError('notFound', `The directory ${displayText(dest)} does not exist in the container.`);
    dir = there ? parentOf(there.resolvedPath) : parentOf(abs);
    name = there ? baseName(there.resolvedPath) : baseName(abs);
  }
  const { archive, done } = packLocalPath(src, name);
  let sent = 0;
  const counting = new Transform({ transform(chunk: Buffer, _e, cb) { sent += chunk.length; options.onProgress?.(sent); cb(null, chunk); } });
  archive.pipe(counting);
  const size = local.isFile() ? local.size : undefined;
  try {
    await Promise.all([putContainerArchive(daemon, containerId, dir, counting, { signal: options.signal, bytes: size }), done]);
  } finally {
    archive.destroy();
    counting.destroy();
  }
  return (await done).bytes;
}
