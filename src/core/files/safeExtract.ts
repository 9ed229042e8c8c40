import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { DockerLevelsError } from '../errors';
import { displayText } from '../untrusted/displayText';
import { MAX_COPY_BYTES, MAX_COPY_ENTRIES, TOO_LARGE_HINT } from '../untrusted/limits';

/**
 * Extracting a tar from a level, which never writes outside its destination:
 * - names: no absolute name, no ".." segment (checked before anything is written);
 * - nothing is written through a symlink: every existing directory on the way is lstat'ed;
 * - symlinks: no absolute target, no target that leaves the destination lexically; they are
 *   made last, and each must then resolve (realpath) inside the destination;
 * - hard links: only to a regular file this same extraction wrote.
 * On refusal or failure, what this extraction created is removed again.
 */

export interface ExtractOptions {
  maxBytes?: number;
  maxEntries?: number;
  /** Maps an archive name to the name written (docker cp's rename of the top entry); undefined skips it. */
  rename?: (name: string) => string | undefined;
  signal?: AbortSignal;
  onProgress?: (bytes: number) => void;
  /**
   * A symlink whose target is absolute or outside the destination: 'refuse' (the default)
   * fails the whole extraction; 'skip' leaves that link out and names it in the result
   * (docker cp of /etc meets /etc/mtab -> /proc/mounts). Nothing is ever written through one.
   */
  outsideLinks?: 'refuse' | 'skip';
}

export interface ExtractResult {
  entries: number;
  bytes: number;
  /** Archive names of symlinks left out under outsideLinks: 'skip'. */
  skippedLinks: string[];
}

function refused(name: string, why: string): DockerLevelsError {
  return new DockerLevelsError('notADaemon', `Refused the archive entry "${displayText(name, 200)}": ${why}.`,
    'A tar from a level may not write outside its destination; nothing of it was kept.');
}

/** The relative segments of an archive name, or a refusal: absolute, "..", or drive letters. */
export function archiveNameSegments(name: string): string[] {
  if (name.includes('\0')) throw refused(name, 'it contains a NUL byte');
  if (/^[/\\]/.test(name) || /^[A-Za-z]:/.test(name)) throw refused(name, 'it is an absolute name');
  const parts = name.split(/[/\\]+/).filter((p) => p && p !== '.');
  if (parts.includes('..')) throw refused(name, 'it climbs out with ".."');
  return parts;
}

/**
 * Where a symlink at `segments` pointing to `target` lands, relative to the destination,
 * or a refusal when it is absolute or climbs above the destination.
 */
export function symlinkTargetSegments(name: string, segments: readonly string[], target: string): string[] {
  if (!target) throw refused(name, 'its symlink target is empty');
  if (/^[/\\]/.test(target) || /^[A-Za-z]:/.test(target)) throw refused(name, `its symlink points to the absolute path ${displayText(target, 200)}`);
  const stack = segments.slice(0, -1);
  for (const part of target.split(/[/\\]+/)) {
    if (!part || part === '.') continue;
    if (part === '..') {
      if (stack.length === 0) throw refused(name, `its symlink points outside the destination (${displayText(target, 200)})`);
      stack.pop();
    } else {
      stack.push(part);
    }
  }
  return stack;
}

function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Every existing directory between root and the entry's place must be a real directory. */
async function checkNoSymlinkOnTheWay(root: string, segments: readonly string[], name: string): Promise<void> {
  let current = root;
  for (const part of segments.slice(0, -1)) {
    current = path.join(current, part);
    const st = await fs.promises.lstat(current).catch(() => undefined);
    if (!st) return;
    if (st.isSymbolicLink()) throw refused(name, 'it would be written through a symlink');
    if (!st.isDirectory()) throw refused(name, `${displayText(part)} on its way is not a directory`);
  }
}

export async function safeExtract(archive: Readable | NodeJS.ReadableStream, destination: string, options: ExtractOptions = {}): Promise<ExtractResult> {
  const root = await fs.promises.realpath(destination);
  const maxBytes = options.maxBytes ?? MAX_COPY_BYTES;
  const maxEntries = options.maxEntries ?? MAX_COPY_ENTRIES;
  const created: string[] = [];
  const writtenFiles = new Set<string>();
  const symlinks: { name: string; at: string; target: string }[] = [];
  /** Symlinks are made last; until then nothing may pass through their place. */
  const pending = new Set<string>();
  const skippedLinks: string[] = [];
  let bytes = 0;
  let entries = 0;
  const extract = tar.extract();

  const handle = async (header: tar.Header, stream: Readable): Promise<void> => {
    entries++;
    if (entries > maxEntries) throw new DockerLevelsError('notADaemon', `The archive has more than ${maxEntries} entries; stopped.`, TOO_LARGE_HINT);
    const original = header.name;
    archiveNameSegments(original);
    const mapped = options.rename ? options.rename(original) : original;
    if (mapped === undefined) return void stream.resume();
    const segments = archiveNameSegments(mapped);
    if (segments.length === 0) {
      if (header.type === 'directory') return void stream.resume();
      throw refused(original, 'it names the destination itself');
    }
    const at = path.join(root, ...segments);
    if (!isInside(root, at)) throw refused(original, 'it lands outside the destination');
    await checkNoSymlinkOnTheWay(root, segments, original);
    for (let i = 1; i < segments.length; i++) {
      if (pending.has(segments.slice(0, i).join('/'))) throw refused(original, 'it would be written through a symlink of the same archive');
    }
    const mode = (header.mode ?? 0o644) & 0o777;
    switch (header.type) {
      case 'directory': {
        const st = await fs.promises.lstat(at).catch(() => undefined);
        if (st?.isSymbolicLink()) throw refused(original, 'a symlink is in its place');
        if (!st) { await fs.promises.mkdir(at, { mode: mode | 0o700 }); created.push(at); }
        return void stream.resume();
      }
      case 'file':
      case 'contiguous-file': {
        await fs.promises.mkdir(path.dirname(at), { recursive: true });
        // Never follow what is in its place: replace it.
        await fs.promises.rm(at, { force: true });
        const out = fs.createWriteStream(at, { flags: 'wx', mode });
        created.push(at);
        stream.on('data', (c: Buffer) => {
          bytes += c.length;
          options.onProgress?.(bytes);
          if (bytes > maxBytes) stream.destroy(new DockerLevelsError('notADaemon', `The archive passed ${maxBytes} bytes; stopped.`, TOO_LARGE_HINT));
        });
        await pipeline(stream, out);
        writtenFiles.add(at);
        return;
      }
      case 'symlink': {
        try {
          symlinkTargetSegments(original, segments, header.linkname ?? '');
        } catch (err) {
          if (options.outsideLinks !== 'skip') throw err;
          skippedLinks.push(original);
          pending.add(segments.join('/'));
          return void stream.resume();
        }
        symlinks.push({ name: original, at, target: header.linkname ?? '' });
        pending.add(segments.join('/'));
        return void stream.resume();
      }
      case 'link': {
        const source = path.join(root, ...archiveNameSegments(options.rename?.(header.linkname ?? '') ?? header.linkname ?? ''));
        if (!writtenFiles.has(source)) throw refused(original, 'its hard link points to a file this archive did not write');
        await fs.promises.rm(at, { force: true });
        await fs.promises.link(source, at);
        created.push(at);
        return void stream.resume();
      }
      default:
        // Devices, FIFOs and the like are never made from a level's archive.
        return void stream.resume();
    }
  };

  const onAbort = () => extract.destroy(new DockerLevelsError('cancelled', 'Copy cancelled.'));
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    extract.on('entry', (header, stream, next) => {
      handle(header, stream as unknown as Readable).then(() => next(), (err: Error) => { stream.resume(); extract.destroy(err); });
    });
    await pipeline(archive as Readable, extract);
    for (const link of symlinks) {
      await checkNoSymlinkOnTheWay(root, path.relative(root, link.at).split(path.sep), link.name);
      const there = await fs.promises.lstat(link.at).catch(() => undefined);
      if (there?.isDirectory()) throw refused(link.name, 'its symlink would replace a directory');
      if (there) await fs.promises.rm(link.at, { force: true });
      await fs.promises.symlink(link.target, link.at);
      created.push(link.at);
      const real = await fs.promises.realpath(link.at).catch(() => undefined);
      if (real !== undefined && !isInside(root, real)) throw refused(link.name, 'its symlink resolves outside the destination through other links');
    }
    return { entries, bytes, skippedLinks };
  } catch (err) {
    for (const p of created.reverse()) await fs.promises.rm(p, { recursive: true, force: true }).catch(() => undefined);
    throw err;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    (archive as { destroy?: () => void }).destroy?.();
  }
}
