import * as vscode from 'vscode';
import { ContainerFiles, containerPathNodeId, DaemonLevel, DirectoryEntry, displayText, joinContainerPath } from '../../../core';
import { containerFileUri } from '../../files/fileUris';
import { contextValue } from '../contextValues';
import type { TreeContext } from '../treeContext';
import { MessageNode } from './MessageNode';
import { GroupNode, TreeNode } from './TreeNode';

/** Rows shown per directory; the rest is named in a note (Open File in Container… reaches any path). */
export const MAX_TREE_FILE_ENTRIES = 500;
/** A stopped container is listed through its archive: `/` would stream its whole root file system. */
const TREE_ARCHIVE_BYTES = 64 * 1024 * 1024;

/** The container node a Files row sits under (a ContainerNode or LevelNode; named by shape: no import cycle). */
export type FilesOwner = TreeNode & { readonly daemon: DaemonLevel; readonly container: { Id: string }; readonly name: string; readonly path: string };

/** What a directory row needs of the container it lists: one per Files row, shared down its subtree. */
export class FilesRoot {
  constructor(readonly ctx: TreeContext, readonly container: FilesOwner, readonly filesId: string) {}

  /** Made per listing: the container node takes a reopened level after a settings change. */
  files(): ContainerFiles {
    return new ContainerFiles(this.container.daemon, this.container.container.Id);
  }

  uri(path: string): vscode.Uri {
    return containerFileUri(this.container.daemon, this.container.name, path);
  }

  get what(): string {
    return this.container.path;
  }
}

const isDirectory = (e: DirectoryEntry) => e.kind === 'directory' || (e.kind === 'symlink' && e.targetKind === 'directory');

/**
 * The rows of one directory: directories first, then by name, at most MAX_TREE_FILE_ENTRIES
 * (a note says how many more). A failure is a MessageNode child with Retry, never a toast.
 */
export async function directoryChildren(root: FilesRoot, parent: GroupNode, dir: string): Promise<TreeNode[]> {
  let entries: DirectoryEntry[];
  try {
    entries = await root.files().list(dir, undefined, TREE_ARCHIVE_BYTES);
  } catch (err) {
    const e = root.ctx.errors.log(err, `listing ${displayText(dir)} in ${displayText(root.what)}`);
    return [new MessageNode(parent, e.message, { severity: 'error', detail: e.userMessage, retryTargetId: parent.id })];
  }
  if (entries.length === 0) return [new MessageNode(parent, 'Empty directory', { severity: 'info' })];
  const sorted = [...entries].sort((a, b) => Number(isDirectory(b)) - Number(isDirectory(a)) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const rows: TreeNode[] = sorted.slice(0, MAX_TREE_FILE_ENTRIES).map((e) => {
    const path = joinContainerPath(dir, e.name);
    return isDirectory(e) ? new ContainerDirectoryNode(root, parent, path, e) : new ContainerFileNode(root, parent, path, e);
  });
  if (sorted.length > MAX_TREE_FILE_ENTRIES) {
    rows.push(new MessageNode(parent, `${sorted.length - MAX_TREE_FILE_ENTRIES} more entries not shown (${sorted.length} in all)`, {
      severity: 'info', detail: `The tree shows the first ${MAX_TREE_FILE_ENTRIES}; Open File in Container… opens any path.`,
    }));
  }
  return rows;
}


function sizeText(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : bytes < 1048576 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1048576).toFixed(1)} MiB`;
}

function tooltip(path: string, e: DirectoryEntry): string {
  return [
    displayText(path, 400),
    e.kind === 'symlink' ? (e.linkTarget ? `symlink → ${displayText(e.linkTarget, 400)}` : 'symlink') : '',
    `${e.kind === 'file' ? `${sizeText(e.size)}, ` : ''}mode ${e.permissions.toString(8).padStart(4, '0')}`,
  ].filter(Boolean).join('\n');
}

/** Whether a listing ended in an error row: it is not kept, so Retry and a re-expand list again. */
export function failedListing(children: readonly TreeNode[]): boolean {
  return children.some((c) => c instanceof MessageNode && c.options.severity === 'error');
}

/** A symlink's target when the listing route knows it (the archive does; find/stat lists only what it points at). */
const linkText = (e: DirectoryEntry) => (e.linkTarget ? `→ ${displayText(e.linkTarget, 80)}` : 'symlink');

const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/** A directory (or a symlink to one) in a container: expands lazily, like the Files row. */
export class ContainerDirectoryNode extends GroupNode {
  constructor(readonly root: FilesRoot, parent: TreeNode, readonly path: string, public entry: DirectoryEntry) {
    super(parent, containerPathNodeId(root.filesId, path), baseName(path));
  }

  get uri(): vscode.Uri {
    return this.root.uri(this.path);
  }

  protected override update(fresh: this): void {
    this.entry = fresh.entry;
  }

  protected listItems(): Promise<TreeNode[]> {
    return directoryChildren(this.root, this, this.path);
  }

  /** An error row is asked again (Retry refreshes the parent, which keeps this instance). */
  protected override childrenHold(): boolean {
    return !failedListing(this.children);
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(displayText(this.label), this.expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.resourceUri = this.uri;
    item.iconPath = vscode.ThemeIcon.Folder;
    item.contextValue = contextValue('directory', this.entry.kind === 'symlink' && 'symlink');
    item.description = this.entry.kind === 'symlink' ? linkText(this.entry) : undefined;
    item.tooltip = tooltip(this.path, this.entry);
    return item;
  }
}

/** A file in a container: a click opens it in the editor (saved back through the archive API). */
export class ContainerFileNode extends TreeNode {
  readonly id: string;

  constructor(readonly root: FilesRoot, parent: TreeNode, readonly path: string, public entry: DirectoryEntry) {
    super(parent);
    this.id = containerPathNodeId(root.filesId, path);
  }

  get uri(): vscode.Uri {
    return this.root.uri(this.path);
  }

  /** A regular file, or a symlink known to point at one (devices and dangling links do not open). */
  get isRegular(): boolean {
    return this.entry.kind === 'file' || (this.entry.kind === 'symlink' && this.entry.targetKind === 'file');
  }

  protected update(fresh: this): void {
    this.entry = fresh.entry;
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(displayText(baseName(this.path)), vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.resourceUri = this.uri;
    item.iconPath = this.isRegular ? vscode.ThemeIcon.File : new vscode.ThemeIcon('circle-slash');
    item.contextValue = contextValue('file', this.isRegular ? 'regular' : 'special', this.entry.kind === 'symlink' && 'symlink');
    item.description = this.entry.kind === 'symlink' ? linkText(this.entry) : this.entry.kind === 'file' ? sizeText(this.entry.size) : this.entry.kind;
    item.tooltip = tooltip(this.path, this.entry);
    if (this.isRegular) item.command = { command: 'docker-levels.openFileInContainer', title: 'Open File in Container', arguments: [this.uri] };
    return item;
  }
}
