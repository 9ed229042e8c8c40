import type { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { DockerLevelsError } from '../errors';
import type { DaemonLevel } from '../levels/daemonLevel';
import { displayText } from '../untrusted/displayText';
import { MAX_COPY_BYTES, MAX_COPY_ENTRIES, TOO_LARGE_HINT } from '../untrusted/limits';
import { openContainerArchive } from './archiveRead';
import { putContainerArchive } from './archiveWrite';
import type { CopyOptions } from './containerCopy';
import { normalizeContainerPath } from './containerPath';
import { baseName, parentOf, statContainerPath, statFollowing } from './pathStat';
import { archiveNameSegments, symlinkTargetSegments } from './safeExtract';

export interface FileContainer { daemon: DaemonLevel; containerId: string }

/**
 * docker cp A:SRC B:DEST between two containers at any depths: A's archive is re-packed entry
 * by entry (names renamed as docker cp would for a local DEST) and streamed into B's PUT, so
 * nothing is held whole in memory. A's tar is a level's answer: the same rules as safeExtract
 * hold before B's daemon sees it — no absolute or ".." name, no symlink leading out of DEST
 * (left out and named, as copying out does), nothing written through a symlink of the tar,
 * hard links only to files it carried. Bounded by MAX_COPY_BYTES and MAX_COPY_ENTRIES.
 */
export async function copyBetweenContainers(from: FileContainer, src: string, to: FileContainer, dest: string, options: CopyOptions = {}): Promise<number> {
  const source = await statContainerPath(from.daemon, from.containerId, src, options.signal);
  const top = baseName(src) || '.';
  const abs = normalizeContainerPath(dest);
  const there = await statFollowing(to.daemon, to.containerId, abs, options.signal).catch((err: unknown) => {
    if ((err as DockerLevelsError).kind === 'notFound') return undefined;
    throw err;
  });
  let dir: string;
  let newTop: string | undefined;
  if (there?.stat.kind === 'directory') {
    dir = there.resolvedPath;
    // SRC ending in "/." copies the directory's contents (docker cp).
    newTop = /\/\.$/.test(src) ? '' : undefined;
  } else {
    if (there && source.kind === 'directory') throw new DockerLevelsError('badInput', `Cannot copy the directory ${displayText(src)} over the file ${displayText(dest)}.`);
    if (!there && dest.endsWith('/')) throw new DockerLevelsError('notFound', `The directory ${displayText(dest)} does not exist in the container.`);
    dir = there ? parentOf(there.resolvedPath) : parentOf(abs);
    newTop = there ? baseName(there.resolvedPath) : baseName(abs);
    const parent = await statFollowing(to.daemon, to.containerId, dir, options.signal);
    if (parent.stat.kind !== 'directory') throw new DockerLevelsError('notFound', `${displayText(dir)} is not a directory in the container.`);
    dir = parent.resolvedPath;
  }
  const rename = (name: string): string | undefined => {
    if (newTop === undefined) return name;
    const trimmed = name.replace(/\/+$/, '');
    const rest = trimmed === top ? '' : trimmed.startsWith(`${top}/`) ? trimmed.slice(top.length) : undefined;
    if (rest === undefined) return undefined;
    const out = newTop === '' ? rest.replace(/^\//, '') : `${newTop}${rest}`;
    return out || undefined;
  };

  const archive = await openContainerArchive(from.daemon, from.containerId, src, options.signal);
  const extract = tar.extract();
  const pack = tar.pack();
  const written = new Set<string>();
  const links = new Set<string>();
  let bytes = 0;
  let entries = 0;
  let failed: Error | undefined;
  const fail = (err: Error) => {
    failed ??= err;
    archive.destroy();
    extract.destroy(err);
    pack.destroy(err);
  };

  const entry = (header: tar.Header, stream: Readable, next: (err?: Error) => void) => {
    entries++;
    if (entries > MAX_COPY_ENTRIES) throw new DockerLevelsError('notADaemon', `The archive has more than ${MAX_COPY_ENTRIES} entries; stopped.`, TOO_LARGE_HINT);
    archiveNameSegments(header.name);
    const mapped = rename(header.name);
    if (mapped === undefined) return void stream.resume().on('end', () => next());
    const segments = archiveNameSegments(mapped);
    const key = segments.join('/');
    for (let i = 1; i <= segments.length; i++) {
      if (links.has(segments.slice(0, i).join('/'))) {
        throw new DockerLevelsError('notADaemon', `Refused the archive entry "${displayText(header.name, 200)}": it would be written through a symlink of the same archive.`);
      }
    }
    const out: tar.Header = { ...header, name: header.type === 'directory' ? `${key}/` : key };
    if (header.type === 'symlink') {
      try {
        symlinkTargetSegments(header.name, segments, header.linkname ?? '');
      } catch (err) {
        if (!(err instanceof DockerLevelsError)) throw err;
        options.onSkippedLink?.(header.name);
        links.add(key);
        return void stream.resume().on('end', () => next());
      }
      links.add(key);
    } else if (header.type === 'link') {
      const target = rename(header.linkname ?? '');
      const targetKey = target === undefined ? undefined : archiveNameSegments(target).join('/');
      if (!targetKey || !written.has(targetKey)) {
        throw new DockerLevelsError('notADaemon', `Refused the archive entry "${displayText(header.name, 200)}": its hard link points to a file this archive did not carry.`);
      }
      out.linkname = targetKey;
    } else if (header.type !== 'file' && header.type !== 'contiguous-file' && header.type !== 'directory') {
      // Devices, FIFOs and the like are not carried from one level to another.
      return void stream.resume().on('end', () => next());
    }
    if (header.type === 'file' || header.type === 'contiguous-file') written.add(key);
    const sink = pack.entry(out, (err) => (err ? fail(err) : next()));
    stream.on('data', (c: Buffer) => {
      bytes += c.length;
      options.onProgress?.(bytes);
      if (bytes > MAX_COPY_BYTES) fail(new DockerLevelsError('notADaemon', `The archive passed ${MAX_COPY_BYTES} bytes; stopped.`, TOO_LARGE_HINT));
    });
    stream.pipe(sink);
  };

  extract.on('entry', (header, stream, next) => {
    try {
      entry(header, stream as unknown as Readable, next);
    } catch (err) {
      fail(err as Error);
    }
  });
  extract.on('finish', () => { if (!failed) pack.finalize(); });
  extract.on('error', (err) => fail(err));
  archive.on('error', (err: Error) => fail(err));
  archive.pipe(extract);
  try {
    await putContainerArchive(to.daemon, to.containerId, dir, pack as unknown as Readable, {
      signal: options.signal, bytes: source.kind === 'file' ? source.size : undefined,
    });
  } catch (err) {
    throw failed ?? err;
  } finally {
    archive.destroy();
    extract.destroy();
  }
  if (failed) throw failed;
  return bytes;
}
