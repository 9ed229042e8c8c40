import type * as vscode from 'vscode';

/** One row of the Levels tree. Each kind computes its own item and children. */
export abstract class TreeNode {
  /** Stable across refreshes, so expansion and reveal() survive them. */
  abstract readonly id: string;

  constructor(readonly parent: TreeNode | undefined) {}

  abstract getTreeItem(): vscode.TreeItem;

  getChildren(): Promise<TreeNode[]> {
    return Promise.resolve([]);
  }
}
