import * as vscode from 'vscode';
import { classifyError, ContainerFiles, DockerLevelsError, DirectoryEntry, FILES_SCHEME, Logger, PathKind, resolveFileLocation } from '../../core';
import type { LevelsService } from '../levelsService';
import { locationOf } from './fileUris';

/** How long a resolved container (levels listed down to it) is reused before it is looked up again. */
const RESOLVE_TTL_MS = 30_000;

function fileType(kind: PathKind | undefined): vscode.FileType {
  return kind === 'file' ? vscode.FileType.File : kind === 'directory' ? vscode.FileType.Directory : vscode.FileType.Unknown;
}

function entryType(e: DirectoryEntry): vscode.FileType {
  return e.kind === 'symlink' ? vscode.FileType.SymbolicLink | fileType(e.targetKind) : fileType(e.kind);
}

/**
 * Files of any container at any depth, for the normal editors and workspace.fs. Reads and
 * writes go through the archive API (stopped containers, no shell); listing through find/stat
 * when the container has them; delete and rename need rm/mv in a running container.
 * It does not watch: Docker has no file events, and polling every open file through a tunnel
 * would cost each level a request per second. `watch` returns a no-op; reopen to refresh.
 */
export class ContainerFileSystemProvider implements vscode.FileSystemProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changed.event;
  private readonly resolved = new Map<string, { files: Promise<ContainerFiles>; at: number }>();
  private readonly registration: vscode.Disposable;

  constructor(private readonly service: LevelsService, private readonly log: Logger) {
    this.registration = vscode.workspace.registerFileSystemProvider(FILES_SCHEME, this, { isCaseSensitive: true });
  }

  /** The container a URI names, resolved through the registry (levels opened as needed). */
  filesFor(uri: vscode.Uri): Promise<ContainerFiles> {
    const location = locationOf(uri);
    const key = `${uri.authority}/${location.container}`;
    const hit = this.resolved.get(key);
    if (hit && Date.now() - hit.at < RESOLVE_TTL_MS) {
      return hit.files.then((f) => (f.daemon.isDisposed ? this.resolveAgain(key, location) : f));
    }
    return this.resolveAgain(key, location);
  }

  private resolveAgain(key: string, location: ReturnType<typeof locationOf>): Promise<ContainerFiles> {
    const files = resolveFileLocation(this.service.registry, location).then(({ daemon, containerId }) => new ContainerFiles(daemon, containerId));
    files.catch(() => this.resolved.delete(key));
    this.resolved.set(key, { files, at: Date.now() });
    return files;
  }

  /** Runs one operation; core errors become the FileSystemErrors VS Code understands. */
  private async run<T>(what: string, uri: vscode.Uri, work: (files: ContainerFiles, path: string) => Promise<T>): Promise<T> {
    try {
      return await work(await this.filesFor(uri), locationOf(uri).path);
    } catch (err) {
      const e = classifyError(err);
      this.log.debug(`files: ${what} ${uri.toString()}: ${e.kind}: ${e.message}`);
      switch (e.kind) {
        case 'notFound': throw vscode.FileSystemError.FileNotFound(e.userMessage);
        case 'conflict': throw vscode.FileSystemError.FileExists(e.userMessage);
        case 'permission': throw vscode.FileSystemError.NoPermissions(e.userMessage);
        case 'unreachable': case 'timeout': throw vscode.FileSystemError.Unavailable(e.userMessage);
        default: throw new vscode.FileSystemError(e.userMessage);
      }
    }
  }

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }

  stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    return this.run('stat', uri, async (files, path) => {
      const info = await files.stat(path);
      return {
        type: fileType(info.kind) | (info.isSymlink ? vscode.FileType.SymbolicLink : 0),
        size: info.size, mtime: info.mtimeMs, ctime: info.mtimeMs,
        ...(info.readonly ? { permissions: vscode.FilePermission.Readonly } : {}),
      };
    });
  }

  readDirectory(uri: vscode.Uri): Promise<[string, vscode.FileType][]> {
    return this.run('list', uri, async (files, path) => (await files.list(path)).map((e) => [e.name, entryType(e)]));
  }

  readFile(uri: vscode.Uri): Promise<Uint8Array> {
    return this.run('read', uri, (files, path) => files.read(path));
  }

  writeFile(uri: vscode.Uri, content: Uint8Array, options: { create: boolean; overwrite: boolean }): Promise<void> {
    return this.run('write', uri, async (files, path) => {
      await files.write(path, Buffer.from(content.buffer, content.byteOffset, content.byteLength), options);
      this.changed.fire([{ type: vscode.FileChangeType.Changed, uri }]);
    });
  }

  createDirectory(uri: vscode.Uri): Promise<void> {
    return this.run('mkdir', uri, async (files, path) => {
      await files.createDirectory(path);
      this.changed.fire([{ type: vscode.FileChangeType.Created, uri }]);
    });
  }

  delete(uri: vscode.Uri, options: { recursive: boolean }): Promise<void> {
    return this.run('delete', uri, async (files, path) => {
      await files.delete(path, { recursive: options.recursive });
      this.changed.fire([{ type: vscode.FileChangeType.Deleted, uri }]);
    });
  }

  rename(oldUri: vscode.Uri, newUri: vscode.Uri, options: { overwrite: boolean }): Promise<void> {
    return this.run('rename', oldUri, async (files, path) => {
      const target = locationOf(newUri);
      if (newUri.authority !== oldUri.authority || target.container !== locationOf(oldUri).container) {
        throw new DockerLevelsError('permission', 'Rename moves a file within one container only; copy it to the other container instead.');
      }
      await files.rename(path, target.path, options);
      this.changed.fire([{ type: vscode.FileChangeType.Deleted, uri: oldUri }, { type: vscode.FileChangeType.Created, uri: newUri }]);
    });
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
    this.resolved.clear();
  }
}
