import * as vscode from 'vscode';
import { contextValue } from '../contextValues';
import { TreeNode } from './TreeNode';

/** "Files" under a container (its parent, a ContainerNode or LevelNode): a click opens a file of it (the Open File prompt, at the container's root). */
export class FilesNode extends TreeNode {
  readonly id: string;

  constructor(readonly container: TreeNode) {
    super(container);
    this.id = `${container.id}#files`;
  }

  protected update(): void {
    // Nothing of its own: it acts on its container.
  }

  getTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem('Files', vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('files');
    item.contextValue = contextValue('files');
    item.tooltip = 'Open a file of this container in the editor';
    item.command = { command: 'docker-levels.openFileInContainer', title: 'Open File in Container', arguments: [this.container] };
    return item;
  }
}
