import type { Readable } from 'node:stream';
import { inspectContainer } from '../actions/containerReads';
import { DockerLevelsError } from '../errors';
import type { DaemonLevel } from '../levels/daemonLevel';
import { displayText } from '../untrusted/displayText';
import { archiveHeader, DirectoryEntry, FileRead, listViaArchive, openContainerFile, readContainerFile } from './archiveRead';
import { createContainerDirectory, writeContainerFile } from './archiveWrite';
import { normalizeContainerPath } from './containerPath';
import { listViaExec, removeViaExec, renameViaExec, ToolMissingError } from './execFiles';
import { PathKind, statContainerPath, statFollowing } from './pathStat';

export interface FileInfo {
  /** What the path is once symlinks are followed ('other' for a dangling link or a device). */
  kind: PathKind;
  isSymlink: boolean;
  size: number;
  mtimeMs: number;
  permissions: number;
  /** True when the archive API cannot write there: a read-only root file system or mount. */
  readonly: boolean;
}

interface Mounts { readonlyRootfs: boolean; mounts: { destination: string; rw: boolean }[] }

/**
 * The files of one container at any depth. Reads and writes take the archive API (any
 * container, running or not, with or without a shell); listing takes `find`/`stat` through
 * exec when the container has them, else the archive; delete and rename need `rm`/`mv`.
 */
export class ContainerFiles {
  private mounts: Promise<Mounts> | undefined;
  /** How the last listing was made, for the log and the tests. */
  lastListingRoute: 'exec' | 'archive' | undefined;

  constructor(readonly daemon: DaemonLevel, readonly containerId: string) {}

  async stat(path: string, signal?: AbortSignal): Promise<FileInfo> {
    const abs = normalizeContainerPath(path);
    const own = await statContainerPath(this.daemon, this.containerId, abs, signal);
    let target = own;
    if (own.kind === 'symlink') {
      target = await statFollowing(this.daemon, this.containerId, abs, signal).then((r) => r.stat, (err: unknown) => {
        if ((err as DockerLevelsError).kind === 'notFound') return { ...own, kind: 'other' as const };
        throw err;
      });
    }
    return {
      kind: target.kind, isSymlink: own.kind === 'symlink', size: target.size, mtimeMs: target.mtimeMs,
      permissions: target.permissions, readonly: await this.isReadonly(abs, signal),
    };
  }

  /** `archiveBytes` bounds the archive route (a stopped container's `/` streams its whole root file system). */
  async list(dir: string, signal?: AbortSignal, archiveBytes?: number): Promise<DirectoryEntry[]> {
    const { stat, resolvedPath } = await statFollowing(this.daemon, this.containerId, dir, signal);
    if (stat.kind !== 'directory') throw new DockerLevelsError('badInput', `${displayText(dir)} is not a directory.`);
    try {
      const entries = await listViaExec(this.daemon, this.containerId, resolvedPath, signal);
      this.lastListingRoute = 'exec';
      return entries;
    } catch (err) {
      if (!(err instanceof ToolMissingError)) throw err;
    }
    const entries = await listViaArchive(this.daemon, this.containerId, resolvedPath, signal, archiveBytes);
    this.lastListingRoute = 'archive';
    return entries;
  }

  /** A regular file's content as a stream (symlinks followed). */
  async open(path: string, options: { signal?: AbortSignal; maxBytes?: number } = {}): Promise<FileRead> {
    const { resolvedPath } = await statFollowing(this.daemon, this.containerId, path, options.signal);
    return openContainerFile(this.daemon, this.containerId, resolvedPath, options);
  }

  async read(path: string, options: { signal?: AbortSignal; maxBytes?: number; onProgress?: (bytes: number, total: number) => void } = {}): Promise<Buffer> {
    const { resolvedPath } = await statFollowing(this.daemon, this.containerId, path, options.signal);
    return readContainerFile(this.daemon, this.containerId, resolvedPath, options);
  }

  /**
   * Writes a regular file. Replacing one keeps its mode and owner; a symlink is written
   * through (its target changes, as editors do). `create`/`overwrite` follow VS Code's flags.
   */
  async write(path: string, source: Buffer | { stream: Readable; size: number },
    options: { create?: boolean; overwrite?: boolean; signal?: AbortSignal; onProgress?: (bytes: number, total: number) => void } = {}): Promise<void> {
    const abs = normalizeContainerPath(path);
    const existing = await statFollowing(this.daemon, this.containerId, abs, options.signal).catch((err: unknown) => {
      if ((err as DockerLevelsError).kind === 'notFound') return undefined;
      throw err;
    });
    if (existing && existing.stat.kind === 'directory') throw new DockerLevelsError('badInput', `${displayText(abs)} is a directory.`);
    if (existing && options.overwrite === false) throw new DockerLevelsError('conflict', `${displayText(abs)} already exists.`);
    if (!existing && options.create === false) throw new DockerLevelsError('notFound', `No such file: ${displayText(abs)}.`);
    const target = existing?.resolvedPath ?? abs;
    if (await this.isReadonly(target, options.signal)) {
      throw new DockerLevelsError('permission', `${displayText(target)} is on a read-only file system or mount of the container.`);
    }
    const header = existing ? await archiveHeader(this.daemon, this.containerId, target, options.signal) : undefined;
    await writeContainerFile(this.daemon, this.containerId, target, source, {
      mode: header?.mode !== undefined ? header.mode & 0o7777 : undefined, uid: header?.uid, gid: header?.gid,
      signal: options.signal, onProgress: options.onProgress,
    });
  }

  async createDirectory(path: string, signal?: AbortSignal): Promise<void> {
    const abs = normalizeContainerPath(path);
    const exists = await statContainerPath(this.daemon, this.containerId, abs, signal).then(() => true, (err: unknown) => {
      if ((err as DockerLevelsError).kind === 'notFound') return false;
      throw err;
    });
    if (exists) throw new DockerLevelsError('conflict', `${displayText(abs)} already exists.`);
    await createContainerDirectory(this.daemon, this.containerId, abs, { signal });
  }

  /** Needs `rm`/`rmdir` in a running container: Docker's API has no delete. */
  async delete(path: string, options: { recursive?: boolean; signal?: AbortSignal } = {}): Promise<void> {
    const abs = normalizeContainerPath(path);
    const own = await statContainerPath(this.daemon, this.containerId, abs, options.signal);
    await removeViaExec(this.daemon, this.containerId, abs, own.kind === 'directory', !!options.recursive, options.signal);
  }

  /** Needs `mv` in a running container: Docker's API has no rename. */
  async rename(from: string, to: string, options: { overwrite?: boolean; signal?: AbortSignal } = {}): Promise<void> {
    const a = normalizeContainerPath(from);
    const b = normalizeContainerPath(to);
    await statContainerPath(this.daemon, this.containerId, a, options.signal);
    const target = await statContainerPath(this.daemon, this.containerId, b, options.signal).catch((err: unknown) => {
      if ((err as DockerLevelsError).kind === 'notFound') return undefined;
      throw err;
    });
    if (target && !options.overwrite) throw new DockerLevelsError('conflict', `${displayText(b)} already exists.`);
    // mv into an existing directory would move inside it: the old one goes first, as asked.
    if (target?.kind === 'directory') await removeViaExec(this.daemon, this.containerId, b, true, true, options.signal);
    await renameViaExec(this.daemon, this.containerId, a, b, options.signal);
  }

  /** Read-only root file system, or under a read-only mount (the deepest mount decides). */
  async isReadonly(path: string, signal?: AbortSignal): Promise<boolean> {
    this.mounts ??= inspectContainer(this.daemon, this.containerId, signal).then((info) => ({
      readonlyRootfs: !!info.HostConfig?.ReadonlyRootfs,
      mounts: (Array.isArray(info.Mounts) ? info.Mounts : []).filter((m) => typeof m?.Destination === 'string')
        .map((m) => ({ destination: normalizeContainerPath(m.Destination), rw: m.RW !== false })),
    }));
    this.mounts.catch(() => { this.mounts = undefined; });
    const { readonlyRootfs, mounts } = await this.mounts;
    const abs = normalizeContainerPath(path);
    const under = mounts.filter((m) => m.destination === '/' || abs === m.destination || abs.startsWith(`${m.destination}/`))
      .sort((x, y) => y.destination.length - x.destination.length)[0];
    return under ? !under.rw : readonlyRootfs;
  }
}
