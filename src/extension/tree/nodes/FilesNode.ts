import * as vscode from 'vscode';
import { displayText, filesNodeId } from '../../../core';
import { contextValue } from '../contextValues';
import type { TreeContext } from '../treeContext';
import { directoryChildren, failedListing, FilesOwner, FilesRoot } from './ContainerPathNodes';
import { GroupNode, TreeNode } from './TreeNode';

export { MAX_TREE_FILE_ENTRIES } from './ContainerPathNodes';

/** "Files" under a container (a ContainerNode or LevelNode): expanding it lists `/` of the container, directories lazily below. */
export class FilesNode extends GroupNode {
  readonly root: FilesRoot;
  readonly path = '/';

  constructor(ctx: TreeContext, readonly container: FilesOwner) {
    super(container, filesNodeId(container.id), 'Files');
    this.root = new FilesRoot(ctx, container, this.id);
  }

  get uri(): vscode.Uri {
    return this.root.uri('/');
  }

  protected listItems(): Promise<TreeNode[]> {
    return directoryChildren(this.root, this, '/');
  }

  protected override childrenHold(): boolean {
    return !failedListing(this.children);
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem('Files', this.expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('files');
    item.contextValue = contextValue('files');
    item.tooltip = `The files of ${displayText(this.container.name)}, from / (read and written through the archive API)`;
    return item;
  }
}
